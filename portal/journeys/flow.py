"""The path through a journey from the answers so far. Answers: {page_id: {question_id: value}}."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from portal.journeys.definition import Journey, Page

Answers = dict[str, dict[str, Any]]


@dataclass(frozen=True)
class Position:
    """Where the answers lead: the pages on the path, and what comes after them.

    ``next_page`` is the first page still to answer; ``stop`` a stop page the answers reached;
    both None means every page on the path is answered (ready to check and send).
    """

    path: tuple[Page, ...]
    next_page: Page | None
    stop: str | None


def step(journey: Journey, page: Page, answers: dict[str, Any]) -> tuple[Page | None, str | None]:
    """Where answering ``page`` with ``answers`` leads: (the next page, or a stop id)."""
    for rule in page.next:
        if rule.matches(answers):
            if rule.stop:
                return None, rule.stop
            return journey.page(rule.goto) if rule.goto else journey.following(page), None
    return journey.following(page), None


def position(journey: Journey, answers: Answers) -> Position:
    path: list[Page] = []
    page: Page | None = journey.pages[0]
    while page is not None:
        if page.id not in answers or page in path:
            return Position(tuple(path), page, None)
        path.append(page)
        page, stop = step(journey, page, answers[page.id])
        if stop:
            return Position(tuple(path), None, stop)
    return Position(tuple(path), None, None)


def reachable(journey: Journey, answers: Answers, page: Page) -> bool:
    """A page may be shown if it is on the path or is the first one still to answer."""
    where = position(journey, answers)
    return page in where.path or page is where.next_page


def on_path(journey: Journey, answers: Answers) -> Answers:
    """Only the answers of pages on the path (answers left behind by a changed branch drop out)."""
    return {page.id: answers[page.id] for page in position(journey, answers).path}


def answered(journey: Journey, answers: Answers) -> tuple[Page, ...]:
    """The pages that have answers, in the journey's order: for a sent request, whose answers
    are already only its path (and may come from an older version of the file, without pages
    added since), where ``position`` would stop at the first page it lacks."""
    return tuple(page for page in journey.pages if page.id in answers)


def flags(journey: Journey, answers: Answers) -> set[str]:
    raised: set[str] = set()
    for page in position(journey, answers).path:
        for question in page.questions:
            value = answers[page.id].get(question.id)
            chosen = value if isinstance(value, list) else [value]
            raised |= {o.flag for o in question.options if o.flag and o.value in chosen}
    return raised


def value_of(answers: Answers, question_id: str) -> Any:
    for page_answers in answers.values():
        if question_id in page_answers:
            return page_answers[question_id]
    return None
