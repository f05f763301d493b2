"""Secrets at rest: encrypted with Fernet under a key derived from SECRET_KEY and a purpose.

Each purpose gets its own key, so a value sealed for one use cannot be unsealed as another.
Changing SECRET_KEY makes every sealed value unreadable: ``unseal`` then returns None and the
owner of the value (an administrator, for a client secret) enters it again. The key for purpose
``"totp secret"`` is the one services.two_factor derives.
"""

from __future__ import annotations

import base64
import hashlib

from cryptography.fernet import Fernet, InvalidToken
from flask import current_app


def _fernet(purpose: str) -> Fernet:
    secret = current_app.config["SECRET_KEY"].encode()
    key = hashlib.sha256(f"protocol-monitor {purpose}|".encode() + secret).digest()
    return Fernet(base64.urlsafe_b64encode(key))


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
