"""The pages of signing in, your account and account recovery."""
