"""A git merge driver for gettext catalogues: the union of both sides' messages.

Catalogues here are sorted and carry no locations, yet two branches that each add strings
still collide line by line. This driver merges message by message: a message added on either
side is kept; one changed on one side only takes that change; one changed differently on both
sides takes ours and is marked fuzzy (the catalogue check then reports it for review).

Set up once per clone (``make merge-drivers``)::

    git config merge.po.driver ".venv/bin/python tools/merge_po.py %O %A %B %P"

and ``.gitattributes`` routes ``*.po`` and ``*.pot`` to it.
"""

from __future__ import annotations

import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po


def _read(path: str) -> Catalog:
    with Path(path).open("rb") as handle:
        return read_po(handle)


def merge(base: Catalog, ours: Catalog, theirs: Catalog) -> Catalog:
    result = ours
    for message in theirs:
        if not message.id:
            continue
        mine = ours.get(message.id)
        original = base.get(message.id)
        if mine is None:
            if original is None or original.string != message.string:
                result[message.id] = message  # added by them, or changed by them
            continue
        if mine.string == message.string:
            continue
        if original is not None and mine.string == original.string:
            mine.string = message.string  # changed only by them
        elif original is not None and message.string == original.string:
            pass  # changed only by us
        elif not mine.string:
            mine.string = message.string
        elif message.string:
            mine.flags.add("fuzzy")
    for message in list(base):
        # Deleted by them and untouched by us: delete.
        if message.id and theirs.get(message.id) is None:
            mine = ours.get(message.id)
            if mine is not None and mine.string == message.string:
                del result[message.id]
    return result


def main(base_path: str, ours_path: str, theirs_path: str, name: str = "") -> int:
    merged = merge(_read(base_path), _read(ours_path), _read(theirs_path))
    with Path(ours_path).open("wb") as handle:
        # The template is written without a header (see the Makefile's `translations`).
        write_po(handle, merged, sort_output=True, omit_header=name.endswith(".pot"),
                 no_location=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:5]))
