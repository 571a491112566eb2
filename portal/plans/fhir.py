"""The plan as a FHIR R4 JSON bundle: CarePlan, Goal, RelatedPerson, Consent and a
QuestionnaireResponse for the free-text sections (plus the Patient they all refer to).

Validated with ``fhir.resources``' R4B models (FHIR 4.3.0): the package's default models are
R5 and it ships no 4.0.1 models; every element used here has the same meaning in R4 and R4B,
so the bundle keeps R4 semantics (no R4B-only or R5 elements).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.careplan import CarePlan
from fhir.resources.R4B.consent import Consent
from fhir.resources.R4B.goal import Goal
from fhir.resources.R4B.patient import Patient
from fhir.resources.R4B.questionnaireresponse import QuestionnaireResponse
from fhir.resources.R4B.relatedperson import RelatedPerson

from portal.plans import sections as catalogue
from portal.plans.sections import CRISIS_PARTS, RAG, Kind

NHS_NUMBER_SYSTEM = "https://fhir.nhs.uk/Id/nhs-number"
NAMESPACE = uuid.UUID("6f1c2b8e-8a7e-4d0f-9b43-3c1f8d2a5e71")
VALIDATORS: dict[str, Any] = {
    "Patient": Patient, "CarePlan": CarePlan, "Goal": Goal, "RelatedPerson": RelatedPerson,
    "Consent": Consent, "QuestionnaireResponse": QuestionnaireResponse,
}


def _urn(*parts: object) -> str:
    return "urn:uuid:" + str(uuid.uuid5(NAMESPACE, "/".join(str(p) for p in parts)))


def _when(moment: datetime) -> str:
    """FHIR dateTime: with a time zone (SQLite hands back naive UTC times)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.isoformat(timespec="seconds")


def _answer_items(kind: Kind, content: dict[str, Any]) -> list[dict[str, Any]]:
    if kind is Kind.CRISIS:
        items = []
        for rag in RAG:
            parts = [{"linkId": f"crisis.{rag}.{part}", "text": f"{rag} {part}",
                      "answer": [{"valueString": text}]}
                     for part in CRISIS_PARTS if (text := content.get(f"{rag}_{part}"))]
            if parts:
                items.append({"linkId": f"crisis.{rag}", "text": rag, "item": parts})
        return items
    text = content.get("text")
    return [{"linkId": "text", "answer": [{"valueString": text}]}] if text else []


@dataclass(frozen=True)
class Carer:
    id: int
    relationship: str
    name: str


def bundle(*, person: Any, nhs_number: str | None, sections: dict[str, Any],
           grants: list[Carer], consents: list[Any], now: datetime) -> dict[str, Any]:
    """The bundle as JSON-ready data, validated resource by resource and as a whole."""
    patient_ref = _urn("patient", person.id)
    patient: dict[str, Any] = {"resourceType": "Patient", "name": [{"text": person.display_name}]}
    if nhs_number:
        patient["identifier"] = [{"system": NHS_NUMBER_SYSTEM, "value": nhs_number}]
    resources: list[tuple[str, dict[str, Any]]] = [(patient_ref, patient)]
    subject = {"reference": patient_ref, "display": person.display_name}

    goal_refs = []
    goals_row = sections.get("goals")
    for i, goal in enumerate((goals_row.content.get("goals") if goals_row else None) or [], 1):
        achieved = goal.get("status") == "achieved"
        ref = _urn("goal", person.id, i)
        resource: dict[str, Any] = {
            "resourceType": "Goal",
            "lifecycleStatus": "completed" if achieved else "active",
            "achievementStatus": {"coding": [{
                "system": "http://terminology.hl7.org/CodeSystem/goal-achievement",
                "code": "achieved" if achieved else "in-progress"}]},
            "description": {"text": goal.get("title") or ""},
            "subject": subject,
        }
        notes = [text for text in (goal.get("steps"),) if text]
        if goal.get("review_on"):
            resource["statusDate"] = goal["review_on"]
            notes.append(f"Review date: {goal['review_on']}")
        if notes:
            resource["note"] = [{"text": text} for text in notes]
        resources.append((ref, resource))
        goal_refs.append({"reference": ref})

    items = []
    for section in catalogue.sections():
        row = sections.get(section.id)
        if row is None or section.kind is Kind.GOALS or catalogue.is_empty(row.content):
            continue
        answers = _answer_items(section.kind, row.content)
        if answers:
            items.append({"linkId": section.id, "text": section.title_en, "item": answers})
    response_ref = _urn("questionnaire-response", person.id)
    resources.append((response_ref, {
        "resourceType": "QuestionnaireResponse", "status": "completed", "subject": subject,
        "authored": _when(now), "item": items or None}))

    for grant in grants:
        resources.append((_urn("related-person", grant.id), {
            "resourceType": "RelatedPerson", "active": True, "patient": subject,
            "relationship": [{"text": grant.relationship}],
            "name": [{"text": grant.name}]}))
    for consent in consents:
        resources.append((_urn("consent", consent.id), {
            "resourceType": "Consent",
            "status": "active" if consent.withdrawn_at is None else "inactive",
            "scope": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/consentscope",
                                  "code": "patient-privacy"}]},
            "category": [{"coding": [{"system": "http://loinc.org", "code": "59284-0"}],
                          "text": f"Share my {consent.purpose} with my care team"}],
            "patient": subject, "dateTime": _when(consent.given_at),
            "policyRule": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/v3-ActCode",
                                       "code": "OPTIN"}]}}))

    resources.append((_urn("care-plan", person.id), {
        "resourceType": "CarePlan", "status": "active", "intent": "plan",
        "title": "What's important to me", "subject": subject, "created": _when(now),
        "goal": goal_refs or None,
        "supportingInfo": [{"reference": response_ref}]}))

    entries = []
    for ref, resource in resources:
        clean = {key: value for key, value in resource.items() if value is not None}
        VALIDATORS[clean["resourceType"]].model_validate(clean)
        entries.append({"fullUrl": ref, "resource": clean})
    data = {"resourceType": "Bundle", "type": "collection", "timestamp": _when(now),
            "entry": entries}
    Bundle.model_validate(data)
    return data
