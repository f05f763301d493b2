"""A git merge driver for the Welsh catalogue: keep every message and translation of both sides.

Two branches that each add messages (and their translations) to a sorted catalogue often touch
neighbouring lines, which git's line merge calls a conflict. This driver merges by message
instead: a message either side added is kept, one either side removed (against the common
ancestor) is dropped, and where both translated one message differently, ours is kept and the
merge is reported as a conflict (exit 1) so a person looks. Installed per clone with
    git config merge.po.driver "python3 scripts/po-merge.py %O %A %B"
(.gitattributes names it for *.po); without that config git merges the file line by line.

Usage: po-merge.py ANCESTOR OURS THEIRS (the merged catalogue is written over OURS).
"""

from __future__ import annotations

import sys

from babel.messages.pofile import read_po, write_po


def _read(path):
    with open(path, "rb") as handle:
        return read_po(handle, abort_invalid=False)


def main(ancestor_path: str, ours_path: str, theirs_path: str) -> int:
    ancestor, ours, theirs = _read(ancestor_path), _read(ours_path), _read(theirs_path)
    conflicts = []
    for message in theirs:
        if not message.id:
            continue
        mine = ours.get(message.id, message.context)
        if mine is None:
            if ancestor.get(message.id, message.context) is None:
                ours[message.id] = message  # they added it
            continue  # we removed it
        if message.string and message.string != mine.string:
            base = ancestor.get(message.id, message.context)
            if not mine.string or (base is not None and base.string == mine.string):
                mine.string = message.string  # only they translated or changed it
            elif base is None or base.string != message.string:
                conflicts.append(message.id)
    for message in list(ours):
        if (
            message.id
            and theirs.get(message.id, message.context) is None
            and ancestor.get(message.id, message.context) is not None
        ):
            ours.delete(message.id, message.context)
    with open(ours_path, "wb") as handle:
        write_po(handle, ours, sort_output=True, omit_header=False, width=76)
    for message_id in conflicts:
        print(
            f"po-merge: {message_id!r} translated differently on each side; kept ours",
            file=sys.stderr,
        )
    return 1 if conflicts else 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:4]))
