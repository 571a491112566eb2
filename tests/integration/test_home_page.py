"""The home page starts with what people come for: one search box for services and guidance,
then the main tasks, "Health guidance" among them (not only in the menu)."""

from __future__ import annotations

from tests.helpers.pages import check_page


def test_the_home_page_starts_with_the_search_box_then_the_tasks(client):
    response = client.get("/")
    page = check_page(response)
    html = response.get_data(as_text=True)
    main = html[html.index('<main'):]
    search = main.index('<form action="/search" method="get" id="home-search"')
    assert search < main.index(">Help near you<") < main.index(">Health guidance<")
    assert search < main.index("Create an account") and search < main.index("Find help in your community")
    assert 'for="q">Search services and health guidance' in main
    assert page.forms[[form.action for form in page.forms].index("/search")].fields == {"q": ""}


def test_the_home_search_box_searches_services_and_guidance(client):
    page = client.page("/search?q=lonely")
    assert "Search services and health guidance" in page.text


def test_health_guidance_comes_before_search_in_the_menu(client):
    html = client.get("/").get_data(as_text=True)
    menu = html[html.index('class="nhsuk-header__navigation-list"'):]
    assert menu.index(">Health guidance<") < menu.index(">Search<")
