"""Reading the library's files: the starter library is valid; every fault is named with its
file; writing an item back reads the same."""

import shutil
from datetime import date
from pathlib import Path

import pytest

from portal.content import media
from portal.content.library import read_item, read_library, split_front_matter, write_item

CONTENT = Path(__file__).resolve().parents[2] / "content"
STARTER = "breathlessness-copd"


@pytest.fixture
def library(tmp_path):
    root = tmp_path / "content"
    root.mkdir()
    shutil.copytree(CONTENT / STARTER, root / STARTER)
    return root


def _set(root, key, value, slug=STARTER):
    path = root / slug / "index.md"
    lines = path.read_text(encoding="utf-8").split("\n")
    lines = [f"{key}: {value}" if line.startswith(f"{key}:") else line for line in lines]
    if value is None:
        lines = [line for line in lines if not line.startswith(f"{key}:")]
    path.write_text("\n".join(lines), encoding="utf-8")


def _problems(app, root):
    with app.test_request_context():
        return [str(p) for p in read_library(root)[1]]


def test_library_starter_items_are_all_valid(app):
    with app.test_request_context():
        items, problems = read_library(CONTENT)
    assert problems == []
    assert len(items) == 12
    by_slug = {item.slug: item for item in items}
    copd = by_slug[STARTER]
    assert copd.content["title"] == "Breathlessness and COPD: breathing easier"
    assert copd.version == 1 and copd.review_due == date(2027, 1, 12)
    assert copd.video_type == "video/mp4" and copd.captions.startswith(b"WEBVTT")
    assert by_slug["staying-well-in-winter"].review_due == date(2026, 11, 1)
    assert all(len(item.video) < 2_000_000 for item in items)
    assert sum(1 for item in items if item.content["easy_read"]) >= 2


@pytest.mark.parametrize(("key", "value", "message"), [
    ("title", None, "content/breathlessness-copd/index.md: front matter is missing: title"),
    ("approved_on", "2026-02-30",
     "content/breathlessness-copd/index.md: approved_on: '2026-02-30' is not a real date (YYYY-MM-DD)"),
    ("review_due", "next year",
     "content/breathlessness-copd/index.md: review_due: 'next year' is not a real date (YYYY-MM-DD)"),
    ("review_due", "2025-01-01",
     "content/breathlessness-copd/index.md: review_due: must be after approved_on"),
    ("topics", "[long-term-conditions, gardening]",
     "content/breathlessness-copd/index.md: topics: unknown 'gardening' (choose from: "
     "long-term-conditions, staying-well, mental-wellbeing, carers, medicines, healthy-living, "
     "getting-connected)"),
    ("conditions", "[gout]", "content/breathlessness-copd/index.md: conditions: unknown 'gout'"),
    ("reading_age", "ten", "content/breathlessness-copd/index.md: reading_age: must be a whole "
                           "number from 5 to 18"),
    ("version", "0", "content/breathlessness-copd/index.md: version: must be a whole number from 1 "
                     "to 100000"),
    ("approver", '"Demo Author (content author)"',
     "content/breathlessness-copd/index.md: approver: must be a different person from the author"),
    ("colour", "blue", None),
    ("captions", "missing.vtt",
     "content/breathlessness-copd/index.md: captions: the file missing.vtt does not exist"),
    ("video", "../../etc/passwd",
     "content/breathlessness-copd/index.md: video: must be the name of a file in the item's folder"),
])
def test_library_bad_front_matter_is_reported_with_file_and_fault(app, library, key, value, message):
    if key == "colour":
        path = library / STARTER / "index.md"
        path.write_text(path.read_text(encoding="utf-8").replace("---\n", "---\ncolour: blue\n", 1),
                        encoding="utf-8")
        message = "content/breathlessness-copd/index.md: front matter has unknown keys: colour"
    else:
        _set(library, key, value)
    problems = _problems(app, library)
    assert any(p.startswith(message) for p in problems), problems


def test_library_video_that_is_not_a_video_is_refused(app, library):
    (library / STARTER / "video.mp4").write_bytes(b"<html>not a film</html>" * 10)
    assert _problems(app, library) == [
        "content/breathlessness-copd/video.mp4: this is not a video (an MP4 or WebM file)"]


def test_library_invalid_captions_are_refused_with_the_line(app, library):
    (library / STARTER / "captions.en.vtt").write_text("WEBVTT\n\n00:00:03.000 --> 00:00:01.000\nHi\n")
    assert _problems(app, library) == [
        "content/breathlessness-copd/captions.en.vtt: not valid WebVTT: Line 3: The cue ends "
        "before it starts."]


def test_library_video_without_captions_is_refused(app, library):
    _set(library, "captions", None)
    assert "content/breathlessness-copd/index.md: captions: a video needs WebVTT captions" in \
        _problems(app, library)


def test_library_broken_yaml_or_no_front_matter_is_reported(app, library):
    index = library / STARTER / "index.md"
    index.write_text("---\ntitle: [unclosed\n---\n\nBody\n", encoding="utf-8")
    assert _problems(app, library) == [
        "content/breathlessness-copd/index.md: the front matter is not valid YAML (line 3)"]
    index.write_text("# Just a page\n", encoding="utf-8")
    assert _problems(app, library) == [
        'content/breathlessness-copd/index.md: the file must start with front matter between two '
        '"---" lines']


def test_library_folder_without_index_or_with_bad_name_is_reported(app, library):
    (library / "empty-item").mkdir()
    (library / "Bad Name").mkdir()
    problems = _problems(app, library)
    assert "content/empty-item/index.md: the file does not exist" in problems
    assert "content/Bad Name: the folder name must be lower-case words joined by hyphens" in problems


def test_library_written_item_reads_back_the_same(app, library, tmp_path):
    with app.test_request_context():
        item, problems = read_item(library / STARTER, library)
        assert problems == [] and item is not None
        meta = {**item.content, "author": item.author, "approver": item.approver,
                "approved_on": item.approved_on, "review_due": item.review_due,
                "version": item.version, "video": "video.mp4", "captions": "captions.en.vtt",
                "transcript": "transcript.md"}
        body = meta.pop("body")
        texts = {"transcript.md": item.content["transcript"]}
        meta["transcript"] = "transcript.md"
        meta.pop("easy_read")
        out = tmp_path / "out"
        write_item(out, STARTER, meta, body, texts=texts,
                   blobs={"video.mp4": item.video, "captions.en.vtt": item.captions})
        again, problems = read_item(out / STARTER, out)
    assert problems == []
    assert again.content == item.content and again.video == item.video
    assert split_front_matter((out / STARTER / "index.md").read_text())[1].strip() == body


def test_media_sniffing_knows_mp4_and_webm_only():
    assert media.sniff_video((CONTENT / STARTER / "video.mp4").read_bytes()) == "video/mp4"
    assert media.sniff_video(b"\x1a\x45\xdf\xa3" + b"\x00" * 20) == "video/webm"
    assert media.sniff_video(b"GIF89a" + b"\x00" * 20) is None
    assert media.parse_name("a" * 64 + ".mp4") == ("a" * 64, "video/mp4")
    assert media.parse_name("A" * 64 + ".mp4") is None
    assert media.parse_name("a" * 64 + ".exe") is None
