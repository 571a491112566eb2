"""Figures for managers and commissioners over HTTP: who may see them, what the pages and the
CSV show (small cells hidden), and that every read is audited."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from html import unescape
from html.parser import HTMLParser

import pytest
import time_machine
from sqlalchemy import select

from portal.audit.models import AuditEvent
from portal.authz import Role
from portal.carers import services as carers
from portal.carers.models import CarerReferral, ReferralStatus
from portal.carers.progress import counted
from tests.helpers.factories import make_locality, make_team, make_user

PAGES = ["/figures/carers", "/figures/messaging", "/figures/community-assets",
         "/figures/guidance", "/figures/use", "/figures/pulse"]
_TITLES = {url: f"{title} \u2013 Figures" for url, title in zip(
    PAGES, ["Carer's assessments", "Messaging", "Community assets", "Guidance", "Use",
            "Experience pulse"], strict=True)}
PERIOD = "start=2026-01&end=2026-03"
FEWER = "fewer than 5"


class _Tables(HTMLParser):
    """Rows of every table on a page, keyed by the id of the div around it."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tables: dict[str, list[list[str]]] = {}
        self._key: str | None = None
        self._row: list[str] | None = None
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "div" and "figures-table" in (dict(attrs).get("class") or ""):
            self._key = dict(attrs)["id"]
            self.tables[self._key or ""] = []
        elif tag == "tr" and self._key:
            self._row = []
        elif tag in ("td", "th") and self._row is not None:
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None and self._row is not None:
            self._row.append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "tr" and self._row is not None and self._key:
            self.tables[self._key].append(self._row)
            self._row = None
        elif tag == "table":
            self._key = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def tables(html: str) -> dict[str, list[list[str]]]:
    parser = _Tables()
    parser.feed(html)
    return parser.tables


def row(table: list[list[str]], label: str) -> list[str]:
    found = [cells for cells in table if cells and cells[0] == label]
    assert len(found) == 1, (label, table)
    return found[0][1:]


def _at(month: int, day: int = 12, hour: int = 10) -> datetime:
    return datetime(2026, month, day, hour, tzinfo=UTC)


def add_referrals(app, session, locality, team, when: datetime, count: int, *,  # type: ignore[no-untyped-def]
                  urgent: int = 0, contacted_after_hours: float | None = None,
                  completed: int = 0) -> None:
    """``count`` referrals sent at ``when`` from ``locality``, the first ``urgent`` flagged;
    a care worker of the team moves them on through the carers service."""
    from datetime import timedelta

    worker = make_user(session, Role.CARE_WORKER, teams=[team])
    with app.app_context():
        for i in range(count):
            n = session.scalar(select(CarerReferral.sequence).order_by(
                CarerReferral.sequence.desc()).limit(1)) or 0
            referral = CarerReferral(
                reference=f"CR-2026-{n + 1:06d}", year=2026, sequence=n + 1,
                answers={"about_you": {"full_name": "A carer"}}, urgent=i < urgent,
                locality_id=locality.id, team_id=team.id, created_at=when, updated_at=when)
            session.add(referral)
            session.flush()
            counted(session, referral)  # as carers.services.submit does
            if contacted_after_hours is not None:
                steps = [(ReferralStatus.CONTACT_MADE, when + timedelta(hours=contacted_after_hours))]
                if i < completed:
                    steps.append((ReferralStatus.COMPLETED, when + timedelta(days=20)))
                for status, at in steps:
                    with time_machine.travel(at, tick=False):
                        carers.change_status(session, referral=referral, status=status, note=None,
                                             by=worker)


@pytest.fixture
def manager(session):  # type: ignore[no-untyped-def]
    return make_user(session, Role.MANAGER, name="Morgan Manager")


@pytest.fixture
def localities(app, session):  # type: ignore[no-untyped-def]
    """Brixham with 3 referrals in January; Torquay with 12 and Coastal with 20 over 3 months."""
    brixham, torquay, coastal = (make_locality(session, slug) for slug in
                                 ("brixham-test", "torquay-test", "coastal-test"))
    brixham.name, torquay.name, coastal.name = "Brixham", "Torquay", "Coastal"
    team = make_team(session, [brixham, torquay, coastal])
    add_referrals(app, session, brixham, team, _at(1), 3, urgent=1, contacted_after_hours=30,
                  completed=1)
    for month, n in ((1, 4), (2, 4), (3, 4)):
        add_referrals(app, session, torquay, team, _at(month), n, urgent=1,
                      contacted_after_hours=26, completed=2)
    for month, n in ((1, 6), (2, 7), (3, 7)):
        add_referrals(app, session, coastal, team, _at(month), n, urgent=2,
                      contacted_after_hours=50, completed=3)
    return brixham, torquay, coastal


def test_a_manager_and_an_admin_see_every_figures_page(client, session, manager):
    admin = make_user(session, Role.ADMIN)
    for person in (manager, admin):
        client.sign_in_as(person)
        page = client.page("/figures/")
        assert page.h1 == ["Figures"]
        for url in PAGES:
            assert client.page(url).title.startswith(_TITLES[url]), url


