"""Residents' guidance pages: browsing, the item page and its review dates, withdrawal by
date, video with range requests, captions, search, feedback and recommendations."""

import re
from datetime import date
from pathlib import Path

import pytest
import time_machine
from sqlalchemy import select

from portal.authz import Role
from portal.content import queries
from portal.content.models import ContentFeedback, ContentRecommendation, VersionStatus
from tests.helpers.factories import (
    TINY_MP4,
    fresh_content_index,
    make_consent,
    make_content_item,
    make_content_version,
    make_locality,
    make_team,
    make_user,
    serve,
)

CONTENT = Path(__file__).resolve().parents[2] / "content"
TODAY = date(2026, 11, 23)


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(TODAY, tick=False):
        yield


@pytest.fixture
def starter(app, session, tmp_path):
    """The starter library, synced, with an empty search index of its own."""
    with fresh_content_index(app, tmp_path / "content-index"):
        result = app.test_cli_runner().invoke(args=["content", "sync", "--from", str(CONTENT)])
        assert result.exit_code == 0, result.output
        yield


def _media_urls(html):
    return re.findall(r'src="(/guidance/media/[0-9a-f]{64}\.(?:mp4|vtt))"', html)


def test_library_lists_live_pages_by_topic_and_condition(client, session):
    live = make_content_item(session, title="Breathing easier", topics=["long-term-conditions"],
                             conditions=["copd"])
    make_content_item(session, live=False, draft=True, title="Secret draft")
    make_content_item(session, title="Old page", review_due=date(2026, 8, 1))  # withdrawn by date
    page = client.page("/guidance/")
    assert page.h1 == ["Health guidance"]
    assert "Breathing easier" in page.text
    assert "Secret draft" not in page.text and "Old page" not in page.text
    assert f"/guidance/{live.slug}" in page.links
    assert "Breathing easier" in client.page("/guidance/topics/long-term-conditions").text
    assert "Breathing easier" in client.page("/guidance/conditions/copd").text
    assert "Breathing easier" not in client.page("/guidance/conditions/dementia").text
    assert client.get("/guidance/topics/gardening").status_code == 404


def test_item_page_shows_review_dates_video_transcript_and_sources(client, session):
    item = make_content_item(session, title="Breathing easier", approved_on=date(2026, 1, 12),
                             review_due=date(2027, 1, 12), easy_read="Easy words.")
    page = client.page(f"/guidance/{item.slug}")
    assert page.h1 == ["Breathing easier"]
    assert "Page last reviewed: 12 January 2026 Next review due: 12 January 2027" in page.text
    assert "This page is being reviewed" not in page.text
    assert "Read the video transcript" in page.text and "A short film." in page.text
    assert "Written for this portal by its content team in plain English." in page.text
    assert f"/guidance/{item.slug}/easy-read" in page.links
    html = client.get(f"/guidance/{item.slug}").get_data(as_text=True)
    assert '<video class="portal-player__video" controls preload="metadata"' in html
    assert re.search(r'<track kind="captions" srclang="en" label="English" src="/guidance/media/'
                     r'[0-9a-f]{64}\.vtt">', html)
    assert client.page(f"/guidance/{item.slug}/easy-read").h1 == ["Breathing easier"]
    watch = client.page(f"/guidance/{item.slug}/watch")
    assert "Transcript" in watch.text and "A short film." in watch.text


def test_item_past_its_review_date_shows_the_being_reviewed_notice(client, session):
    item = make_content_item(session, review_due=date(2026, 11, 1))
    page = client.page(f"/guidance/{item.slug}")
    assert "Important: This page is being reviewed" in page.text
    assert "This page was due to be checked by a clinician by 1 November 2026." in page.text
    assert ("If you are worried about your health, call the single point of access on 0300 456 7890, "
            "any time of day or night, or call NHS 111.") in page.text


def test_item_is_withdrawn_90_days_after_its_review_date(client, session):
    item = make_content_item(session, review_due=date(2026, 11, 1))
    with time_machine.travel(date(2027, 1, 30), tick=False):
        assert client.get(f"/guidance/{item.slug}").status_code == 200
    with time_machine.travel(date(2027, 1, 31), tick=False):
        assert client.get(f"/guidance/{item.slug}").status_code == 404
        assert item.slug not in client.get("/guidance/").get_data(as_text=True)


def test_drafts_and_withdrawn_versions_are_not_found_for_residents(client, session):
    draft_only = make_content_item(session, live=False, draft=True)
    withdrawn = make_content_item(session, live=False)
    make_content_version(session, withdrawn, status=VersionStatus.WITHDRAWN)
    for item in (draft_only, withdrawn):
        assert client.get(f"/guidance/{item.slug}").status_code == 404
        assert client.get(f"/guidance/{item.slug}/watch").status_code == 404
    assert client.get("/guidance/no-such-page").status_code == 404


