"""Each starter guidance video has a poster (its title slide), shown by the player before it
plays; a poster is not approved content, so it changes without a new version."""

import re
from datetime import date

import pytest
import time_machine

from portal.content import queries
from portal.content.models import VersionStatus
from tests.helpers.factories import STARTER_LIBRARY as CONTENT
from tests.helpers.factories import copied_library
from tests.helpers.factories import sync_library as _sync

TODAY = date(2026, 11, 23)
PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00"
       b"\x90wS\xde\x00\x00\x00\x0cIDATx\x9cc\xf8\xff\xff?\x00\x05\xfe\x02\xfe\xa7\x35\x81\x84"
       b"\x00\x00\x00\x00IEND\xaeB`\x82")


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(TODAY, tick=False):
        yield


@pytest.fixture
def library(app, tmp_path):
    with copied_library(app, tmp_path) as root:
        yield root


def _poster_url(client, slug):
    html = client.get(f"/guidance/{slug}").get_data(as_text=True)
    match = re.search(r'<video [^>]*poster="(/guidance/media/[0-9a-f]{64}\.(?:jpg|png))"', html)
    return match.group(1) if match else None


def test_every_starter_video_shows_its_poster(app, client, library):
    assert _sync(app, library).exit_code == 0
    videos = sorted(path.parent.name for path in CONTENT.glob("*/video.mp4"))
    assert videos and sorted(path.parent.name for path in CONTENT.glob("*/poster.jpg")) == videos
    for slug in videos:
        if slug == "staying-well-in-winter":  # past its review date on purpose: not shown
            continue
        url = _poster_url(client, slug)
        assert url, slug
        response = client.get(url)
        assert response.status_code == 200 and response.mimetype == "image/jpeg"
        assert response.get_data() == (CONTENT / slug / "poster.jpg").read_bytes()
    watch = client.get("/guidance/falls-prevention/watch").get_data(as_text=True)
    assert 'poster="/guidance/media/' in watch


def test_a_new_poster_needs_no_new_version_and_a_removed_one_goes(app, client, session, library):
    assert _sync(app, library).exit_code == 0
    before = _poster_url(client, "falls-prevention")
    (library / "falls-prevention" / "poster.jpg").write_bytes(PNG)
    result = _sync(app, library)
    assert "unchanged: 12" in result.output
    after = _poster_url(client, "falls-prevention")
    assert after != before and after.endswith(".png")
    assert client.get(after).get_data() == PNG
    item = queries.item_by_slug(session, "falls-prevention")
    assert [v.number for v in item.versions] == [1]
    (library / "falls-prevention" / "poster.jpg").unlink()
    assert _sync(app, library).exit_code == 0
    assert _poster_url(client, "falls-prevention") is None


def test_a_poster_that_is_not_a_picture_is_refused_and_nothing_changes(app, client, library):
    (library / "falls-prevention" / "poster.jpg").write_text("not a picture")
    result = _sync(app, library)
    assert result.exit_code != 0
    assert "falls-prevention/poster.jpg: this is not a picture (a JPEG or PNG file)" in result.output
    assert client.get("/guidance/falls-prevention").status_code == 404


def test_a_withdrawn_items_poster_is_not_public(app, client, session, library):
    assert _sync(app, library).exit_code == 0
    url = _poster_url(client, "falls-prevention")
    item = queries.item_by_slug(session, "falls-prevention")
    version = queries.live_version(session, item.id)
    version.status = VersionStatus.WITHDRAWN
    session.flush()
    assert client.get(url).status_code == 404
