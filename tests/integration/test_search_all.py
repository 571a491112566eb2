"""One search box for services and guidance: the combined "all results" page."""

from tests.helpers.factories import fresh_search_index, make_listing


def test_all_results_shows_services_and_guidance_for_the_same_words(app, client, session, tmp_path):
    from portal.demo import load_guidance

    make_listing(session, name="Breathe Easy Torbay", description="A friendly group for people "
                 "who are short of breath, with singing for lung health.")
    with app.app_context():
        load_guidance(session)
    session.flush()
    with fresh_search_index(app, tmp_path / "index"):
        page = client.page("/search?q=short+of+breath")
    assert page.h1 == ["Search"]
    assert page.title.startswith("Search results for short of breath")
    assert "Breathe Easy Torbay" in page.text
    assert "Breathlessness and COPD: breathing easier" in page.text
    assert "/services?q=short+of+breath" in page.links
    assert "/guidance/search?q=short+of+breath" in page.links


def test_all_results_without_words_shows_only_the_box(client):
    page = client.page("/search")
    assert "Community services" not in page.text
    assert page.form_with("q").fields["q"] == ""


def test_all_results_says_when_nothing_matches_and_survives_odd_input(client, tmp_path, app):
    with fresh_search_index(app, tmp_path / "index"):
        page = client.page("/search?q=" + "zzqx%20AND%20(%20*%20%22%20~" * 400)
    assert "No community services match your search." in page.text
    assert "No health guidance matches your search." in page.text
