"""A carer's assessment request as a FHIR R4 bundle for the council's case-management system:
a ServiceRequest (the request, its priority and status) with a QuestionnaireResponse for the
answers, a Patient for the carer (the person the assessment is for) and a RelatedPerson for
the person they care for.

Validated with ``fhir.resources``' R4B models, as the plans export is (see
``portal/plans/fhir.py``: the package ships no 4.0.1 models; the elements used here mean the
same in R4 and R4B). Question and option wording is the data file's own (English), with each
question's id as its ``linkId``.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.patient import Patient
from fhir.resources.R4B.questionnaireresponse import QuestionnaireResponse
from fhir.resources.R4B.relatedperson import RelatedPerson
from fhir.resources.R4B.servicerequest import ServiceRequest

from portal.carers.models import CarerReferral, ReferralStatus
from portal.journeys import flow
from portal.journeys.definition import Journey

NAMESPACE = uuid.UUID("0b6f8a4e-2c1d-4f7a-9e55-7d3c2a1b9f10")
REFERENCE_SYSTEM = "urn:portal:carer-referral"
VALIDATORS: dict[str, Any] = {
    "Patient": Patient, "RelatedPerson": RelatedPerson, "ServiceRequest": ServiceRequest,
    "QuestionnaireResponse": QuestionnaireResponse,
}
# Our statuses as ServiceRequest.status (the finer step goes in businessStatus-like text).
SERVICE_REQUEST_STATUS = {
    ReferralStatus.RECEIVED: "active",
    ReferralStatus.BEING_LOOKED_AT: "active",
    ReferralStatus.CONTACT_MADE: "active",
    ReferralStatus.ASSESSMENT_BOOKED: "active",
    ReferralStatus.COMPLETED: "completed",
}


def _urn(*parts: object) -> str:
    return "urn:uuid:" + str(uuid.uuid5(NAMESPACE, "/".join(str(p) for p in parts)))


def _when(moment: datetime) -> str:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.isoformat(timespec="seconds")


def _items(journey: Journey, answers: flow.Answers) -> list[dict[str, Any]]:
    pages = []
    for page in flow.answered(journey, answers):
        items = []
        for question in page.questions:
            value = answers.get(page.id, {}).get(question.id)
            values = value if isinstance(value, list) else [value]
            given = [v for v in values if v not in (None, "")]
            if not given:
                continue
            answer: list[dict[str, Any]]
            if question.options:
                answer = [{"valueCoding": {"code": str(v), "display": question.option_label(str(v))}}
                          for v in given]
            else:
                answer = [{"valueString": str(v)} for v in given]
            items.append({"linkId": question.id, "text": question.label, "answer": answer})
        if items:
            pages.append({"linkId": page.id, "text": page.title, "item": items})
    return pages


def bundle(*, referral: CarerReferral, journey: Journey, team_name: str | None,
           now: datetime) -> dict[str, Any]:
    """The bundle as JSON-ready data, validated resource by resource and as a whole."""
    answers = referral.answers
    about = answers.get("about_you", {})
    cared_for = answers.get("cared_for", {})
    patient_ref = _urn("carer", referral.id)
    patient: dict[str, Any] = {"resourceType": "Patient",
                               "name": [{"text": about.get("full_name") or "Not given"}]}
    telecom = [{"system": system, "value": about[key]}
               for system, key in (("phone", "phone"), ("email", "email")) if about.get(key)]
    if telecom:
        patient["telecom"] = telecom
    if about.get("postcode"):
        patient["address"] = [{"postalCode": about["postcode"], "country": "GB"}]
    subject = {"reference": patient_ref}

    response_ref = _urn("questionnaire-response", referral.id)
    related_ref = _urn("cared-for", referral.id)
    request: dict[str, Any] = {
        "resourceType": "ServiceRequest",
        "identifier": [{"system": REFERENCE_SYSTEM, "value": referral.reference}],
        "status": SERVICE_REQUEST_STATUS[referral.status],
        "intent": "order",
        "priority": "urgent" if referral.urgent else "routine",
        "code": {"text": "Carer's assessment (Care Act 2014, section 10)"},
        "subject": subject,
        "authoredOn": _when(referral.created_at),
        "requester": subject,
        "supportingInfo": [{"reference": response_ref}, {"reference": related_ref}],
        "note": [{"text": f"Status: {referral.status.value}"}],
    }
    if team_name:
        request["performer"] = [{"display": team_name}]
    resources: list[tuple[str, dict[str, Any]]] = [
        (_urn("service-request", referral.id), request),
        (patient_ref, patient),
        (related_ref, {"resourceType": "RelatedPerson", "patient": subject,
                       "name": [{"text": cared_for["cared_for_name"]}]
                       if cared_for.get("cared_for_name") else None,
                       "relationship": [{"text": str(cared_for.get("relationship")
                                                     or "cared-for person")}]}),
        (response_ref, {"resourceType": "QuestionnaireResponse", "status": "completed",
                        "subject": subject, "authored": _when(referral.created_at),
                        "item": _items(journey, answers) or None}),
    ]
    entries = []
    for ref, resource in resources:
        clean = {key: value for key, value in resource.items() if value is not None}
        VALIDATORS[clean["resourceType"]].model_validate(clean)
        entries.append({"fullUrl": ref, "resource": clean})
    data = {"resourceType": "Bundle", "type": "collection", "timestamp": _when(now),
            "entry": entries}
    Bundle.model_validate(data)
    return data