@pytest.mark.parametrize("role", [r for r in Role if r not in (Role.MANAGER, Role.ADMIN)])
def test_every_other_role_is_refused_the_figures(client, session, role):
    client.sign_in_as(make_user(session, role))
    for url in ["/figures/", *PAGES, PAGES[0] + "?format=csv"]:
        assert client.get(url).status_code == 403, url


def test_someone_signed_out_is_sent_to_sign_in(client):
    response = client.get("/figures/carers?format=csv")
    assert response.status_code == 302
    assert response.location.startswith("/account/sign-in?next=")


def test_a_locality_with_3_referrals_shows_fewer_than_5_everywhere(client, manager, localities):
    client.sign_in_as(manager)
    html = client.page(f"/figures/carers?{PERIOD}").text
    found = tables(client.get(f"/figures/carers?{PERIOD}").get_data(as_text=True))
    monthly = found["referrals-by-month"]
    assert monthly[0] == ["Locality", "Jan 2026", "Feb 2026", "Mar 2026", "Total"]
    assert row(monthly, "Brixham") == [FEWER, "0", "0", FEWER]
    assert row(monthly, "Torquay")[3] != "12" or row(monthly, "Total")[0] == FEWER or \
        FEWER in row(monthly, "Torquay")[:3]
    # No total gives Brixham away: the January total and the grand total are either hidden
    # or do not come apart into Brixham's 3 from the figures shown.
    total = row(monthly, "Total")
    january = [row(monthly, name)[0] for name in ("Torquay", "Coastal")]
    assert total[0] == FEWER or FEWER in january
    grand = total[3]
    shown_totals = [row(monthly, name)[3] for name in ("Torquay", "Coastal")]
    assert grand == FEWER or FEWER in shown_totals
    detail = row(found["referrals-by-locality"], "Brixham")
    assert detail == [FEWER] * 8
    # Coastal: 20 referrals, 6 urgent, all contacted after 50 hours (2.1 days): within 5
    # working days, but after the urgent ones' next working day (14 of 20); 9 completed.
    assert row(found["referrals-by-locality"], "Coastal") == [
        "20", "30%", "20", "2.1", "2.1", "70%", "9", "9"]
    assert "Referrals per month" in html


