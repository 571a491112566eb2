"""The library's controlled words: topics, conditions and audiences, with their labels.

The keys are what ``content/<slug>/index.md`` front matter uses (see ``content/README.md``);
the labels are what people read.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

TOPICS = {
    "long-term-conditions": _l("Long-term conditions"),
    "staying-well": _l("Staying well"),
    "mental-wellbeing": _l("Mental wellbeing"),
    "carers": _l("Looking after someone"),
    "medicines": _l("Medicines"),
    "healthy-living": _l("Healthy living"),
    "getting-connected": _l("Getting connected"),
}

CONDITIONS = {
    "copd": _l("COPD"),
    "asthma": _l("Asthma"),
    "diabetes": _l("Diabetes"),
    "heart-failure": _l("Heart failure"),
    "dementia": _l("Dementia and memory worries"),
    "anxiety": _l("Anxiety"),
    "depression": _l("Low mood and depression"),
    "falls": _l("Falls"),
    "none": _l("Not about one condition"),
}

# Conditions people browse by ("none" is a marker, not a condition to browse).
BROWSABLE_CONDITIONS = {key: label for key, label in CONDITIONS.items() if key != "none"}

AUDIENCES = {
    "residents": _l("Residents"),
    "carers": _l("Carers"),
}



def topic_label(key: str) -> str:
    return str(TOPICS.get(key, key))


def condition_label(key: str) -> str:
    return str(CONDITIONS.get(key, key))
