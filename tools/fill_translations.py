"""Fill catalogue entries from a JSON file of {msgid: {"pl": ..., "ar": ...}}.

``python tools/fill_translations.py FILE.json`` sets each listed message's Polish and Arabic
translation (only where the catalogue has the message and it is untranslated, unless
``--overwrite``), then writes the catalogues back. Engineers use it to land translations of
new strings without hand-editing .po files.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent / "translations"


def main(path: str, overwrite: bool = False) -> int:
    wanted = json.loads(Path(path).read_text(encoding="utf-8"))
    for locale in ("pl", "ar"):
        po = ROOT / locale / "LC_MESSAGES" / "messages.po"
        with po.open("rb") as handle:
            catalogue = read_po(handle)
        for msgid, strings in wanted.items():
            message = catalogue.get(msgid)
            if message is None or locale not in strings:
                continue
            if overwrite or not message.string:
                message.string = strings[locale]
                message.flags.discard("fuzzy")
        with po.open("wb") as handle:
            write_po(handle, catalogue, sort_output=True, no_location=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], "--overwrite" in sys.argv))
