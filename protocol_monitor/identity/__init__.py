"""Who is using the service: accounts, signing in and out, sessions, passwords, two-factor
sign-in, reset links and API tokens, with their pages and forms. Everything about identity is
here; what a signed-in person may see and do is decided in access.py.

- sessions.py          Flask-Login over the browser records, the idle timeout, enforced
                       two-factor enrolment; ``start_session`` / ``end_session`` for every way
                       of signing in
- browser_sessions.py  use cases: the server's record of each signed-in browser (open, find,
                       seen, end, end all), so that signing out ends a session for good
- accounts.py          use cases: create and change users, sign in with a password
- throttle.py          attempts counted before they are checked (atomic): passwords per address
                       typed, account or not; second-factor codes per account
- credentials.py       use cases: change a password, sign out everywhere (``cut_off``), reset
                       links, read-only API tokens (re-authenticated, expiring)
- two_factor.py        use cases: TOTP enrolment, the second step of signing in, recovery codes
- oidc.py              the OpenID Connect relying party for signing in with an organisation's
                       identity provider (used by services.single_sign_on)
- passwords.py         hashing (argon2) and the password rules
- forms.py             the sign-in, code, recovery code, password and token forms
- views/               the pages: sign_in (signing in and out, recovery codes, reset links),
                       account (your account), recovery (an administrator's reset link,
                       two-factor reset)

Like services/, the use-case modules here own their transactions; nothing else commits.
"""
