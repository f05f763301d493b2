"""Where a person may be sent after signing in: only a path on this site (no open redirect)."""

from __future__ import annotations

#: Longer ``next`` values are refused rather than echoed into a Location header.
MAX_LENGTH = 2000


def local_path(target: str | None) -> str | None:
    """``target`` when it is a path on this site, else None.

    Browsers drop tabs and newlines and read a backslash as a slash, so ``/<tab>/evil.example``
    or ``/\\evil.example`` would leave the site: any whitespace, control character or backslash
    refuses the value, as does a second leading slash (a scheme-relative address)."""
    if (
        target
        and len(target) < MAX_LENGTH
        and target.startswith("/")
        and not target.startswith("//")
        and not any(ch.isspace() or ord(ch) < 32 or ch == "\\" for ch in target)
    ):
        return target
    return None
