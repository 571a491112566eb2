"""How people ask: what a typed search means before the index is asked anything.

``understand(text)`` turns what someone typed into

* **units**: the things the query asks for, each a concept (a phrase of the concept map,
  ``data/synonyms.txt``, which points at taxonomy needs or at text) or a plain word. Ranking
  counts how many units a listing answers (all of them first), so one extra everyday word never
  empties the results;
* **places**: town, locality and neighbourhood names (``data/localities.json``) found in the
  text, taken out of the words and used to rank by where a service works;
* **urgent**: whether the words are words of crisis (``data/crisis.txt``): the page then
  shows the urgent help box first;
* **languages**: Polish or Arabic concept words, so the page can say listings are in English.

Everyday filler ("I", "my", "need", "help with", "looking for", "near me", "for my mum") is
dropped when the query has other words; a query of filler only keeps its words.

Matching is on *folded* words: lower case, apostrophes removed ("can't" = "cant"), accents
and Arabic diacritics removed ("samotność" = "samotnosc"), Arabic letter variants unified and
the article al- dropped, then an English stem ("walking" = "walk"). Longer phrases are
matched first and cover their words, so "walking football" is one concept, not two.
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from whoosh.lang.porter import stem as porter_stem

from portal.search.schema import index_words

DATA_DIR = Path(__file__).resolve().parents[1] / "directory" / "data"
CONCEPTS_FILE = DATA_DIR / "synonyms.txt"
CRISIS_FILE = DATA_DIR / "crisis.txt"
LOCALITIES_FILE = DATA_DIR / "localities.json"
MAX_QUERY_CHARS = 200
MAX_WORDS = 16

_QUOTES = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201b": "'", "\u2032": "'", "`": "'",
                         "\u201c": '"', "\u201d": '"', "-": " ", "\u2010": " ", "\u2011": " ",
                         "\u2013": " ", "\u2014": " ", "/": " "})
_WORD = re.compile(r"[^\W_]+(?:'[^\W_]+)*", re.UNICODE)
# Polish and other Latin letters that do not decompose; Arabic alef forms to bare alef, alef
# maqsura to yaa, taa marbuta to haa, tatweel removed.
_ALEF = "\u0627"
_LETTERS = str.maketrans({"ł": "l", "Ł": "l", "ø": "o", "đ": "d", "ß": "ss",
                          "\u0623": _ALEF, "\u0625": _ALEF, "\u0622": _ALEF, "\u0671": _ALEF,
                          "\u0649": "\u064a", "\u0629": "\u0647", "\u0640": None, "'": None})
_ARTICLE = "\u0627\u0644"  # al-
_ARABIC = re.compile(r"[\u0600-\u06ff]")
_POLISH = re.compile(r"[ąćęłńóśźż]")

# Everyday words that say how someone asks, not what for. Dropped unless nothing else is left.
FILLER = frozenset("""
i im ive id me my mine myself we our us you your he she his her him they them their it its a an
the this that these those some any and or but so of to in on at by for from with about into near
nearby close local locally around area here there where what which who whom how when why can
could would should will shall may might must do does did done am is are was were be been being
have has had having get got getting need needs needed needing want wants wanted wanting like
looking look find finding search searching searched please pls thanks thank help helping helps
support advice info information something anything someone anyone somebody anybody somewhere
anywhere service services group groups just really very also too still again know tell show give
giving go going theres place places thing things else available ok okay hi hello since recently
last ago week weeks month months lately mum mam mom mother dad father husband wife partner son
daughter child children kid kids nan nana nanna gran granny grandma grandmother grandad granddad
grandpa grandfather grandson granddaughter aunt auntie uncle brother sister friend friends
neighbour neighbor family relative relatives parent parents elderly old older year years
""".split())  # noqa: SIM905 (a word list reads better as text)


def fold(word: str) -> str:
    """One word as concept matching sees it: lower case, no apostrophes, accents or diacritics."""
    word = word.lower().translate(_LETTERS)
    decomposed = unicodedata.normalize("NFKD", word)
    word = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    if _ARABIC.search(word) and word.startswith(_ARTICLE) and len(word) > 3:
        word = word[2:]
    return word


def key_of(word: str) -> str:
    """A folded word's matching key: its English stem (other scripts are kept as they are)."""
    folded = fold(word)
    return porter_stem(folded) if folded.isascii() and folded.isalpha() else folded


