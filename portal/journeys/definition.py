"""A journey file, read into typed, immutable parts. Wording stays in English here and is
translated where it is shown (``flask_babel.gettext``); ``babel.py`` extracts it."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

QUESTION_TYPES = frozenset({"radios", "checkboxes", "text", "textarea", "email", "tel",
                            "postcode"})
TEXT_TYPES = frozenset({"text", "textarea", "email", "tel", "postcode"})
DEFAULT_MAX_LENGTH = 2000


class JourneyError(ValueError):
    """A journey file that does not make sense (an unknown page, type or question)."""


@dataclass(frozen=True)
class Option:
    value: str
    label: str
    flag: str | None = None


@dataclass(frozen=True)
class Question:
    id: str
    type: str
    label: str
    hint: str = ""
    required: bool = False
    max_length: int = DEFAULT_MAX_LENGTH
    autocomplete: str | None = None
    rows: int = 5  # a text box's height, in lines
    options: tuple[Option, ...] = ()
    errors: dict[str, str] = field(default_factory=dict)

    def option_label(self, value: str) -> str:
        return next((o.label for o in self.options if o.value == value), value)


@dataclass(frozen=True)
class Rule:
    when: dict[str, str]
    goto: str | None = None
    stop: str | None = None

    def matches(self, answers: dict[str, Any]) -> bool:
        return all(answers.get(key) == value for key, value in self.when.items())


@dataclass(frozen=True)
class Page:
    id: str
    title: str
    questions: tuple[Question, ...]
    next: tuple[Rule, ...] = ()


@dataclass(frozen=True)
class Stop:
    id: str
    title: str
    body: tuple[str, ...]
    emergency: bool = False


@dataclass(frozen=True)
class Journey:
    id: str
    title: str
    pages: tuple[Page, ...]
    stops: dict[str, Stop]

    def page(self, page_id: str) -> Page | None:
        return next((p for p in self.pages if p.id == page_id), None)

    def following(self, page: Page) -> Page | None:
        index = self.pages.index(page)
        return self.pages[index + 1] if index + 1 < len(self.pages) else None


def _question(raw: dict[str, Any]) -> Question:
    if raw.get("type") not in QUESTION_TYPES:
        raise JourneyError(f"question {raw.get('id')!r} has an unknown type {raw.get('type')!r}")
    return Question(
        id=str(raw["id"]), type=str(raw["type"]), label=str(raw["label"]),
        hint=str(raw.get("hint", "")), required=bool(raw.get("required", False)),
        max_length=int(raw.get("max_length", DEFAULT_MAX_LENGTH)),
        autocomplete=raw.get("autocomplete"), rows=int(raw.get("rows", 5)),
        options=tuple(Option(str(o["value"]), str(o["label"]), o.get("flag"))
                      for o in raw.get("options", [])),
        errors={str(k): str(v) for k, v in raw.get("errors", {}).items()},
    )


def parse(data: dict[str, Any]) -> Journey:
    pages = tuple(
        Page(id=str(p["id"]), title=str(p["title"]),
             questions=tuple(_question(q) for q in p["questions"]),
             next=tuple(Rule(when={str(k): str(v) for k, v in r.get("if", {}).items()},
                             goto=r.get("goto"), stop=r.get("stop"))
                        for r in p.get("next", [])))
        for p in data["pages"])
    stops = {str(key): Stop(str(key), str(s["title"]), tuple(s.get("body", [])),
                            bool(s.get("emergency", False)))
             for key, s in data.get("stops", {}).items()}
    journey = Journey(str(data["id"]), str(data["title"]), pages, stops)
    _check(journey)
    return journey


def _check(journey: Journey) -> None:
    ids = [q.id for p in journey.pages for q in p.questions]
    if len(ids) != len(set(ids)) or len({p.id for p in journey.pages}) != len(journey.pages):
        raise JourneyError("page and question ids must be unique")
    for page in journey.pages:
        for rule in page.next:
            if rule.goto and journey.page(rule.goto) is None:
                raise JourneyError(f"page {page.id!r} goes to unknown page {rule.goto!r}")
            if rule.stop and rule.stop not in journey.stops:
                raise JourneyError(f"page {page.id!r} stops at unknown stop {rule.stop!r}")


@lru_cache(maxsize=8)
def load(path: Path) -> Journey:
    return parse(yaml.safe_load(path.read_text(encoding="utf-8")))


def strings(data: Any) -> list[str]:
    """Every translatable string in a journey file (for the Babel extractor and tests)."""
    found: list[str] = []
    if isinstance(data, dict):
        for key, value in data.items():
            if key in ("title", "label", "hint") and isinstance(value, str):
                found.append(value)
            elif key in ("errors",) and isinstance(value, dict):
                found.extend(str(v) for v in value.values())
            elif key == "body" and isinstance(value, list):
                found.extend(str(v) for v in value)
            else:
                found.extend(strings(value))
    elif isinstance(data, list):
        for item in data:
            found.extend(strings(item))
    return found