def test_the_csv_holds_the_same_figures_with_fewer_than_5(client, manager, localities):
    client.sign_in_as(manager)
    response = client.get(f"/figures/carers?{PERIOD}&format=csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert 'filename="figures-carers-2026-01-to-2026-03.csv"' in response.headers["Content-Disposition"]
    lines = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert lines[0] == ["Table", "Row", "Column", "Value"]
    brixham = {(t, c): v for t, r, c, v in lines[1:] if r == "Brixham"}
    assert brixham[("Referrals per locality and month", "Jan 2026")] == FEWER
    assert brixham[("Referrals per locality and month", "Total")] == FEWER
    assert brixham[("Urgency, first contact and outcome per locality", "Completed")] == FEWER
    page = tables(client.get(f"/figures/carers?{PERIOD}").get_data(as_text=True))
    assert [v for t, r, c, v in lines[1:] if t == "Referrals per locality and month"
            and r == "Coastal"] == row(page["referrals-by-month"], "Coastal")


def test_every_page_downloads_as_csv_with_the_page_s_tables(client, manager, localities):
    client.sign_in_as(manager)
    for url in PAGES:
        response = client.get(f"{url}?{PERIOD}&format=csv")
        assert response.status_code == 200 and response.mimetype == "text/csv", url
        lines = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
        assert lines[0] == ["Table", "Row", "Column", "Value"], url
        page = unescape(client.get(f"{url}?{PERIOD}").get_data(as_text=True))
        captions = {table for table, _r, _c, _v in lines[1:]}
        assert captions and all(caption in page for caption in captions), url


def test_the_messaging_page_shows_shares_urgent_and_overdue_and_working_hour_replies(
        app, client, session, manager):
    """10 threads to one team on a Tuesday morning: 5 answered an hour later (1 working
    hour, within the promise), 5 flagged urgent and never answered (past the promise now)."""
    from portal.circles.models import Purpose
    from portal.messaging import services as messaging
    from portal.messaging.models import MessageThread
    from tests.helpers.factories import make_consent, serve

    area = make_locality(session)
    team = make_team(session, [area])
    worker = make_user(session, Role.CARE_WORKER, teams=[team])
    person = serve(session, make_user(session), area)
    make_consent(session, person, Purpose.MESSAGING)
    asked = datetime(2026, 2, 3, 10, 0, tzinfo=UTC)
    with app.app_context():
        for n in range(10):
            with time_machine.travel(asked, tick=False):
                sent = messaging.start_thread(
                    session, person=person, subject="A question",
                    body="I have chest pain" if n >= 5 else "Hello", by=person)
            if n < 5:
                thread = session.get(MessageThread, sent.message.thread_id)
                with time_machine.travel(asked.replace(hour=11), tick=False):
                    messaging.reply(session, thread=thread, body="Hello back", by=worker)
    client.sign_in_as(manager)
    found = tables(client.get(f"/figures/messaging?{PERIOD}").get_data(as_text=True))
    assert row(found["reply-times"], team.name) == ["10", "50%", "1.0", "1.0", "2", "50%"]


def test_every_read_of_figures_is_audited_with_its_filters(client, session, manager, localities):
    client.sign_in_as(manager)
    client.get(f"/figures/carers?{PERIOD}&locality=torquay-test")
    client.get(f"/figures/use?{PERIOD}&format=csv")
    events = session.scalars(select(AuditEvent).where(AuditEvent.event_type == "figures_viewed")
                             .order_by(AuditEvent.id)).all()
    assert [(e.actor_id, e.details) for e in events] == [
        (manager.id, {"page": "carers", "format": "html", "locality": "torquay-test",
                      "start": "2026-01", "end": "2026-03"}),
        (manager.id, {"page": "use", "format": "csv", "locality": None,
                      "start": "2026-01", "end": "2026-03"})]


def test_a_locality_filter_shows_only_that_locality(client, manager, localities):
    client.sign_in_as(manager)
    found = tables(client.get(f"/figures/carers?{PERIOD}&locality=coastal-test")
                   .get_data(as_text=True))
    labels = [cells[0] for cells in found["referrals-by-month"][1:]]
    assert labels == ["Coastal", "Total"]
    assert row(found["referrals-by-month"], "Coastal") == ["6", "7", "7", "20"]


def test_a_wrong_month_is_explained_and_kept_and_the_default_period_shown(client, manager):
    client.sign_in_as(manager)
    page = client.page("/figures/carers?start=2026-13&end=2026-02")
    assert page.error_summary == ["Enter a real month, like 2026-03"]
    assert page.title.startswith("Error: ")
    assert page.form_with("start").fields["start"] == "2026-13"
    page = client.page("/figures/carers?start=2026-05&end=2026-02&locality=nowhere")
    assert page.error_summary == ["Select a locality from the list",
                                  "The end month must be the same as or after the start month"]
    page = client.page("/figures/carers?start=2020-01&end=2026-02")
    assert page.error_summary == ["Choose a period of 24 months or fewer"]


def test_community_assets_groups_searches_by_their_words(client, session, manager, localities):
    brixham = localities[0]
    with time_machine.travel(_at(2), tick=False):
        for typed in ("Men's group", "men's  group", "MEN'S GROUP!", "men\u2019s group",
                      "men's group", "men's group", "=cmd|' /C calc'!A0", "my own name"):
            assert client.get("/services", query_string={
                "q": typed, "locality": brixham.slug}).status_code == 200
    client.sign_in_as(manager)
    found = tables(client.get(f"/figures/community-assets?{PERIOD}").get_data(as_text=True))
    words = found["gaps-by-words"]
    assert row(words, "\"men's group\" in Brixham") == ["0", "6", "0", "6"]
    assert not any("my own name" in cells[0] for cells in words)
    assert row(found["gaps-by-locality"], "Brixham") == ["0", "8", "0", "8"]
    body = client.get(f"/figures/community-assets?{PERIOD}&format=csv").get_data(as_text=True)
    assert "=cmd" not in body.replace("'=cmd", "")


def test_every_page_shows_a_chart_with_a_text_summary(client, manager, localities):
    client.sign_in_as(manager)
    for url in PAGES:
        html = client.get(f"{url}?{PERIOD}").get_data(as_text=True)
        assert 'role="img" aria-labelledby="' in html, url
        assert "Highest:" in html or "No bar can be shown" in html, url


def test_every_page_puts_a_table_first_and_writes_each_bar_s_value_beside_it(
        client, manager, localities):
    """The chart repeats the first table, after it, and is readable without colour: every bar
    (or hidden bar) has its label and its value or "fewer than 5" in words."""
    client.sign_in_as(manager)
    for url in PAGES:
        html = client.get(f"{url}?{PERIOD}").get_data(as_text=True)
        chart = html.index('class="figures-chart"')
        assert html.index('figures-table"') < chart, url
        svg = html[chart:html.index("</svg>", chart)]
        bars = svg.count("<rect") + svg.count('font-style="italic"')
        assert bars > 0 and svg.count("<text") == 2 * bars, url


def test_whatever_the_filters_hold_the_answer_is_a_page_never_an_error(client, manager):
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    client.sign_in_as(manager)
    words = st.one_of(st.text(max_size=40), st.sampled_from(
        ["2026-01", "2026-13", "0000-00", "9" * 30, "<script>", "\x00", "2026-1",
         "\u0662\u0660\u0662\u0666-\u0660\u0661"]))  # 2026-01 in Arabic-Indic digits

    @settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(locality=words, start=words, end=words, fmt=st.sampled_from(["", "csv", "xls"]))
    def check(locality: str, start: str, end: str, fmt: str) -> None:
        response = client.get("/figures/carers", query_string={
            "locality": locality, "start": start, "end": end, "format": fmt})
        assert response.status_code == 200

    check()
