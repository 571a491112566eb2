"""The referral form's definition (``data/referral.yaml``)."""

from __future__ import annotations

from pathlib import Path

from portal.journeys.definition import Journey, load

REFERRAL_FILE = Path(__file__).resolve().parent / "data" / "referral.yaml"
JOURNEY_ID = "carer-referral"


def referral_journey() -> Journey:
    return load(REFERRAL_FILE)
