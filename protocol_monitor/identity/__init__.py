"""Signing in with an organisation's identity provider: the OpenID Connect relying party."""
