"""Who is using the service: accounts, signing in and out, sessions, passwords, two-factor
sign-in, reset links and API tokens, with their pages and forms. Everything about identity is
here; what a signed-in person may see and do is decided in access.py.

- sessions.py     Flask-Login, the idle timeout, sign out everywhere, enforced two-factor
                  enrolment; ``start_session`` / ``end_session`` for every way of signing in
- accounts.py     use cases: create and change users, sign in with a password (throttled)
- credentials.py  use cases: change a password, reset links, read-only API tokens
- two_factor.py   use cases: TOTP enrolment and the second step of signing in
- oidc.py         the OpenID Connect relying party for signing in with an organisation's
                  identity provider (used by services.single_sign_on)
- passwords.py    hashing (argon2) and the password rules
- forms.py        the sign-in, code, password and token forms
- views/          the pages: sign_in (signing in and out, reset links), account (your account),
                  recovery (an administrator's reset link, two-factor reset)

Like services/, the use-case modules here own their transactions; nothing else commits.
"""
