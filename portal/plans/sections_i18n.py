# ruff: noqa: E501
"""The section titles and prompts of portal/plans/data/sections.yaml, for Babel's extractor.

The data file holds the English; the catalogues translate it (``gettext(title)`` at runtime).
Keep this list in step with the file (tests/unit/test_plan_sections.py checks)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

SECTION_STRINGS = (
    _l("About me"),
    _l("The name you like to be called, and a few lines about you that you would like people to know first."),
    _l("My name and a little about me."),
    _l("What matters to me"),
    _l("What matters most to you, and what a good day looks like for you."),
    _l("What is important to me. What a good day is like."),
    _l("My health and wellbeing"),
    _l("Your health conditions, what helps you and what to avoid."),
    _l("My health. What helps me. What I do not like."),
    _l("How to communicate with me"),
    _l("How you like to get information (for example large print, Easy Read, British Sign Language), your language, if you need an interpreter, and any hearing or sight needs."),
    _l("How to talk with me. How I like to get letters and information."),
    _l("People who matter to me"),
    _l("Family, friends, carers and professionals who matter to you, and how to reach them."),
    _l("People who are important to me. How to contact them."),
    _l("My goals"),
    _l("What you want to achieve, the steps to get there, and when you would like to look at it again."),
    _l("Things I want to do. The steps to get there."),
    _l("My support"),
    _l("Who helps you, with what, and when."),
    _l("Who helps me. What they do. When they come."),
    _l("If things change: my plan for a crisis"),
    _l("The signs that things are getting worse, what helps, and who to call, as a red, amber and green plan."),
    _l("What to do if I am not well. Who to call."),
    _l("My carer, and what happens if my carer cannot help"),
    _l("Who your carer is, and what should happen if they cannot help you (your contingency plan)."),
    _l("My carer. What to do if my carer cannot help."),
)
