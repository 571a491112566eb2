"""Catalogue tools: fill the English catalogue and find untranslated messages.

``python -m portal.i18n_tools fill-english PO`` sets every English msgstr to its msgid.
``python -m portal.i18n_tools check`` lists messages missing from any catalogue.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po

TRANSLATIONS_DIR = Path(__file__).resolve().parent.parent / "translations"
LOCALES = ("en", "pl", "ar")
_PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")


@dataclass(frozen=True)
class Problem:
    locale: str
    msgid: str
    reason: str

    def __str__(self) -> str:
        return f"[{self.locale}] {self.reason}: {self.msgid!r}"


def read_catalogue(path: Path) -> Catalog:
    with path.open("rb") as handle:
        return read_po(handle)


def _ids(message_id: str | tuple[str, ...] | list[str] | None) -> tuple[str, ...]:
    if message_id is None:
        return ()
    return tuple(message_id) if isinstance(message_id, tuple | list) else (message_id,)


def check_catalogues(template: Catalog, locales: tuple[str, ...] = LOCALES,
                     directory: Path = TRANSLATIONS_DIR) -> list[Problem]:
    problems: list[Problem] = []
    for locale in locales:
        path = directory / locale / "LC_MESSAGES" / "messages.po"
        if not path.exists():
            problems.append(Problem(locale, "*", "catalogue missing"))
            continue
        catalogue = read_catalogue(path)
        for message in template:
            if not message.id:
                continue
            found = catalogue.get(message.id)
            strings = _ids(found.string) if found is not None else ()
            if found is None or not all(strings):
                problems.append(Problem(locale, _ids(message.id)[0], "untranslated"))
            elif found.fuzzy:
                problems.append(Problem(locale, _ids(message.id)[0], "fuzzy"))
            else:
                wanted = set(_PLACEHOLDER.findall(_ids(message.id)[0]))
                for string in strings:
                    if set(_PLACEHOLDER.findall(string)) != wanted:
                        problems.append(Problem(locale, _ids(message.id)[0], "placeholders differ"))
    return problems


def fill_english(path: Path) -> None:
    catalogue = read_catalogue(path)
    catalogue.fuzzy = False
    for message in catalogue:
        if message.id:
            message.string = message.id
        message.flags.discard("fuzzy")
    with path.open("wb") as handle:
        write_po(handle, catalogue, sort_output=True, no_location=True)


def main(argv: list[str]) -> int:
    if len(argv) == 2 and argv[0] == "fill-english":
        fill_english(Path(argv[1]))
        return 0
    if argv == ["check"]:
        template = read_catalogue(TRANSLATIONS_DIR / "messages.pot")
        problems = check_catalogues(template)
        for problem in problems:
            print(problem)
        return 1 if problems else 0
    print(__doc__)
    return 2


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