def test_video_is_served_with_range_requests_and_long_caching(client, session):
    item = make_content_item(session)
    video_url, captions_url = _media_urls(client.get(f"/guidance/{item.slug}").get_data(as_text=True))
    whole = client.get(video_url)
    assert whole.status_code == 200 and whole.data == TINY_MP4
    assert whole.headers["Content-Type"] == "video/mp4"
    assert whole.headers["Accept-Ranges"] == "bytes"
    assert whole.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    part = client.get(video_url, headers={"Range": "bytes=100-199"})
    assert part.status_code == 206
    assert part.headers["Content-Range"] == f"bytes 100-199/{len(TINY_MP4)}"
    assert part.data == TINY_MP4[100:200] and part.headers["Content-Length"] == "100"
    tail = client.get(video_url, headers={"Range": "bytes=-10"})
    assert tail.status_code == 206 and tail.data == TINY_MP4[-10:]
    assert client.get(video_url, headers={"Range": "bytes=99999-"}).status_code == 416
    etag = whole.headers["ETag"]
    assert client.get(video_url, headers={"If-None-Match": etag}).status_code == 304
    captions = client.get(captions_url)
    assert captions.headers["Content-Type"] == "text/vtt; charset=utf-8"
    assert captions.data.startswith(b"WEBVTT")


def test_media_of_drafts_is_only_for_authors_and_approvers(client, session):
    draft = make_content_version(session, status=VersionStatus.SUBMITTED,
                                 captions="WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nDraft.\n",
                                 video=None)
    url = f"/guidance/media/{draft.captions_sha256}.vtt"
    assert client.get(url).status_code == 404
    client.sign_in_as(make_user(session, Role.RESIDENT))
    assert client.get(url).status_code == 404
    client.sign_in_as(make_user(session, Role.AUTHOR))
    response = client.get(url)
    assert response.status_code == 200 and "public" not in response.headers["Cache-Control"]
    assert client.get(f"/guidance/media/{draft.captions_sha256}.mp4").status_code == 404
    assert client.get(f"/guidance/media/{'0' * 64}.mp4").status_code == 404
    assert client.get("/guidance/media/not-a-hash.mp4").status_code == 404


def test_captions_setting_turns_captions_on_by_default(client, session):
    item = make_content_item(session)
    resident = make_user(session, Role.RESIDENT)
    client.sign_in_as(resident)
    assert " default>" not in client.get(f"/guidance/{item.slug}").get_data(as_text=True)
    page = client.page("/guidance/settings")
    assert page.h1 == ["Video settings"]
    response = client.submit("/guidance/settings", {"captions": "on"})
    assert response.status_code == 302 and response.location == "/guidance/settings"
    assert "Your video settings have been saved." in client.page("/guidance/settings").text
    assert '.vtt" default>' in client.get(f"/guidance/{item.slug}").get_data(as_text=True)
    session.refresh(resident)
    assert resident.captions_on is True
    bad = client.submit("/guidance/settings", {"captions": "maybe"})
    assert bad.status_code == 200
    assert "Select yes if you want captions on" in bad.get_data(as_text=True)


def test_search_short_of_breath_finds_the_breathlessness_page(client, starter):
    page = client.page("/guidance/search?q=short+of+breath")
    assert page.title.startswith("Results for “short of breath”")
    first = next(link for link in page.links if link.startswith("/guidance/")
                 and link.count("/") == 2 and "search" not in link and link != "/guidance/")
    assert first == "/guidance/breathlessness-copd"
    assert "Breathlessness and COPD: breathing easier" in page.text
    stemmed = client.page("/guidance/search?q=breathless")
    assert "/guidance/breathlessness-copd" in stemmed.links


def test_search_with_no_results_or_odd_input_still_answers(client, starter):
    page = client.page("/guidance/search?q=zzzqqq")
    assert "0 results for “zzzqqq”" in page.text
    assert "Check the spelling, or use fewer or different words." in page.text
    for odd in ('AND ( * " ~', "%00", "a" * 500, "<script>"):
        assert client.get("/guidance/search", query_string={"q": odd}).status_code == 200
    assert client.page("/guidance/search").h1 == ["Search health guidance"]
    assert client.get("/guidance/search?q=winter&page=x").status_code == 200


def test_search_leaves_out_pages_withdrawn_since_indexing(client, session, starter):
    item = queries.item_by_slug(session, "breathlessness-copd")
    queries.live_version(session, item.id).status = VersionStatus.WITHDRAWN
    session.flush()
    assert "/guidance/breathlessness-copd" not in client.page("/guidance/search?q=COPD").links


