"""Percentiles, working hours across weekends and bank holidays, and word grouping."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from portal.figures.filters import Filters, add_months
from portal.figures.numbers import due_after, percentile, working_time
from portal.messaging.hours import LONDON, team_hours
from portal.search.gaps import normalise_words


def local(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=LONDON)  # type: ignore[misc]


def test_percentiles_are_nearest_rank():
    values = [float(v) for v in range(10, 0, -1)]
    assert percentile(values, 0.5) == 5
    assert percentile(values, 0.9) == 9
    assert percentile([7.0], 0.9) == 7
    assert percentile([], 0.5) is None


@pytest.mark.parametrize(("start", "end", "hours"), [
    # Friday 16:00 to Monday 09:30: Friday closes at 16:30, the weekend does not count.
    (local(2026, 3, 6, 16, 0), local(2026, 3, 9, 9, 30), 1.0),
    # Thursday before Easter to the Tuesday after: Good Friday and Easter Monday are closed.
    (local(2026, 4, 2, 16, 0), local(2026, 4, 7, 10, 0), 2.0),
    # Saturday to Sunday: nothing.
    (local(2026, 3, 7, 10, 0), local(2026, 3, 8, 15, 0), 0.0),
    # Asked at night, answered at 09:15 next day: only the quarter-hour counts.
    (local(2026, 3, 10, 22, 0), local(2026, 3, 11, 9, 15), 0.25),
    # A reply before the question (clock skew): no time.
    (local(2026, 3, 10, 12, 0), local(2026, 3, 10, 11, 0), 0.0),
    # Across the clocks going forward (29 March 2026): a week of 7.5-hour days, less Friday's half.
    (local(2026, 3, 27, 9, 0), local(2026, 4, 2, 9, 0), 7.5 + 8 * 3),
])
def test_working_time_counts_only_the_teams_opening_hours(start, end, hours):
    assert working_time(team_hours("default"), start, end) == timedelta(hours=hours)


def test_working_time_accepts_naive_utc_as_sqlite_returns_it():
    start = datetime(2026, 6, 1, 8, 0)  # 09:00 in London (BST)
    end = datetime(2026, 6, 1, 9, 0)
    assert working_time(team_hours("default"), start, end) == timedelta(hours=1)


def test_a_team_with_later_friday_hours_counts_them():
    devonport = team_hours("devonport-care-team")
    assert working_time(devonport, local(2026, 3, 6, 16, 0), local(2026, 3, 6, 18, 0)) == \
        timedelta(hours=1)


def test_the_contact_target_counts_working_days_past_weekends_and_bank_holidays():
    hours = team_hours("default")
    # Sent Friday 6 March 2026 at 10:00: 5 working days end on Friday 13 March at 16:30.
    assert due_after(hours, 5, local(2026, 3, 6, 10, 0)) == datetime(2026, 3, 13, 16, 30, tzinfo=UTC)
    # Urgent, sent on the Thursday before Easter: the next working day is Tuesday 7 April.
    assert due_after(hours, 1, local(2026, 4, 2, 12, 0)).astimezone(LONDON) == local(2026, 4, 7, 17, 0)


def test_words_are_grouped_after_folding_case_spaces_and_punctuation():
    assert normalise_words("  Men's   GROUP! ") == "men's group"
    assert normalise_words("men\u2019s group") == "men's group"
    assert normalise_words("Befriending, Brixham?") == "befriending brixham"
    assert normalise_words("!!!") == ""


def test_periods_cover_calendar_months_and_the_weeks_that_overlap_them():
    filters = Filters(None, add_months(datetime(2026, 1, 1).date(), 0), datetime(2026, 2, 1).date())
    assert [m.isoformat() for m in filters.months] == ["2026-01-01", "2026-02-01"]
    assert filters.start == datetime(2026, 1, 1, tzinfo=UTC)
    assert filters.end == datetime(2026, 3, 1, tzinfo=UTC)
    assert filters.weeks[0].isoformat() == "2025-12-29"  # the Monday of 1 January's week
    assert filters.weeks[-1].isoformat() == "2026-02-23"
    assert add_months(datetime(2026, 11, 1).date(), 3).isoformat() == "2027-02-01"


@pytest.mark.parametrize("team", ["default", "devonport-care-team"])
def test_the_remembering_clock_agrees_with_the_plain_arithmetic(team):
    import random

    from portal.figures.numbers import WorkingClock

    hours = team_hours(team)
    clock = WorkingClock(hours, date(2026, 1, 1))
    rng = random.Random(team)
    for _ in range(400):
        start = datetime(2025, 12, 20, tzinfo=UTC) + timedelta(minutes=rng.randint(0, 540_000))
        end = start + timedelta(minutes=rng.randint(-600, 30_000))
        assert clock.working_time(start, end) == working_time(hours, start, end), (start, end)
        days = rng.choice([1, 2, 5])
        assert clock.due_after(days, start) == due_after(hours, days, start), (start, days)
