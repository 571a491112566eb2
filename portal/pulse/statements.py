"""The "I" statements people are asked about (from ../shared/DOMAIN.md, the system's own
consultations), which of them follow a closed conversation or a completed carer's assessment,
and the 5-point agreement scale."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from flask_babel import lazy_gettext as _l


class Statement(StrEnum):
    SITUATION = "situation"
    EARLY = "early"
    TALK = "talk"
    PLACES = "places"
    RANGE = "range"

    @property
    def text(self) -> str:
        return str(TEXTS[self])

    @property
    def short(self) -> str:
        return str(SHORT[self])


TEXTS = {
    Statement.SITUATION: _l("I want services that support me to manage my situation in life, "
                            "not just my condition."),
    Statement.EARLY: _l("I want the information I need to make healthy choices and stay "
                        "healthy, and systems that can help me at an early stage to avoid a "
                        "crisis."),
    Statement.TALK: _l("I want the ability to talk to a health or social care professional "
                       "when I need to, and to tell my story once."),
    Statement.PLACES: _l("I want to be able to have services provided in lots of different "
                         "places, at a time that suits me, having choice and control over the "
                         "care I need."),
    Statement.RANGE: _l("I want access to a range of services that support me and the people "
                        "who care for me to lead a full and healthy life."),
}
SHORT = {
    Statement.SITUATION: _l("My situation in life, not just my condition"),
    Statement.EARLY: _l("Information early, to avoid a crisis"),
    Statement.TALK: _l("Talk to a professional, tell my story once"),
    Statement.PLACES: _l("Services in many places, at times that suit me"),
    Statement.RANGE: _l("Services for me and the people who care for me"),
}


class Subject(StrEnum):
    """What the person is asked about."""

    THREAD = "thread"      # a message conversation the team closed
    REFERRAL = "referral"  # a carer's assessment request that was completed


ASKED = {
    Subject.THREAD: (Statement.TALK, Statement.EARLY, Statement.SITUATION),
    Subject.REFERRAL: (Statement.RANGE, Statement.SITUATION, Statement.PLACES),
}

# 1 to 5, from "strongly disagree" to "strongly agree".
SCALE = {
    1: _l("Strongly disagree"),
    2: _l("Disagree"),
    3: _l("Neither agree nor disagree"),
    4: _l("Agree"),
    5: _l("Strongly agree"),
}
AGREE = (4, 5)
DISAGREE = (1, 2)


def quarter_of(day: date | datetime) -> date:
    """The first day of the calendar quarter ``day`` is in."""
    return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
