"""The public listing page: everything a person needs to use a service, nothing confidential."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest

from portal.directory.models import Contact, CostOption, Phone, ServiceStatus
from portal.moderation.policies import today
from tests.helpers.factories import make_listing, make_locality, make_organisation


@pytest.fixture
def listing(session):
    torquay = make_locality(session, "torquay")
    torquay.name = "Torquay"
    service = make_listing(
        session, name="Saturday Friendship Circle", description="Company and a cuppa.\nAll welcome.",
        organisation=make_organisation(session, "Torbay Friends (demo)"),
        localities=[torquay], minimum_age=18, eligibility_description="Adults who feel lonely.",
        is_free=True, telephone=True, languages=[{"name": "Polish", "code": "pl"}],
        last_checked_on=date(2026, 11, 3),
        venues=[{"name": "Baptist Church Rooms", "address_1": "Albert Road", "city": "Torquay",
                 "postcode": "TQ1 1AA", "accessibility": [{"description": "Step-free access"}]}],
        schedules=[
            {"freq": "WEEKLY", "byday": "SA", "opens_at": "10:00", "closes_at": "12:00"},
            {"freq": "WEEKLY", "byday": "MO,TU,WE,TH,FR", "opens_at": "09:00", "closes_at": "17:30"},
            {"freq": "MONTHLY", "byday": "SA", "week_of_month": 1, "opens_at": "14:00",
             "closes_at": "16:00"},
            {"by_appointment": True, "description": "We can visit you at home."},
        ])
    service.phones.append(Phone(number="01632 960037", description="Bookings"))
    service.contacts.append(Contact(name="Hazel Underhill", title="Organiser"))
    session.flush()
    return service


def test_service_page_shows_how_when_where_and_who(client, listing):
    page = client.page(f"/services/{listing.id}")
    assert page.h1 == ["Saturday Friendship Circle"]
    text = page.text
    for expected in ["Torbay Friends (demo)", "Company and a cuppa.", "All welcome.",
                     "How to use it In person By telephone",
                     "Saturdays, 10am to 12 noon", "Monday to Friday, 9am to 5:30pm",
                     "First Saturday of the month, 2pm to 4pm", "By appointment We can visit you at home.",
                     "Baptist Church Rooms Albert Road Torquay TQ1 1AA", "Access: Step-free access",
                     "Ages 18 and over", "Adults who feel lonely.", "Cost Free", "Languages Polish",
                     "Areas it covers Torquay", "01632 960037 \u2013 Bookings", "Hazel Underhill, Organiser",
                     "Last checked: 3 November 2026"]:
        assert expected in text, expected
    assert f"/services/{listing.id}/report" in page.links
    assert "Report a problem with this listing" in text
    assert "This listing may be out of date" not in text


def test_service_page_warns_when_not_checked_for_a_year(client, session, listing):
    listing.last_checked_on = today() - timedelta(days=366)
    session.flush()
    page = client.page(f"/services/{listing.id}")
    assert "Important: This listing may be out of date" in page.text


def test_service_page_shows_costs_and_age_ranges(client, session):
    service = make_listing(session, name="Swim session", is_free=False, minimum_age=5, maximum_age=11,
                           fees_description="Bring a towel.")
    service.cost_options.append(CostOption(option="Per session", amount=3.5, amount_description="£3.50"))
    session.flush()
    text = client.page(f"/services/{service.id}").text
    assert "Ages 5 to 11" in text and "Per session: £3.50" in text and "Bring a towel." in text


def test_service_page_never_shows_a_confidential_address(client, session):
    service = make_listing(session, name="Safe house", venues=[{
        "name": "Refuge (Torquay area)", "address_1": "1 Secret Lane", "postcode": "TQ1 3ZZ",
        "confidential": True}])
    page = client.page(f"/services/{service.id}")
    assert "The address is given when you contact them." in page.text
    assert "Secret Lane" not in page.text and "TQ1 3ZZ" not in page.text


def test_service_page_escapes_what_editors_typed(client, session):
    service = make_listing(session, name="<script>alert(1)</script> club",
                           description="<b>bold</b> claims")
    response = client.get(f"/services/{service.id}")
    body = response.get_data(as_text=True)
    assert "<script>alert(1)</script>" not in body and "&lt;b&gt;bold&lt;/b&gt;" in body


@pytest.mark.parametrize("change", [{"published": False}, {"status": ServiceStatus.DEFUNCT},
                                    {"status": ServiceStatus.INACTIVE}])
def test_service_page_of_unpublished_listing_is_not_found(client, session, change):
    service = make_listing(session, name="Hidden", **change)
    client.page(f"/services/{service.id}", status=404)


def test_service_page_of_unknown_listing_is_not_found(client):
    client.page("/services/no-such-service", status=404)
    client.page("/services/" + "x" * 500, status=404)


@pytest.mark.parametrize(("code", "notice", "direction"), [
    ("pl", "Te informacje są w języku angielskim.", None),
    ("ar", "هذه المعلومات باللغة الإنجليزية.", "ltr"),
])
def test_listing_in_polish_or_arabic_says_it_is_in_english_and_marks_it(client, listing, code,
                                                                        notice, direction):
    client.get(f"/language/{code}")
    response = client.get(f"/services/{listing.id}")
    page = client.page(f"/services/{listing.id}")
    assert notice in page.text
    html = response.get_data(as_text=True)
    marked = ' lang="en" dir="ltr">' if direction else ' lang="en">'
    assert f"<h1{marked}Saturday Friendship Circle</h1>" in html
    assert f"<p{marked}Company and a cuppa.</p>" in html


def test_listing_in_english_has_no_notice_and_links_the_address_to_a_map_app(client, listing):
    response = client.get(f"/services/{listing.id}")
    html = response.get_data(as_text=True)
    assert "This information is in English." not in html
    assert "<h1>Saturday Friendship Circle</h1>" in html
    assert 'href="geo:50.46537,-3.52804?q=Albert%20Road%2C%20Torquay%2C%20TQ1%201AA"' in html


def test_back_to_results_returns_to_the_same_search(client, listing):
    search = "/services?q=lunch&postcode=TQ1+1AA&day=SA&when=free"
    page = client.page(f"/services/{listing.id}", headers={"Referer": f"http://localhost{search}"})
    assert "Back to results" in page.text and search in page.links
    elsewhere = client.page(f"/services/{listing.id}",
                            headers={"Referer": f"http://evil.example{search}"})
    assert "Back to results" not in elsewhere.text
    assert "Back to results" not in client.page(f"/services/{listing.id}").text


def test_an_access_note_that_repeats_its_label_is_said_once(client, session):
    """"Step-free access: Step-free access from the car park" reads as the details alone."""
    service = make_listing(session, name="Garden Club", venues=[{
        "name": "Hall", "postcode": "TQ1 1AA", "accessibility": [
            {"description": "Step-free access", "details": "Step-free access from the car park"},
            {"description": "Hearing loop", "details": "In the main room"}]}])
    text = client.page(f"/services/{service.id}").text
    assert "Step-free access from the car park" in text
    assert "Step-free access: Step-free access" not in text
    assert "Hearing loop: In the main room" in text


def test_how_to_get_in_touch_when_and_where_come_first(client, listing):
    """What people look for on a listing (above all on a phone) before the rest."""
    html = client.get(f"/services/{listing.id}").get_data(as_text=True)
    headings = [re.sub(r"<[^>]+>", "", heading).strip() for heading in
                re.findall(r'<h2 class="nhsuk-heading-m">(.*?)</h2>', html, re.S)]
    assert headings[:3] == ["Contact", "When", "Where"]
    assert headings.index("How to use it") > 2 and headings.index("Cost") > 2
