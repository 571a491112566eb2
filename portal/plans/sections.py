"""The plan's sections, read from data/sections.yaml, and the fields of each kind of section.

A section's content is a small JSON object: ``{"text": ...}`` for a text section,
``{"goals": [{"title", "steps", "status", "review_on"}, ...]}`` for goals, and nine fields
(red/amber/green x warning signs/what helps/who to call) for the crisis plan. ``flatten``
turns any content into labelled lines of text: for the difference, printing and FHIR.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from flask_babel import gettext
from flask_babel import lazy_gettext as _l

DATA_FILE = Path(__file__).parent / "data" / "sections.yaml"
MAX_SECTION_CHARS = 20_000  # every field of a section together
MAX_GOALS = 12


class Kind(StrEnum):
    TEXT = "text"
    GOALS = "goals"
    CRISIS = "crisis"


class GoalStatus(StrEnum):
    WORKING = "working"
    ACHIEVED = "achieved"


GOAL_STATUS_LABELS = {GoalStatus.WORKING: _l("Working on it"), GoalStatus.ACHIEVED: _l("Achieved")}

RAG = ("red", "amber", "green")
RAG_LABELS = {"red": _l("Red: I am in crisis"), "amber": _l("Amber: things are getting worse"),
              "green": _l("Green: I am well")}
CRISIS_PARTS = ("signs", "helps", "call")
CRISIS_PART_LABELS = {"signs": _l("Warning signs"), "helps": _l("What helps"),
                      "call": _l("Who to call")}
CRISIS_FIELDS = tuple(f"{rag}_{part}" for rag in RAG for part in CRISIS_PARTS)


# The Easy Read pictures drawn in templates/plans/_pictures.html.
PICTURES = frozenset({"person", "heart", "health", "talk", "people", "goal", "support", "crisis",
                      "carer"})


@dataclass(frozen=True)
class Section:
    id: str
    kind: Kind
    title_en: str
    prompt_en: str
    easy_read_en: str
    emergency: bool = False
    picture: str = "person"

    @property
    def title(self) -> str:
        return str(gettext(self.title_en))

    @property
    def prompt(self) -> str:
        return str(gettext(self.prompt_en))

    @property
    def easy_read(self) -> str:
        return str(gettext(self.easy_read_en))


def load_sections(path: Path = DATA_FILE) -> tuple[Section, ...]:
    rows = yaml.safe_load(path.read_text(encoding="utf-8"))
    sections = tuple(Section(id=str(r["id"]), kind=Kind(r["kind"]), title_en=str(r["title"]),
                             prompt_en=str(r["prompt"]), easy_read_en=str(r["easy_read"]),
                             emergency=bool(r.get("emergency", False)),
                             picture=str(r.get("picture", "person"))) for r in rows)
    ids = [s.id for s in sections]
    if len(set(ids)) != len(ids):
        raise ValueError("two plan sections share an id")
    unknown = sorted({s.picture for s in sections} - PICTURES)
    if unknown:
        raise ValueError(f"no Easy Read picture called {', '.join(unknown)}; "
                         f"choose from {', '.join(sorted(PICTURES))}")
    return sections


@lru_cache(maxsize=1)
def sections() -> tuple[Section, ...]:
    return load_sections()


def section(section_id: str) -> Section | None:
    return next((s for s in sections() if s.id == section_id), None)


def empty_content(kind: Kind) -> dict[str, Any]:
    if kind is Kind.GOALS:
        return {"goals": []}
    if kind is Kind.CRISIS:
        return dict.fromkeys(CRISIS_FIELDS, "")
    return {"text": ""}


def is_empty(content: dict[str, Any] | None) -> bool:
    return not content or not any(text for _label, text in flatten_raw(content))


def size(content: dict[str, Any]) -> int:
    return sum(len(text) for _label, text in flatten_raw(content))


def flatten_raw(content: dict[str, Any]) -> list[tuple[str, str]]:
    """(key, text) pairs without translated labels."""
    pairs: list[tuple[str, str]] = []
    for key, value in content.items():
        if isinstance(value, list):
            for i, goal in enumerate(value, 1):
                for part in ("title", "steps", "status", "review_on"):
                    pairs.append((f"{key}{i}.{part}", str(goal.get(part) or "")))
        else:
            pairs.append((key, str(value or "")))
    return pairs


def flatten(kind: Kind, content: dict[str, Any] | None) -> list[tuple[str, str]]:
    """Labelled lines a person reads: ("Goal 1", "Walk to the shop"), ("Red: Who to call", ...)."""
    content = content or empty_content(kind)
    if kind is Kind.GOALS:
        lines: list[tuple[str, str]] = []
        for i, goal in enumerate(content.get("goals") or [], 1):
            status = GOAL_STATUS_LABELS.get(GoalStatus(goal.get("status") or "working"), "")
            lines.append((gettext("Goal %(number)s", number=i), str(goal.get("title") or "")))
            lines.append((gettext("Steps"), str(goal.get("steps") or "")))
            lines.append((gettext("Status"), str(status)))
            if goal.get("review_on"):
                lines.append((gettext("Review date"), str(goal["review_on"])))
        return lines
    if kind is Kind.CRISIS:
        return [(f"{RAG_LABELS[rag]}: {CRISIS_PART_LABELS[part]}",
                 str(content.get(f"{rag}_{part}") or "")) for rag in RAG for part in CRISIS_PARTS]
    return [("", str(content.get("text") or ""))]


def as_text(kind: Kind, content: dict[str, Any] | None) -> str:
    """The content as plain text, for the difference and for export."""
    out = []
    for label, text in flatten(kind, content):
        out.append(f"{label}:\n{text}" if label else text)
    return "\n\n".join(out)
