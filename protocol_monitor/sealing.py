"""Secrets at rest: encrypted with Fernet under a key derived from SECRET_KEY and a purpose.

Each purpose gets its own key, so a value sealed for one use cannot be unsealed as another.
Changing SECRET_KEY makes every sealed value unreadable: ``unseal`` then returns None and the
owner of the value (an administrator, for a client secret) enters it again.

``digest`` is the one-way counterpart: a keyed hash (HMAC-SHA256) for values that are only ever
compared, never read back (recovery codes). Without SECRET_KEY a copy of the database is no help
in guessing them.
"""

from __future__ import annotations

import base64
import hashlib
import hmac

from cryptography.fernet import Fernet, InvalidToken
from flask import current_app


def _key(purpose: str) -> bytes:
    secret = current_app.config["SECRET_KEY"].encode()
    return hashlib.sha256(f"protocol-monitor {purpose}|".encode() + secret).digest()


def _fernet(purpose: str) -> Fernet:
    return Fernet(base64.urlsafe_b64encode(_key(purpose)))


def seal(purpose: str, plain: str) -> str:
    return _fernet(purpose).encrypt(plain.encode()).decode()


def unseal(purpose: str, sealed: str | None) -> str | None:
    """The plain value, or None when there is none or it was sealed under another key."""
    if not sealed:
        return None
    try:
        return _fernet(purpose).decrypt(sealed.encode()).decode()
    except (InvalidToken, ValueError):
        return None


def digest(purpose: str, value: str) -> str:
    """A keyed SHA-256 of the value (hex), for storing what is only ever compared."""
    return hmac.new(_key(purpose), value.encode(), hashlib.sha256).hexdigest()