def words(text: str) -> list[str]:
    """Lower-case words, with curly quotes straightened and hyphens as spaces."""
    return _WORD.findall(text.lower().translate(_QUOTES))[:MAX_WORDS]


@dataclass(frozen=True)
class Entry:
    keys: tuple[str, ...]  # taxonomy codes, or text to search for
    language: str  # "en", "pl" or "ar": the section of the concept map it comes from


@dataclass(frozen=True)
class ConceptMap:
    phrases: dict[tuple[str, ...], Entry]  # matching keys of a phrase's words -> its entry
    longest: int
    vocabulary: frozenset[str]  # every folded word of every phrase (for spelling correction)

    def find(self, keys: list[str], skip: set[int]) -> list[tuple[int, int, Entry]]:
        """(start, length, entry) of concept phrases in ``keys``, longest first, not overlapping."""
        found: list[tuple[int, int, Entry]] = []
        taken = set(skip)
        for size in range(min(self.longest, len(keys)), 0, -1):
            for start in range(len(keys) - size + 1):
                span = set(range(start, start + size))
                if span & taken:
                    continue
                entry = self.phrases.get(tuple(keys[start:start + size]))
                if entry is not None:
                    found.append((start, size, entry))
                    taken |= span
        return sorted(found)


@lru_cache(maxsize=4)
def load_concepts(path: Path = CONCEPTS_FILE) -> ConceptMap:
    """The concept map: ``KEY: phrase, phrase`` lines; ``[pl]``/``[ar]`` start a language section."""
    phrases: dict[tuple[str, ...], tuple[list[str], str]] = {}
    vocabulary: set[str] = set()
    language = "en"
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        section = re.fullmatch(r"\[(\w\w)\]", line)
        if section:
            language = section.group(1)
            continue
        if not line or line.startswith("#") or ":" not in line:
            continue
        key, _sep, rest = line.partition(":")
        key = key.strip()
        # A key's own words are a phrase of it too ("walking-football" = "walking football").
        for phrase_text in [key.replace("-", " "), *rest.split(",")] if language == "en" else rest.split(","):
            typed = words(phrase_text)
            phrase = tuple(key_of(word) for word in typed)
            if not phrase:
                continue
            vocabulary.update(fold(word) for word in typed)
            keys, _lang = phrases.setdefault(phrase, ([], language))
            if key not in keys:
                keys.append(key)
    longest = max((len(p) for p in phrases), default=1)
    return ConceptMap({p: Entry(tuple(keys), lang) for p, (keys, lang) in phrases.items()},
                      longest, frozenset(vocabulary))


@lru_cache(maxsize=4)
def load_crisis(path: Path = CRISIS_FILE) -> tuple[tuple[str, ...], ...]:
    """Words of crisis, one phrase a line, as folded word sequences."""
    found = []
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            phrase = tuple(fold(word) for word in words(line))
            if phrase:
                found.append(phrase)
    return tuple(found)


@dataclass(frozen=True)
class Gazetteer:
    names: dict[tuple[str, ...], tuple[str, ...]]  # folded place name words -> locality slugs
    longest: int
    vocabulary: frozenset[str]