def test_search_shows_the_words_of_the_live_version_not_the_index_copy(client, session, starter):
    # A new version went live; its index job has not run yet. The result shows it as it is.
    item = queries.item_by_slug(session, "breathlessness-copd")
    live = queries.live_version(session, item.id)
    live.title = "Breathlessness and COPD: a newer title"
    live.summary = "The summary as approved today."
    session.flush()
    page = client.page("/guidance/search?q=COPD")
    assert "Breathlessness and COPD: a newer title" in page.text
    assert "The summary as approved today." in page.text
    assert "Breathlessness and COPD: breathing easier day" not in page.text


def test_feedback_is_stored_without_personal_data(client, session):
    item = make_content_item(session)
    response = client.submit(f"/guidance/{item.slug}/feedback",
                             {"helpful": "no", "comment": "More about inhalers, please."},
                             form_url=f"/guidance/{item.slug}")
    assert response.status_code == 302
    assert response.location == f"/guidance/{item.slug}#feedback"
    [row] = session.scalars(select(ContentFeedback).where(ContentFeedback.item_id == item.id))
    assert (row.helpful, row.comment, row.version_number) == (False, "More about inhalers, please.", 1)
    assert "Thank you for your feedback." in client.page(f"/guidance/{item.slug}").text
    client.sign_in_as(make_user(session, Role.AUTHOR))  # it goes to the authors
    staff = client.page(f"/guidance/manage/{item.slug}")
    assert "Not helpful" in staff.text and "More about inhalers, please." in staff.text
    assert "0 helpful, 1 not helpful" in client.page("/guidance/manage/").text


def test_feedback_without_an_answer_shows_the_error_and_keeps_the_comment(client, session):
    item = make_content_item(session)
    response = client.submit(f"/guidance/{item.slug}/feedback", {"comment": "Typed words"},
                             form_url=f"/guidance/{item.slug}")
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "Select yes if this page was helpful" in html and ">Typed words</textarea>" in html
    assert html.count("<title>Error:") == 1


def test_care_worker_recommends_a_page_and_the_resident_sees_it_at_home(client, session):
    item = make_content_item(session, title="Breathing easier")
    locality = make_locality(session)
    team = make_team(session, [locality])
    resident = serve(session, make_user(session, Role.RESIDENT, name="Rose"), locality)
    make_consent(session, resident, "plan")
    unconsented = serve(session, make_user(session, name="Una Unconsented"), locality)
    worker = make_user(session, Role.CARE_WORKER, name="Cal Careworker", teams=[team])
    client.sign_in_as(worker)
    assert "Recommend this page to someone you support" in client.page(f"/guidance/{item.slug}").text
    page = client.page(f"/guidance/{item.slug}/recommend")
    assert "Rose" in page.text and "Una Unconsented" not in page.text
    # Someone not on the list (no consent) is refused with the same words as a made-up id.
    for refused_id in (unconsented.id, 99999999):
        refused = client.submit(f"/guidance/{item.slug}/recommend", {"person": str(refused_id)})
        assert "Choose someone from your team&#39;s list" in refused.get_data(as_text=True)
    response = client.submit(f"/guidance/{item.slug}/recommend", {"person": str(resident.id)})
    assert response.status_code == 302
    assert "You recommended “Breathing easier” to Rose." in client.page(f"/guidance/{item.slug}").text
    assert session.scalar(select(ContentRecommendation.person_id)) == resident.id
    client.sign_in_as(resident)
    home = client.page("/")
    assert "Recommended for you" in home.text
    assert "Breathing easier Recommended by Cal Careworker on 23 November 2026" in home.text
    assert f"/guidance/{item.slug}" in home.links


def test_recommend_list_is_searchable_by_name(client, session):
    item = make_content_item(session)
    locality = make_locality(session)
    team = make_team(session, [locality])
    for name in ("Tom Evans", "Ann Abbott"):
        make_consent(session, serve(session, make_user(session, name=name), locality), "plan")
    client.sign_in_as(make_user(session, Role.CARE_WORKER, teams=[team]))
    page = client.page(f"/guidance/{item.slug}/recommend?name=evans")
    assert "Tom Evans" in page.text and "Ann Abbott" not in page.text


def test_only_care_workers_may_recommend(client, session):
    item = make_content_item(session)
    client.sign_in_as(make_user(session, Role.RESIDENT))
    assert client.get(f"/guidance/{item.slug}/recommend").status_code == 403
    assert "Recommend this page" not in client.page(f"/guidance/{item.slug}").text
