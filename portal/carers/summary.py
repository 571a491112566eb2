"""Answers as rows to read back ("check your answers", the worker's view)."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _

from portal.journeys import flow
from portal.journeys.definition import Journey, Question


@dataclass(frozen=True)
class Row:
    page_id: str
    question_id: str
    label: str
    value: str
    page_title: str = ""


def _shown(question: Question, value: object) -> str:
    if value in (None, "", []):
        return _("Not given")
    if isinstance(value, list):
        return ", ".join(_(question.option_label(str(v))) for v in value)
    if question.options:
        return _(question.option_label(str(value)))
    return str(value)


def summary(journey: Journey, answers: flow.Answers, *, sent: bool = False) -> list[Row]:
    """Rows for the pages on the path (a draft: "check your answers"), or, ``sent``, for
    every page a sent request holds answers to."""
    rows = []
    pages = flow.answered(journey, answers) if sent else flow.position(journey, answers).path
    for page in pages:
        for question in page.questions:
            rows.append(Row(page.id, question.id, _(question.label),
                            _shown(question, answers[page.id].get(question.id)),
                            _(page.title)))
    return rows
