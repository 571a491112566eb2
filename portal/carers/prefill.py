"""Answers suggested to a signed-in carer from what the portal already holds: their own
account and personal details, and, where they hold "see my plan" for one person, who that
person is and how they are related. Suggestions fill a page's fields for the carer to check;
nothing is saved until they press Continue.

Only what the access policy allows is read (``portal.circles.policy``): the carer's own
details as their owner, the cared-for person's name and the relationship on the carer's
grant as a proxy with plan access. Nothing of the person's plan content (their health, their
words) is copied into a request to another team.
"""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy.orm import Session

from portal.audit.events import AccessReason
from portal.circles.policy import Access, decide, people_cared_for
from portal.journeys import flow
from portal.journeys.definition import Page
from portal.profile.policies import can_view_personal_details
from portal.profile.services import details_of

# The carer's word for themselves on their grant ("daughter") -> what the person they care
# for is to them, as the form's option. Anything else is left for the carer to choose.
RELATIONSHIP_WORDS: dict[str, str] = {
    "daughter": "parent", "son": "parent", "daughter-in-law": "relative",
    "son-in-law": "relative", "wife": "partner", "husband": "partner", "partner": "partner",
    "spouse": "partner", "civil partner": "partner", "mother": "child", "father": "child",
    "mum": "child", "dad": "child", "parent": "child", "friend": "friend",
    "neighbour": "friend", "neighbor": "friend", "sister": "relative", "brother": "relative",
    "granddaughter": "relative", "grandson": "relative", "niece": "relative",
    "nephew": "relative", "aunt": "relative", "uncle": "relative", "cousin": "relative",
}


def relationship_option(words: str | None) -> str | None:
    cleaned = re.sub(r"^(my|their|her|his)\s+", "", (words or "").strip().lower())
    return RELATIONSHIP_WORDS.get(cleaned)


def _about_you(session: Session, user: Any) -> dict[str, Any]:
    found: dict[str, Any] = {"full_name": user.display_name, "email": user.email}
    if can_view_personal_details(session, user, user) is AccessReason.OWNER:
        details = details_of(session, user)
        if details is not None:
            if details.phone:
                found["phone"] = details.phone
            if details.postcode:
                found["postcode"] = details.postcode
    return found


def _cared_for(session: Session, user: Any) -> dict[str, Any]:
    """From the one person whose plan the carer may see (several: the carer chooses)."""
    people = []
    from portal.accounts.models import User

    for grant in people_cared_for(session, user):
        person = session.get(User, grant.person_id)
        if person is None:
            continue
        decision = decide(session, actor=user, person=person, access=Access.PLAN_READ)
        if decision.reason is AccessReason.PROXY and decision.grant is not None:
            people.append((person, decision.grant))
    if len(people) != 1:
        return {}
    person, grant = people[0]
    found: dict[str, Any] = {"cared_for_name": person.display_name}
    option = relationship_option(grant.relationship)
    if option:
        found["relationship"] = option
    return found


PAGES = {"about_you": _about_you, "cared_for": _cared_for}


def answers_for(session: Session, page: Page, user: Any, answers: flow.Answers
                ) -> dict[str, Any] | None:
    """Suggested answers for ``page`` (only its own questions), or None. Only for a carer
    filling in the form for themselves (not someone helping, not a professional)."""
    if not getattr(user, "is_authenticated", False) or page.id not in PAGES \
            or flow.value_of(answers, "filled_by") != "carer":
        return None
    wanted = {question.id for question in page.questions}
    found = {key: value for key, value in PAGES[page.id](session, user).items()
             if key in wanted and value}
    return found or None
