"""Exports of carer's assessment requests: CSV of the queue (for a period) and one request as
a FHIR R4 bundle; access-checked through the policy and audited."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

import pytest
import time_machine
from fhir.resources.R4B.bundle import Bundle
from sqlalchemy import select

from portal.audit.models import AuditEvent
from portal.authz import Role
from portal.carers.export import safe_cell
from tests.helpers.factories import make_locality, make_team, make_user
from tests.helpers.pages import check_page
from tests.integration.test_carers_referral import answer_all

BASE = "/carers/assessment"
NOW = datetime(2026, 12, 9, 11, 0, tzinfo=UTC)  # a Wednesday


@pytest.fixture(autouse=True)
def _clock():  # type: ignore[no-untyped-def]
    with time_machine.travel(NOW, tick=True):
        yield


@pytest.fixture
def teams(session):  # type: ignore[no-untyped-def]
    torquay = make_team(session, [make_locality(session, "torquay")])
    devonport = make_team(session, [make_locality(session, "devonport")])
    return torquay, devonport


def send(app, **changes: dict[str, object]) -> None:  # type: ignore[no-untyped-def]
    browser = app.test_client()
    answer_all(browser, **changes)
    assert browser.submit(f"{BASE}/check", {"website": ""}).status_code == 302


def rows_of(response) -> list[dict[str, str]]:  # type: ignore[no-untyped-def]
    return list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))


def events(session, kind: str) -> list[AuditEvent]:  # type: ignore[no-untyped-def]
    return list(session.scalars(select(AuditEvent).where(AuditEvent.event_type == kind)))


def test_the_csv_holds_the_workers_queue_only_and_is_audited(app, client, session, teams):
    torquay, _devonport = teams
    send(app)
    send(app, about_you={"full_name": "=HYPERLINK(\"http://x.example\")", "postcode": "PL1 4AA"},
         coping={"cannot_carry_on": "yes"})
    send(app, about_you={"postcode": "SW1A 1AA"})
    worker = make_user(session, Role.CARE_WORKER, teams=[torquay])
    client.sign_in_as(worker)
    response = client.get("/carers/queue.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert 'filename="carers-assessment-requests.csv"' in response.headers["Content-Disposition"]
    rows = rows_of(response)
    assert [(r["queue"], r["locality"], r["priority"], r["status"]) for r in rows] == [
        (torquay.name, torquay.localities[0].name, "routine", "received"),
        ("triage", "", "routine", "received"),
    ]
    assert rows[0]["carer_name"] == "Jane Evans" and rows[0]["postcode_district"] == "TQ1"
    assert rows[0]["received"] == "2026-12-09" and rows[0]["contact_by"] == "2026-12-16"
    assert (rows[0]["contacted"], rows[0]["overdue"]) == ("no", "no")
    # Every answer, one column per question.
    assert (rows[0]["gp_knows"], rows[0]["language"], rows[0]["conditions"]) == (
        "no", "Welsh", "dementia; physical")
    assert (rows[0]["good_day"], rows[0]["willing_able"], rows[0]["involved_name"]) == (
        "A walk by the sea.", "with_help", "")
    [event] = events(session, "carer_referrals_exported")
    assert event.actor_id == worker.id and event.reason == "care_team"
    assert event.details["format"] == "csv" and len(event.details["referrals"]) == 2


def test_the_other_teams_csv_guards_formulas(app, client, session, teams):
    _torquay, devonport = teams
    send(app, about_you={"full_name": "=HYPERLINK(\"http://x.example\")", "postcode": "PL1 4AA"})
    client.sign_in_as(make_user(session, Role.CARE_WORKER, teams=[devonport]))
    [row] = rows_of(client.get("/carers/queue.csv"))
    assert row["carer_name"] == "'=HYPERLINK(\"http://x.example\")"
    assert row["full_name"] == "'=HYPERLINK(\"http://x.example\")"  # the answers' columns too
    assert [safe_cell(v) for v in ("+1", "-1", "@a", "ok", None)] == ["'+1", "'-1", "'@a", "ok", ""]


def test_the_csv_for_a_period(app, client, session, teams):
    torquay, _devonport = teams
    with time_machine.travel(datetime(2026, 11, 30, 23, 30, tzinfo=UTC), tick=False):
        send(app)  # 23:30 on 30 November in the UK (GMT)
    send(app)
    client.sign_in_as(make_user(session, Role.CARE_WORKER, teams=[torquay]))
    november = rows_of(client.get("/carers/queue.csv?received_from=2026-11-01"
                                  "&received_to=2026-11-30"))
    assert [r["received"] for r in november] == ["2026-11-30"]
    december = rows_of(client.get("/carers/queue.csv?received_from=2026-12-01"))
    assert [r["received"] for r in december] == ["2026-12-09"]
    response = client.get("/carers/queue.csv?received_from=2026-12-01&received_to=2026-12-09")
    assert 'filename="carers-assessment-requests-2026-12-01-to-2026-12-09.csv"' in \
        response.headers["Content-Disposition"]


@pytest.mark.parametrize(("query", "errors"), [
    ("received_from=yesterday", ["Enter the first day as a real date, like 2026-11-01"]),
    ("received_from=2026-12-10", ["The first day must be today or in the past"]),
    ("received_from=2026-12-05&received_to=2026-12-01",
     ["The last day must be the same as or after the first day"]),
    ("received_to=2026-02-30", ["Enter the last day as a real date, like 2026-11-30"]),
])
def test_a_bad_period_is_explained_on_the_queue_page(client, session, teams, query, errors):
    client.sign_in_as(make_user(session, Role.CARE_WORKER, teams=[teams[0]]))
    response = client.get(f"/carers/queue.csv?{query}")
    assert response.status_code == 400
    page = check_page(response)
    assert page.title.startswith("Error:") and page.error_summary == errors
    assert events(session, "carer_referrals_exported") == []
    # What was typed is still there.
    typed = dict(pair.split("=") for pair in query.split("&"))
    for name, value in typed.items():
        assert f'value="{value}"' in response.get_data(as_text=True), name


def test_a_referral_as_a_valid_fhir_bundle(app, client, session, teams):
    torquay, _devonport = teams
    send(app, coping={"cannot_carry_on": "yes"})
    worker = make_user(session, Role.CARE_WORKER, teams=[torquay])
    client.sign_in_as(worker)
    html = client.get("/carers/queue").get_data(as_text=True)
    referral_id = int(html.split('href="/carers/queue/')[1].split('"')[0])
    response = client.get(f"/carers/queue/{referral_id}/fhir.json")
    assert response.status_code == 200 and response.mimetype == "application/fhir+json"
    data = response.get_json()
    Bundle.model_validate(data)  # the whole bundle is valid FHIR (R4B models)
    resources = {e["resource"]["resourceType"]: e["resource"] for e in data["entry"]}
    assert sorted(resources) == ["Patient", "QuestionnaireResponse", "RelatedPerson",
                                 "ServiceRequest"]
    request = resources["ServiceRequest"]
    assert (request["status"], request["intent"], request["priority"]) == (
        "active", "order", "urgent")
    assert request["identifier"][0]["value"].startswith("CR-2026-")
    assert request["performer"] == [{"display": torquay.name}]
    refs = {e["fullUrl"] for e in data["entry"]}
    assert request["subject"]["reference"] in refs
    assert {i["reference"] for i in request["supportingInfo"]} <= refs
    assert resources["Patient"]["name"] == [{"text": "Jane Evans"}]
    assert resources["Patient"]["address"] == [{"postalCode": "TQ1 1AA", "country": "GB"}]
    assert resources["RelatedPerson"]["relationship"] == [{"text": "parent"}]
    assert resources["RelatedPerson"]["name"] == [{"text": "Alan Evans"}]
    pages = {item["linkId"]: item for item in resources["QuestionnaireResponse"]["item"]}
    # Every section of the form is there, the later ones too.
    assert list(pages) == ["danger", "coping", "carer_kind", "filling_in", "about_you",
                           "communication", "your_gp", "work_study", "cared_for", "caring_role",
                           "impact", "carry_on", "what_matters", "contingency", "involved",
                           "consent"]
    answers = {i["linkId"]: i["answer"] for page in pages.values() for i in page["item"]}
    assert answers["gp_knows"] == [{"valueCoding": {"code": "no", "display": "No"}}]
    assert answers["good_day"] == [{"valueString": "A walk by the sea."}]
    assert answers["willing_able"][0]["valueCoding"]["code"] == "with_help"
    assert answers["consent_gp"][0]["valueCoding"]["code"] == "yes"
    conditions = next(i for i in pages["cared_for"]["item"] if i["linkId"] == "conditions")
    assert [a["valueCoding"]["code"] for a in conditions["answer"]] == ["dementia", "physical"]
    words = next(i for i in pages["cared_for"]["item"] if i["linkId"] == "conditions_words")
    assert words["answer"] == [{"valueString": "Falls often."}]
    [event] = events(session, "carer_referral_exported")
    assert (event.actor_id, event.target_id, event.details) == (
        worker.id, str(referral_id), {"format": "fhir"})


def test_exports_refuse_whoever_may_not_work_on_the_request(app, client, session, teams):
    torquay, devonport = teams
    send(app)
    client.sign_in_as(make_user(session, Role.CARE_WORKER, teams=[torquay]))
    html = client.get("/carers/queue").get_data(as_text=True)
    referral_id = int(html.split('href="/carers/queue/')[1].split('"')[0])
    other = app.test_client()
    assert other.get(f"/carers/queue/{referral_id}/fhir.json").status_code == 302  # sign in
    assert other.get("/carers/queue.csv").status_code == 302
    other.sign_in_as(make_user(session, Role.CARE_WORKER, teams=[devonport]))  # type: ignore[attr-defined]
    assert other.get(f"/carers/queue/{referral_id}/fhir.json").status_code == 404
    assert rows_of(other.get("/carers/queue.csv")) == []
    other.sign_in_as(make_user(session, Role.RESIDENT))  # type: ignore[attr-defined]
    assert other.get(f"/carers/queue/{referral_id}/fhir.json").status_code == 403
    assert other.get("/carers/queue.csv").status_code == 403
    assert events(session, "carer_referral_exported") == []
