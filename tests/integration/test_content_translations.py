"""Guidance in several languages: a version carries translations (title, summary, body and
captions per language), shown when the reader's language has one; the English is the source
and stays on offer. The starter library ships two pages in Polish and Arabic."""

import re
import shutil
from datetime import date
from pathlib import Path

import pytest
import time_machine

from portal.authz import Role
from portal.content import queries, services
from portal.content.models import VersionStatus
from tests.helpers.factories import STARTER_LIBRARY as CONTENT
from tests.helpers.factories import copied_library, make_user
from tests.helpers.factories import sync_library as _sync
from tests.helpers.pages import check_page

TRANSLATED = ["eating-well", "loneliness-getting-connected"]
TODAY = date(2026, 11, 23)


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(TODAY, tick=False):
        yield


@pytest.fixture
def library(app, tmp_path):
    with copied_library(app, tmp_path) as root:
        yield root


def _title(folder: Path, language: str) -> str:
    return re.search(r'^title: "(.*)"$', (folder / f"index.{language}.md").read_text(),
                     re.M).group(1)


def test_the_starter_library_has_two_pages_in_polish_and_arabic():
    found = sorted({path.parent.name for path in CONTENT.glob("*/index.pl.md")}
                   & {path.parent.name for path in CONTENT.glob("*/index.ar.md")})
    assert found == TRANSLATED
    for slug in found:
        for language in ("pl", "ar"):
            assert (CONTENT / slug / f"captions.{language}.vtt").is_file()


@pytest.mark.parametrize(("language", "label"), [("pl", "Polski"), ("ar", "العربية")])
def test_a_reader_in_polish_or_arabic_gets_the_page_and_captions_in_their_language(
        app, client, library, language, label):
    assert _sync(app, library).exit_code == 0
    client.get(f"/language/{language}")
    slug = "loneliness-getting-connected"
    response = client.get(f"/guidance/{slug}")
    page = check_page(response)
    html = response.get_data(as_text=True)
    assert page.lang == language
    assert page.h1 == [_title(CONTENT / slug, language)]
    assert "This information is in English." not in html
    assert 'lang="en"' not in html.split('class="portal-guidance-body"')[1][:20]
    assert "116 123" in html and "0300 456 7890" in html
    tracks = re.findall(r'<track kind="captions" srclang="([a-z]+)" label="([^"]+)" '
                        r'src="(/guidance/media/[0-9a-f]{64}\.vtt)"', html)
    assert [(lang, name) for lang, name, _url in tracks] == [(language, label), ("en", _english(language))]
    captions = client.get(tracks[0][2])
    assert captions.status_code == 200
    assert captions.get_data() == (CONTENT / slug / f"captions.{language}.vtt").read_bytes()
    watch = check_page(client.get(f"/guidance/{slug}/watch"))
    assert watch.h1 == [_title(CONTENT / slug, language)]


def _english(language: str) -> str:
    return {"pl": "Angielski", "ar": "الإنجليزية"}[language]


def test_english_readers_and_pages_without_a_translation_are_as_before(app, client, library):
    assert _sync(app, library).exit_code == 0
    html = client.get("/guidance/loneliness-getting-connected").get_data(as_text=True)
    assert check_page(client.get("/guidance/loneliness-getting-connected")).h1 == [
        "Feeling lonely: getting connected"]
    assert re.findall(r'<track kind="captions" srclang="([a-z]+)"', html) == ["en"]
    client.get("/language/pl")
    other = client.get("/guidance/falls-prevention").get_data(as_text=True)
    assert "Ta informacja jest w języku angielskim." in other or 'lang="en"' in other
    assert re.findall(r'<track kind="captions" srclang="([a-z]+)"', other) == ["en"]


def test_a_translation_is_approved_content_in_the_version(app, session, library):
    assert _sync(app, library).exit_code == 0
    item = queries.item_by_slug(session, "loneliness-getting-connected")
    version = queries.live_version(session, item.id)
    assert sorted(t.language for t in version.translations) == ["ar", "pl"]
    path = library / "loneliness-getting-connected" / "index.pl.md"
    path.write_text(path.read_text().replace("Małe kroki", "Drobne kroki"))
    result = _sync(app, library)
    assert result.exit_code != 0
    assert "is already in the portal with different content" in result.output


def test_a_translation_in_a_language_not_listed_is_refused(app, library):
    source = library / "falls-prevention"
    shutil.copy(library / "loneliness-getting-connected" / "index.pl.md", source / "index.pl.md")
    (source / "index.pl.md").write_text(
        (source / "index.pl.md").read_text().replace('captions: "captions.pl.vtt"\n', ""))
    result = _sync(app, library)
    assert result.exit_code != 0
    assert "languages in index.md must list pl, which has a translation" in result.output


def test_a_withdrawn_versions_translated_captions_are_not_public(app, client, session, library):
    assert _sync(app, library).exit_code == 0
    client.get("/language/pl")
    html = client.get("/guidance/loneliness-getting-connected").get_data(as_text=True)
    url = re.search(r'srclang="pl" label="Polski" src="([^"]+)"', html).group(1)
    item = queries.item_by_slug(session, "loneliness-getting-connected")
    queries.live_version(session, item.id).status = VersionStatus.WITHDRAWN
    session.flush()
    assert client.get(url).status_code == 404


def test_an_english_edit_in_the_portal_drops_the_translations_and_exports_without_them(
        app, session, library):
    """A new version written in the portal has no translations (they were checked against
    the old English); exported back into the library it leaves none of the old ones behind,
    so the next sync finds the files as the portal has them."""
    assert _sync(app, library).exit_code == 0
    author = make_user(session, Role.AUTHOR, name="Ada Author", email="ada@example.test")
    approver = make_user(session, Role.APPROVER, name="Dr Ann Approver",
                         email="ann@example.test")
    slug = "loneliness-getting-connected"
    item = queries.item_by_slug(session, slug)
    live = queries.live_version(session, item.id)
    with app.test_request_context(base_url="http://portal.test"):
        draft = services.save_draft(session, item=item, fields={"title": live.title + " (new)"},
                                    based_on=None, by=author)
        services.submit(session, version=draft, based_on=draft.revision, by=author)
        services.approve(session, version=draft, seen_hash=draft.content_hash,
                         review_due=date(2027, 11, 23), by=approver)
    assert queries.live_version(session, item.id).translations == []
    exported = app.test_cli_runner().invoke(args=["content", "export", "--to", str(library)])
    assert exported.exit_code == 0, exported.output
    assert not list((library / slug).glob("index.*.md"))
    assert not list((library / slug).glob("captions.pl.vtt"))
    again = _sync(app, library)
    assert again.exit_code == 0, again.output
