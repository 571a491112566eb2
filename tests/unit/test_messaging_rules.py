"""Messaging's tricky logic: crisis words, working days and hours, file checks."""

from __future__ import annotations

import io
from datetime import UTC, datetime

import pytest
from PIL import Image

from portal.messaging.crisis import suggests_crisis
from portal.messaging.files import FileRefused, clean
from portal.messaging.hours import team_hours


@pytest.mark.parametrize(("text", "expected"), [
    ("I have chest pain", True), ("I CAN\u2019T BREATHE", True), ("thinking about suicide", True),
    ("took an overdose", True), ("I have fallen and can't get up", True),
    ("Nie mogę oddychać", True), ("لا أستطيع التنفس", True),
    ("My prescription is late", False), ("", False)])
def test_crisis_words_in_every_language(text, expected):
    assert suggests_crisis(text) is expected


def test_reply_due_skips_weekends_and_bank_holidays():
    hours = team_hours("no-such-team")  # the default: 2 working days, Mon-Fri
    # Wednesday 23 December 2026 at 10:00: Christmas and Boxing Day (substitute Monday 28th)
    due = hours.reply_due(datetime(2026, 12, 23, 10, 0, tzinfo=UTC))
    assert due.date().isoformat() == "2026-12-29"


def test_next_open_after_friday_evening_is_monday_morning():
    hours = team_hours("torquay-care-team")
    friday_evening = datetime(2026, 12, 4, 18, 0, tzinfo=UTC)
    assert not hours.is_open(friday_evening)
    assert hours.next_open(friday_evening).isoformat() == "2026-12-07T08:30:00+00:00"


def test_summer_time_hours_are_local():
    hours = team_hours("torquay-care-team")
    assert hours.is_open(datetime(2026, 7, 1, 7, 45, tzinfo=UTC))  # 08:45 BST
    assert not hours.is_open(datetime(2026, 7, 1, 16, 15, tzinfo=UTC))  # 17:15 BST


def test_png_is_reencoded_and_a_pdf_is_kept():
    out = io.BytesIO()
    Image.new("RGB", (5, 5)).save(out, "PNG")
    assert clean("a.png", out.getvalue()).content_type == "image/png"
    assert clean("dir/../b.pdf", b"%PDF-1.7 ...").filename == "b.pdf"


@pytest.mark.parametrize(("data", "reason"), [
    (b"", "empty"), (b"MZ\x90\x00", "wrong_type"), (b"<html>", "wrong_type"),
    (b"\x89PNG\r\n\x1a\nnot really", "damaged")])
def test_bad_files_are_refused(data, reason):
    with pytest.raises(FileRefused) as refused:
        clean("x.pdf", data)
    assert refused.value.reason == reason
