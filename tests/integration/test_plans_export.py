"""The plan leaves the portal as FHIR R4 (validated by fhir.resources) and as plain JSON in
"your data"; erasure removes it."""

from __future__ import annotations

import json

from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.goal import Goal
from sqlalchemy import func, select

from portal.authz import Role
from portal.circles.models import Purpose, Scope
from portal.plans.models import Plan, PlanVersion
from tests.helpers.factories import make_consent, make_grant, make_user


def _write_plan(client, rose):
    client.submit(f"/plans/{rose.id}/sections/about_me",
                  {"text": "Call me Rose 🌹", "base_number": "0", "action": "save"})
    client.submit(f"/plans/{rose.id}/sections/goals", {
        "base_number": "0", "action": "save", "goals-0-title": "Walk to the shop",
        "goals-0-steps": "Round the block", "goals-0-status": "achieved",
        "goals-0-review_on": "2027-03-31"})
    client.submit(f"/plans/{rose.id}/sections/crisis", {
        "base_number": "0", "action": "save", "red_call": "Call Jane on 07700 900123"})


def test_fhir_bundle_validates_and_holds_each_resource(client, session):
    rose = make_user(session, name="Rose Evans")
    jane = make_user(session, Role.CARER, name="Jane Evans")
    make_grant(session, rose, jane, Scope.PLAN_VIEW, relationship="daughter")
    make_consent(session, rose, Purpose.PLAN)
    client.sign_in_as(rose)
    client.submit("/account/details/edit", {"nhs_number": "943 476 5919"})
    _write_plan(client, rose)
    response = client.get(f"/plans/{rose.id}/fhir.json")
    assert response.status_code == 200 and response.mimetype == "application/fhir+json"
    data = json.loads(response.get_data(as_text=True))
    parsed = Bundle.model_validate(data)
    kinds = sorted(entry.resource.get_resource_type() if hasattr(entry.resource, "get_resource_type")
                   else entry.resource["resourceType"] for entry in parsed.entry)
    assert kinds == ["CarePlan", "Consent", "Goal", "Patient", "QuestionnaireResponse",
                     "RelatedPerson"]
    by_type = {e["resource"]["resourceType"]: e["resource"] for e in data["entry"]}
    goal = Goal.model_validate(by_type["Goal"])
    assert goal.description.text == "Walk to the shop" and goal.lifecycleStatus == "completed"
    assert by_type["Patient"]["identifier"] == [
        {"system": "https://fhir.nhs.uk/Id/nhs-number", "value": "9434765919"}]
    assert by_type["RelatedPerson"]["relationship"] == [{"text": "daughter"}]
    answers = {item["linkId"]: item for item in by_type["QuestionnaireResponse"]["item"]}
    assert answers["about_me"]["item"][0]["answer"] == [{"valueString": "Call me Rose 🌹"}]
    assert answers["crisis"]["item"][0]["item"][0]["answer"] == [
        {"valueString": "Call Jane on 07700 900123"}]
    assert by_type["CarePlan"]["goal"] == [{"reference": data["entry"][1]["fullUrl"]}]


def test_stranger_cannot_export_someone_elses_plan(client, session):
    rose = make_user(session)
    client.sign_in_as(make_user(session))
    assert client.get(f"/plans/{rose.id}/fhir.json").status_code == 404


def test_your_data_holds_the_plan_and_erasure_removes_it(client, session):
    rose = make_user(session, name="Rose Evans")
    client.sign_in_as(rose)
    _write_plan(client, rose)
    data = json.loads(client.get("/account/data.json").get_data(as_text=True))
    assert data["plans"]["sections"]["about_me"]["content"] == {"text": "Call me Rose 🌹"}
    assert [v["section"] for v in data["plans"]["versions"]] == ["about_me", "crisis", "goals"]
    from portal.privacy.registry import erasers

    with client.application.app_context():
        erasers()["plans"](session, rose)
        session.flush()
    assert session.scalar(select(func.count()).select_from(Plan)) == 0
    assert session.scalar(select(func.count()).select_from(PlanVersion)) == 0
