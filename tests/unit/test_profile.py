"""Personal details: NHS number rules, the form's checks, the policy and the services."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from portal.audit.events import AccessReason, ViewPurpose
from portal.audit.models import AuditEvent
from portal.authz import Role
from portal.profile import services
from portal.profile.forms import PersonalDetailsForm
from portal.profile.policies import can_view_personal_details
from tests.helpers.factories import make_user


@pytest.mark.parametrize("digits", ["9434765919", "4010232137", "9999999999"])
def test_nhs_number_with_a_correct_check_digit_is_valid(digits):
    assert services.is_valid_nhs_number(digits)


@pytest.mark.parametrize("digits", ["9434765918", "1234567890", "943476591", "abcdefghij"])
def test_nhs_number_with_a_wrong_check_digit_or_shape_is_invalid(digits):
    # 1234567890: the check digit would be 10, which no valid number has.
    assert not services.is_valid_nhs_number(digits)


def test_nhs_number_is_read_with_spaces_or_hyphens_and_shown_in_groups():
    assert services.nhs_number_digits(" 943 476-5919 ") == "9434765919"
    assert services.nhs_number_digits("943 476 591") is None
    assert services.format_nhs_number("9434765919") == "943 476 5919"


def _form(app, **fields):
    data = {"nhs_number": "", "dob_day": "", "dob_month": "", "dob_year": "", "phone": "",
            "address_line_1": "", "address_line_2": "", "town": "", "postcode": "", **fields}
    with app.test_request_context(method="POST"):
        form = PersonalDetailsForm(formdata=MultiDict(data), meta={"csrf": False})
        valid = form.validate()
        errors = {name: [str(e) for e in field.errors] for name, field in form._fields.items()
                  if field.errors}
        return valid, errors, (form.cleaned() if valid else None)


def test_personal_details_form_with_nothing_typed_is_valid(app):
    valid, errors, cleaned = _form(app)
    assert valid and errors == {}
    assert set(cleaned.values()) == {None}


def test_personal_details_form_cleans_every_field(app):
    valid, _errors, cleaned = _form(
        app, nhs_number="943 476 5919", dob_day="3", dob_month="07", dob_year="1941",
        phone="07700 900 982", address_line_1="1 Fore Street", town="Totnes",
        postcode="tq9 5rp")
    assert valid
    assert cleaned == {"nhs_number": "9434765919", "date_of_birth": date(1941, 7, 3),
                       "phone": "07700 900 982", "address_line_1": "1 Fore Street",
                       "address_line_2": None, "town": "Totnes", "postcode": "TQ9 5RP"}


@pytest.mark.parametrize(("fields", "field", "message"), [
    ({"nhs_number": "12345"}, "nhs_number", "NHS number must be 10 digits"),
    ({"nhs_number": "943 476 5918"}, "nhs_number", "Enter a valid NHS number"),
    ({"dob_month": "3", "dob_year": "1950"}, "dob_day", "Date of birth must include a day"),
    ({"dob_day": "3"}, "dob_month", "Date of birth must include a month and year"),
    ({"dob_day": "31", "dob_month": "2", "dob_year": "1950"}, "dob_day",
     "Date of birth must be a real date"),
    ({"dob_day": "x", "dob_month": "2", "dob_year": "1950"}, "dob_day",
     "Date of birth must be a real date"),
    ({"dob_day": "1", "dob_month": "2", "dob_year": "50"}, "dob_year",
     "Year must include 4 numbers"),
    ({"dob_day": "31", "dob_month": "12", "dob_year": "1899"}, "dob_day",
     "Date of birth must be the same as or after 1 January 1900"),
    ({"phone": "call me maybe"}, "phone",
     "Enter a telephone number, like 01632 960 001, 07700 900 982 or +44 808 157 0192"),
    ({"address_line_1": "1 High Street", "postcode": "NOT A CODE"}, "postcode",
     "Enter a real postcode"),
    ({"town": "Paignton"}, "address_line_1",
     "Enter address line 1, typically the building and street"),
])
def test_personal_details_form_refuses_bad_input_with_a_message(app, fields, field, message):
    valid, errors, _cleaned = _form(app, **fields)
    assert not valid
    assert errors[field] == [message]


def test_date_of_birth_in_the_future_is_refused(app):
    tomorrow = date.today() + timedelta(days=1)
    valid, errors, _ = _form(app, dob_day=str(tomorrow.day), dob_month=str(tomorrow.month),
                             dob_year=str(tomorrow.year))
    assert not valid
    assert errors["dob_day"] == ["Date of birth must be today or in the past"]


def test_owner_and_admins_may_view_personal_details_and_nobody_else(session):
    person = make_user(session, Role.RESIDENT)
    assert can_view_personal_details(session, person, person) is AccessReason.OWNER
    assert can_view_personal_details(session, make_user(session, Role.ADMIN), person) is AccessReason.ADMIN
    for role in set(Role) - {Role.ADMIN}:
        assert can_view_personal_details(session, make_user(session, role), person) is None


def test_update_details_saves_and_records_the_changed_field_names(app, session):
    person = make_user(session)
    with app.app_context():
        changed = services.update_details(
            session, person=person, values={"town": "Brixham", "phone": "01803 000000"},
            by=person)
        again = services.update_details(
            session, person=person, values={"town": "Brixham", "phone": "01803 000000"},
            by=person)
        assert services.details_of(session, person).town == "Brixham"
    assert changed == ["phone", "town"] and again == []
    events = session.scalars(select(AuditEvent)).all()
    assert [(e.event_type, e.reason, e.details["fields"]) for e in events] == [
        ("record_changed", "owner", ["phone", "town"])]


def test_nobody_else_may_change_a_persons_details(app, session):
    person, admin = make_user(session), make_user(session, Role.ADMIN)
    with app.app_context(), pytest.raises(services.NotAllowed):
        services.update_details(session, person=person, values={"town": "X"}, by=admin)


def test_viewing_by_an_admin_is_recorded_once_and_by_the_owner_not_at_all(app, session):
    person, admin = make_user(session), make_user(session, Role.ADMIN)
    with app.app_context():
        services.view_details(session, person=person, by=person)
        services.view_details(session, person=person, by=admin,
                              purpose=ViewPurpose.CORRECTION, note="  fixing a typo ")
    events = session.scalars(select(AuditEvent)).all()
    assert [(e.event_type, e.actor_id, e.subject_id, e.reason, e.details) for e in events] == [
        ("record_viewed", admin.id, person.id, "admin",
         {"viewer_roles": ["admin"], "purpose": "correction", "note": "fixing a typo"})]


def test_an_admin_without_a_reason_is_refused_and_nothing_is_recorded(app, session):
    person, admin = make_user(session), make_user(session, Role.ADMIN)
    with app.app_context():
        with pytest.raises(services.PurposeNeeded):
            services.view_details(session, person=person, by=admin)
        with pytest.raises(services.PurposeNeeded):
            services.view_details(session, person=person, by=admin, purpose=ViewPurpose.OTHER,
                                  note="   ")
    assert session.scalars(select(AuditEvent)).all() == []
