"""Words that suggest a crisis, from a shipped, editable data file (``data/crisis_words.txt``)."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from pathlib import Path

WORDS_FILE = Path(__file__).parent / "data" / "crisis_words.txt"


def normalise(text: str) -> str:
    text = unicodedata.normalize("NFC", text).casefold()
    text = text.replace("\u2019", "'").replace("\u2018", "'")
    return re.sub(r"\s+", " ", text)


@lru_cache(maxsize=4)
def crisis_words(path: Path = WORDS_FILE) -> tuple[str, ...]:
    words = []
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            words.append(normalise(line))
    return tuple(words)


def suggests_crisis(text: str) -> bool:
    found = normalise(text)
    return any(word in found for word in crisis_words())
