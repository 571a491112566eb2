"""The queue as CSV for the team and the council's systems.

One row per request: first what the team needs to work the list (the carer's name and
postcode district among it), then every answer, one column per question of the form, named by
the question's id (options by their values, several joined with "; "; a question the request
was not asked is empty). Cells that a spreadsheet would run as a formula (starting ``=``,
``+``, ``-``, ``@``, tab or carriage return) are prefixed with an apostrophe.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping

from portal.carers.models import CarerReferral
from portal.carers.targets import contact_target, local_day
from portal.journeys.definition import Journey

HEADER = ("reference", "received", "priority", "queue", "locality", "status", "assigned_to",
          "contact_by", "contacted", "overdue", "first_contact", "carer_name",
          "postcode_district")
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _answer(value: object) -> str:
    if isinstance(value, list):
        return "; ".join(str(item) for item in value)
    return "" if value is None else str(value)


def queue_csv(referrals: Iterable[CarerReferral], *, journey: Journey, teams: Mapping[int, str],
              localities: Mapping[int, str]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    questions = [(page.id, question.id) for page in journey.pages for question in page.questions]
    writer.writerow(HEADER + tuple(question_id for _page_id, question_id in questions))
    for referral in referrals:
        target = contact_target(referral)
        writer.writerow([safe_cell(cell) for cell in (
            referral.reference,
            local_day(referral.created_at).isoformat(),
            "urgent" if referral.urgent else "routine",
            teams.get(referral.team_id, "") if referral.team_id is not None else "triage",
            localities.get(referral.locality_id, "") if referral.locality_id is not None else "",
            referral.status.value,
            referral.assigned_to.display_name if referral.assigned_to else "",
            target.due.isoformat(),
            "yes" if target.met else "no",
            "yes" if target.overdue else "no",
            local_day(referral.first_contact_at).isoformat() if referral.first_contact_at else "",
            referral.answers.get("about_you", {}).get("full_name", ""),
            referral.postcode_district or "",
        )] + [safe_cell(_answer(referral.answers.get(page_id, {}).get(question_id)))
              for page_id, question_id in questions])
    return out.getvalue()
