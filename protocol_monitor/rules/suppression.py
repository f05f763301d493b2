"""Small-number suppression for figures shared beyond the group (domain.md §8)."""

from __future__ import annotations

from typing import Any

SUPPRESSED = "<5"


def suppress(n: int) -> int | str:
    """A count as it may be published: 1 to 4 become ``"<5"``; 0 and 5 or more stay as they are."""
    if isinstance(n, bool) or not isinstance(n, int):
        raise TypeError(f"suppress() takes a count, not {n!r}")
    return SUPPRESSED if 1 <= n <= 4 else n


def suppress_summary(summary: Any, *, keep: frozenset[str] = frozenset()) -> Any:
    """A copy of a nested summary (dicts, lists, tuples) with every integer count suppressed.

    Floats (rates) and strings pass through; keys named in ``keep`` (e.g. ``"registered_places"``,
    ``"year"``) are copied unchanged at any depth. Booleans are not counts and stay as they are.
    A rate computed from a suppressed count should be withheld by the caller.
    """
    if isinstance(summary, dict):
        return {
            key: value if key in keep else suppress_summary(value, keep=keep)
            for key, value in summary.items()
        }
    if isinstance(summary, list | tuple):
        items = [suppress_summary(item, keep=keep) for item in summary]
        return items if isinstance(summary, list) else tuple(items)
    if isinstance(summary, int) and not isinstance(summary, bool):
        return suppress(summary)
    return summary
