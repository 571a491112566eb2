"""The WebVTT validator: valid captions pass; each kind of fault is named with its line."""

from pathlib import Path

import pytest

from portal.content import vtt

CONTENT = Path(__file__).resolve().parents[2] / "content"


def _messages(app, data):
    with app.test_request_context():
        return [str(problem) for problem in vtt.problems_in(data)]


def test_vtt_starter_library_captions_are_valid(app):
    files = sorted(CONTENT.glob("*/captions.en.vtt"))
    assert len(files) >= 12
    for path in files:
        assert _messages(app, path.read_bytes()) == [], path


def test_vtt_cues_with_identifiers_settings_and_notes_are_parsed():
    cues, problems = vtt.parse("\ufeffWEBVTT - captions\n\nNOTE made here\n\nintro\n"
                               "00:01.000 --> 00:02.500 align:start\nHello\nthere\n\n"
                               "01:00:00.000 --> 01:00:01.000\nLater\n")
    assert problems == []
    assert [(c.start, c.end, c.text) for c in cues] == [(1.0, 2.5, "Hello\nthere"),
                                                       (3600.0, 3601.0, "Later")]


@pytest.mark.parametrize(("text", "expected"), [
    ("Hello\n\n00:00:01.000 --> 00:00:02.000\nHi\n",
     'Line 1: The file must start with the line "WEBVTT".'),
    ("WEBVTT\n\n00:00:02.000 --> 00:00:01.000\nHi\n", "Line 3: The cue ends before it starts."),
    ("WEBVTT\n\n00:00:01.000 -> 00:00:02.000\nHi\n",
     "Line 3: A cue has no timing line (00:00:01.000 --> 00:00:02.000)."),
    ("WEBVTT\n\n1\n00:00:01 --> 00:00:02.000\nHi\n",
     "Line 4: The timing line is not in the form 00:00:01.000 --> 00:00:02.000."),
    ("WEBVTT\n\n00:00:05.000 --> 00:00:06.000\nA\n\n00:00:01.000 --> 00:00:02.000\nB\n",
     "Line 6: The cue starts before the cue above it."),
    ("WEBVTT\n\n00:00:01.000 --> 00:00:02.000\n", "Line 3: The cue has no text."),
    ("WEBVTT\n", "Line 1: The file has no captions."),
])
def test_vtt_invalid_file_is_refused_with_the_line_and_fault(app, text, expected):
    assert _messages(app, text)[0] == expected


def test_vtt_binary_or_huge_file_is_refused(app):
    assert _messages(app, b"\xff\xfe\x00W") == ["Line 1: The file is not UTF-8 text."]
    assert _messages(app, b"WEBVTT\n" + b"a" * 600_000) == [
        "Line 1: The file is too big for a captions file."]
    assert not vtt.is_valid("WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nHi\x00\n")