@lru_cache(maxsize=2)
def load_places(path: Path = LOCALITIES_FILE) -> Gazetteer:
    """Place names of the care localities: locality names, their towns and neighbourhoods, and
    the wider areas ("Plymouth", "Torbay") standing for all their localities."""
    names: dict[tuple[str, ...], list[str]] = {}

    def add(name: str, slug: str) -> None:
        name = re.sub(r"\b(town|city) centre\b", "", name, flags=re.IGNORECASE)
        phrase = tuple(fold(word) for word in words(name))
        if phrase and slug not in names.setdefault(phrase, []):
            names[phrase].append(slug)

    for locality in json.loads(path.read_text(encoding="utf-8")):
        slug = locality["id"]
        add(locality["name"], slug)
        for part in re.split(r"\s*&\s*|\s+and\s+", locality["name"]):
            add(part, slug)
        for place in locality.get("places", []):
            add(place["name"], slug)
            if place.get("post_town"):
                add(place["post_town"], slug)
    names.pop(("coastal",), None)  # locality labels that are ordinary words are not places
    vocabulary = frozenset(word for phrase in names for word in phrase)
    return Gazetteer({p: tuple(s) for p, s in names.items()}, max(map(len, names), default=1),
                     vocabulary)


@dataclass
class Unit:
    """One thing a query asks for."""

    typed: str  # the words it came from, as typed
    stems: list[str]  # analysed words searched in the text fields
    keys: tuple[str, ...] = ()  # concept keys (taxonomy codes or text)
    phrase: bool = False  # a concept phrase of two or more words (weighs more)


@dataclass
class Understood:
    text: str = ""
    words: list[str] = field(default_factory=list)
    units: list[Unit] = field(default_factory=list)
    localities: list[str] = field(default_factory=list)
    place_words: list[str] = field(default_factory=list)
    urgent: bool = False
    languages: set[str] = field(default_factory=set)

    @property
    def is_empty(self) -> bool:
        return not self.units

    @property
    def keys(self) -> list[str]:
        return list(dict.fromkeys(key for unit in self.units for key in unit.keys))

    @property
    def stems(self) -> list[str]:
        return list(dict.fromkeys(stem for unit in self.units for stem in unit.stems))


def clean(text: str | None) -> str:
    """Typed text made safe: no control characters, at most ``MAX_QUERY_CHARS`` characters."""
    if not text:
        return ""
    text = "".join(" " if unicodedata.category(ch)[0] == "C" else ch for ch in text[:MAX_QUERY_CHARS * 2])
    return " ".join(text.split())[:MAX_QUERY_CHARS].strip()


def is_urgent(folded: list[str]) -> bool:
    for phrase in load_crisis():
        size = len(phrase)
        for start in range(len(folded) - size + 1):
            if tuple(folded[start:start + size]) == phrase:
                return True
    return False


def understand(text: str | None) -> Understood:
    cleaned = clean(text)
    typed = words(cleaned)
    folded = [fold(word) for word in typed]
    keys = [key_of(word) for word in typed]
    result = Understood(cleaned, typed, urgent=is_urgent(folded))
    if _ARABIC.search(cleaned):
        result.languages.add("ar")
    elif _POLISH.search(cleaned.lower()):
        result.languages.add("pl")
    covered: set[int] = set()
    places = load_places()
    for size in range(min(places.longest, len(folded)), 0, -1):
        for start in range(len(folded) - size + 1):
            span = set(range(start, start + size))
            slugs = places.names.get(tuple(folded[start:start + size]))
            if slugs and not span & covered:
                covered |= span
                result.localities.extend(s for s in slugs if s not in result.localities)
                result.place_words.append(" ".join(typed[start:start + size]))
    concepts = load_concepts()
    found = concepts.find(keys, covered)
    units_at: dict[int, Unit] = {}
    for start, size, entry in found:
        words_typed = typed[start:start + size]
        covered.update(range(start, start + size))
        if entry.language != "en":
            result.languages.add(entry.language)
        stems = [] if entry.language != "en" else index_words(" ".join(
            w for w in words_typed if fold(w) not in FILLER))
        units_at[start] = Unit(" ".join(words_typed), stems, entry.keys, phrase=size > 1)
    rest = [i for i in range(len(typed)) if i not in covered]
    meaningful = [i for i in rest if folded[i] not in FILLER]
    if not meaningful and not units_at and not result.localities:
        meaningful = rest  # filler only ("help"): search its words rather than nothing
    for i in meaningful:
        stems = index_words(typed[i])
        if stems:
            units_at[i] = Unit(typed[i], stems)
    result.units = [units_at[i] for i in sorted(units_at)]
    return result
