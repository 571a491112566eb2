"""Demo plans: Rose Resident's "What's important to me" plan, written in her words (idempotent:
nothing is added when she already has a plan)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.clock import utcnow
from portal.plans.models import Plan, PlanSection, PlanVersion

RESIDENT = "resident@demo.portal.test"

ROSE: dict[str, dict[str, Any]] = {
    "about_me": {"text": "Please call me Rose. I was a primary school teacher in Torquay for 30 "
                         "years and I still love a good book and a chat."},
    "what_matters": {"text": "Seeing my granddaughter on Sundays. Keeping my garden going.\n"
                             "A good day: a walk to the harbour, tea at four, and the crossword."},
    "health": {"text": "I have COPD. Pacing myself and my inhaler help. Please avoid "
                       "strong perfume near me: it makes my breathing worse."},
    "communication": {"text": "Large print, please. I am a little deaf in my left ear: sit on "
                              "my right and speak clearly. English is my language."},
    "people": {"text": "Cara (my carer): 07700 900123.\nDr Patel at Pembroke Surgery."},
    "goals": {"goals": [
        {"title": "Walk to the harbour and back", "steps": "Round the block first, then to the "
         "corner shop, then the harbour.", "status": "working", "review_on": "2027-03-31"},
        {"title": "Join the Breathe Easy group", "steps": "Ask the care team for the details.",
         "status": "achieved", "review_on": None}]},
    "support": {"text": "Cara helps with shopping on Tuesdays and Fridays."},
    "crisis": {
        "green_signs": "I am chatty and doing my crossword.",
        "green_helps": "Keeping to my routine.", "green_call": "",
        "amber_signs": "More breathless than usual, not eating, staying in bed.",
        "amber_helps": "My rescue pack, rest, and a call to Cara.",
        "amber_call": "Cara, then Pembroke Surgery.",
        "red_signs": "Very breathless at rest, confused, lips looking blue.",
        "red_helps": "Sit me upright and stay with me.",
        "red_call": "999, then Cara on 07700 900123."},
    "carer": {"text": "Cara Carer is my carer. If Cara cannot help, please call my neighbour "
                      "Pat at number 12, and the care team."},
}


def load_demo(session: Session) -> None:
    from portal.accounts.models import User

    rose = session.scalar(select(User).where(User.email == RESIDENT))
    if rose is None or session.scalar(select(Plan.id).where(Plan.person_id == rose.id)):
        return
    now = utcnow()
    plan = Plan(person_id=rose.id, created_at=now, updated_at=now)
    session.add(plan)
    session.flush()
    for key, content in ROSE.items():
        session.add(PlanVersion(plan_id=plan.id, section_key=key, number=1, content=content,
                                author_id=rose.id, reason="owner", created_at=now))
        session.add(PlanSection(plan_id=plan.id, section_key=key, number=1, content=content,
                                updated_at=now, updated_by_id=rose.id))
    session.flush()
