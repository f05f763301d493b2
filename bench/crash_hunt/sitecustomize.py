"""Knobs for hunting a web-worker crash (docs/decisions/0005-python-3-12-chosen-by-make.md).

    PYTHONPATH=bench/crash_hunt CRASH_HUNT_GC=50 .venv/bin/python bench/load.py --app-only
    PYTHONPATH=bench/crash_hunt CRASH_HUNT_GC=50 CRASH_HUNT_NO_EXTENSIONS=1 .venv/bin/python ...

Python imports this file at start-up when its folder is on PYTHONPATH (gunicorn's workers inherit
it). CRASH_HUNT_GC=N runs the garbage collector's youngest generation every N allocations (the
default is 700), so a collector that walks a freed object crashes sooner. With
CRASH_HUNT_NO_EXTENSIONS=1 it refuses every `.so` under site-packages: SQLAlchemy's and
MarkupSafe's compiled speedups fall back to their pure-Python code (for SQLAlchemy 2.1, the `.py`
beside each `.so`); psycopg uses its pure-Python implementation; and the two libraries that need
cffi or Rust (argon2-cffi, cryptography) are replaced by stand-ins built on the standard
library's hashlib/hmac. The stand-ins are for a load run only: never deploy them.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import importlib.abc
import importlib.machinery
import importlib.util
import os
import sys
import types


class _NoSiteExtensions(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path, target=None):
        spec = importlib.machinery.PathFinder.find_spec(name, path)
        origin = getattr(spec, "origin", None) or ""
        if "site-packages" in origin and origin.endswith(".so"):
            source = os.path.join(os.path.dirname(origin), name.rpartition(".")[2] + ".py")
            if os.path.exists(source):  # SQLAlchemy 2.1 ships the .py beside each compiled module
                return importlib.util.spec_from_file_location(name, source)
            raise ImportError(f"{name}: compiled extension refused by bench/no_extensions")
        return None


def _argon2_stand_in() -> None:
    exceptions = types.ModuleType("argon2.exceptions")

    class VerificationError(Exception):
        pass

    class VerifyMismatchError(VerificationError):
        pass

    class InvalidHashError(ValueError):
        pass

    exceptions.VerificationError = VerificationError
    exceptions.VerifyMismatchError = VerifyMismatchError
    exceptions.InvalidHashError = InvalidHashError
    exceptions.InvalidHash = InvalidHashError

    class PasswordHasher:
        def hash(self, password: str) -> str:
            salt = os.urandom(16)
            digest = hashlib.pbkdf2_hmac("sha256", password.encode(), salt, 20_000)
            return f"$pbkdf2${salt.hex()}${digest.hex()}"

        def verify(self, stored: str, password: str) -> bool:
            try:
                _, _, salt, digest = stored.split("$")
            except ValueError as error:
                raise InvalidHashError(stored) from error
            mine = hashlib.pbkdf2_hmac("sha256", password.encode(), bytes.fromhex(salt), 20_000)
            if not hmac.compare_digest(mine.hex(), digest):
                raise VerifyMismatchError("mismatch")
            return True

        def check_needs_rehash(self, stored: str) -> bool:
            return False

    argon2 = types.ModuleType("argon2")
    argon2.PasswordHasher = PasswordHasher
    argon2.exceptions = exceptions
    sys.modules["argon2"] = argon2
    sys.modules["argon2.exceptions"] = exceptions


def _fernet_stand_in() -> None:
    fernet = types.ModuleType("cryptography.fernet")

    class InvalidToken(Exception):
        pass

    class Fernet:
        def __init__(self, key: bytes) -> None:
            self._key = base64.urlsafe_b64decode(key)

        @staticmethod
        def generate_key() -> bytes:
            return base64.urlsafe_b64encode(os.urandom(32))

        def encrypt(self, data: bytes) -> bytes:
            tag = hmac.new(self._key, data, "sha256").digest()
            return base64.urlsafe_b64encode(tag + data)

        def decrypt(self, token: bytes | str) -> bytes:
            raw = base64.urlsafe_b64decode(token)
            tag, data = raw[:32], raw[32:]
            if not hmac.compare_digest(tag, hmac.new(self._key, data, "sha256").digest()):
                raise InvalidToken()
            return data

    fernet.Fernet = Fernet
    fernet.InvalidToken = InvalidToken
    cryptography = types.ModuleType("cryptography")
    cryptography.fernet = fernet
    sys.modules["cryptography"] = cryptography
    sys.modules["cryptography.fernet"] = fernet


if os.environ.get("CRASH_HUNT_GC"):
    import gc

    gc.set_threshold(int(os.environ["CRASH_HUNT_GC"]), 10, 10)
if os.environ.get("CRASH_HUNT_NO_EXTENSIONS") == "1":
    sys.meta_path.insert(0, _NoSiteExtensions())
    _argon2_stand_in()
    _fernet_stand_in()
