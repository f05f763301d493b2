"""Data files shipped with the package (package-data in pyproject.toml), read one way."""

from __future__ import annotations

from functools import cache
from importlib.resources import files


@cache
def word_list(name: str) -> frozenset[str]:
    """A word list in this folder: one entry a line; blank lines and ``#`` comments skipped."""
    text = files(__name__).joinpath(name).read_text("utf-8")
    return frozenset(
        line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")
    )
