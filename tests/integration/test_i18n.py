import pytest


@pytest.mark.parametrize(("code", "direction"), [("en", "ltr"), ("pl", "ltr"), ("ar", "rtl")])
def test_choosing_a_language_sets_lang_and_direction(client, code, direction):
    response = client.get(f"/language/{code}?next=/accessibility")
    assert response.status_code == 302 and response.location == "/accessibility"
    page = client.page("/accessibility")
    assert (page.lang, page.direction) == (code, direction)


def test_arabic_pages_are_translated(client):
    client.get("/language/ar")
    page = client.page("/")
    assert page.h1 == ["بوابة صحتك ورعايتك"]


def test_polish_pages_are_translated(client):
    client.get("/language/pl")
    page = client.page("/account/sign-in")
    assert page.h1 == ["Zaloguj się"]


def test_polish_form_errors_are_translated(client):
    client.get("/language/pl")
    page = client.page("/account/sign-in")
    assert page.lang == "pl"
    response = client.submit("/account/sign-in", {"email": "", "password": ""})
    from tests.helpers.pages import check_page

    assert check_page(response).error_summary == ["Podaj swój adres e-mail", "Podaj swoje hasło"]


def test_browser_language_is_used_when_nothing_was_chosen(client):
    page = client.page("/", headers={"Accept-Language": "pl-PL,pl;q=0.9,en;q=0.5"})
    assert page.lang == "pl"


def test_unknown_language_is_a_404(client):
    assert client.get("/language/xx").status_code == 404


def test_language_choice_ignores_an_offsite_next(client):
    assert client.get("/language/pl?next=https://evil.example/").location == "/"


def test_templates_follow_a_forced_language_and_come_back(app):
    """Templates look the translations up once per request; an email written in its reader's
    language in the middle of an Arabic page is still Polish, and the page Arabic after."""
    from flask import render_template_string
    from flask_babel import force_locale, refresh

    with app.test_request_context("/", headers={"Accept-Language": "ar"}):
        assert render_template_string("{{ _('Home') }}") == "الصفحة الرئيسية"
        with force_locale("pl"):
            assert render_template_string("{{ _('Home') }}") == "Strona główna"
        assert render_template_string("{{ _('Home') }}") == "الصفحة الرئيسية"
    with app.test_request_context("/", headers={"Accept-Language": "pl"}):
        assert render_template_string("{{ _('Home') }}") == "Strona główna"
        refresh()
        assert render_template_string("{{ _('Home') }}") == "Strona główna"
