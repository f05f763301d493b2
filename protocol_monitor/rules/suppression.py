"""Small-number suppression for figures shared beyond the group (domain.md §8, §9)."""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping, Sequence
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


#: A cell hidden only because a total would let a reader work out a cell shown as ``<5``.
SECONDARY = "*"


def suppress_table(
    cells: Mapping[Hashable, int], totals: Iterable[tuple[Sequence[Hashable], Hashable]]
) -> dict[Hashable, int | str]:
    """A table as it may be published (domain.md §9): every count from 1 to 4 as ``<5``; and
    where a shown total lets a reader work out a hidden cell, the next smallest shown cell among
    that total's parts is hidden too, as ``*`` (until no total gives one away).

    ``cells`` maps each cell (any key) to its count, totals included; ``totals`` lists each total
    as (the cells it adds up, the total's cell). A total gives a hidden cell away when it is the
    only hidden cell of the sum, or when every hidden cell is a ``<5`` and together they add up to
    1 each or 4 each.
    """
    totals = [(list(parts), total) for parts, total in totals]
    order = {key: n for n, key in enumerate(cells)}
    primary = {key for key, value in cells.items() if 1 <= value <= 4}
    secondary: set[Hashable] = set()

    def gives_away(parts: list[Hashable], total: Hashable) -> bool:
        hidden = [key for key in (*parts, total) if key in primary or key in secondary]
        if len(hidden) == 1:
            return True
        if not hidden or total in hidden or any(key in secondary for key in hidden):
            return False
        together = sum(cells[key] for key in hidden)
        return together in (len(hidden), 4 * len(hidden))

    changed = True
    while changed:
        changed = False
        for parts, total in totals:
            if not gives_away(parts, total):
                continue
            shown = [key for key in parts if key not in primary and key not in secondary]
            if not shown and total not in primary and total not in secondary:
                shown = [total]
            if not shown:
                continue
            secondary.add(min(shown, key=lambda key: (cells[key], order[key])))
            changed = True
    return {
        key: SUPPRESSED if key in primary else SECONDARY if key in secondary else value
        for key, value in cells.items()
    }
