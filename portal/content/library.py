"""The library's file format: ``content/<slug>/index.md`` with YAML front matter, plus the
video, captions, transcript and Easy Read files it names (``content/README.md``).

``read_library`` parses and validates every item folder strictly; each fault is a
``Problem`` naming the file and what is wrong. ``write_item`` writes one version back in the
same format (``content export``); reading what it wrote gives the same content hash.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import yaml

from portal.content import media, vtt
from portal.content.vocab import AUDIENCES, CONDITIONS, TOPICS

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
# Words the guidance pages' own addresses use (/guidance/search ...): never an item's slug.
RESERVED_SLUGS = frozenset({"search", "settings", "media", "topics", "conditions", "manage",
                            "approvals"})
LANGUAGE = re.compile(r"^[a-z]{2,3}$")
FILE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
WRITTEN_HERE = "written for this portal"
MAX_TEXT_BYTES = 200_000
REQUIRED = ("title", "summary", "topics", "conditions", "audience", "reading_age", "languages",
            "author", "approver", "approved_on", "version", "review_due", "sources")
OPTIONAL = ("video", "captions", "transcript", "easy_read")
TRANSLATION = re.compile(r"^index\.([a-z]{2,3})\.md$")
TRANSLATION_KEYS = ("title", "summary", "captions")
POSTER = "poster.jpg"  # a video's poster, by its name (not part of the approved content)
KEY_ORDER = (*REQUIRED, *OPTIONAL)


class _Loader(yaml.SafeLoader):
    """Safe YAML, with dates left as text: they are checked here, with a message to match."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


@dataclass(frozen=True)
class Problem:
    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


@dataclass
class LibraryItem:
    """One item folder, parsed and valid."""

    slug: str
    folder: Path
    version: int
    author: str
    approver: str
    approved_on: date
    review_due: date
    content: dict[str, Any]  # title, summary, body, lists, transcript, easy_read, reading_age
    video: bytes | None = None
    video_type: str | None = None
    captions: bytes | None = None
    # Other languages' text and captions: language -> {"title", "summary", "body", "captions"
    # (the WebVTT bytes, or None)}, from ``index.<language>.md`` (see TRANSLATION).
    translations: dict[str, dict[str, Any]] = field(default_factory=dict)
    poster: bytes | None = None  # POSTER beside a video: the picture shown before it plays
    poster_type: str | None = None
    files: dict[str, str] = field(default_factory=dict)  # front-matter key -> file name


class _Faults:
    def __init__(self, path: Path, root: Path) -> None:
        self.path = path
        self.root = root
        self.problems: list[Problem] = []

    def add(self, message: str, path: Path | None = None) -> None:
        where = path or self.path
        try:
            shown = where.relative_to(self.root.parent)
        except ValueError:
            shown = where
        self.problems.append(Problem(str(shown), message))


def split_front_matter(text: str) -> tuple[str, str] | None:
    text = text.lstrip("\ufeff").replace("\r\n", "\n")
    if not text.startswith("---\n"):
        return None
    end = text.find("\n---\n", 3)
    if end == -1:
        if text.endswith("\n---"):
            return text[4:-4], ""
        return None
    return text[4:end + 1], text[end + 5:]


def _text(meta: dict[str, Any], key: str, faults: _Faults, limit: int) -> str:
    value = meta.get(key)
    if not isinstance(value, str) or not value.strip():
        faults.add(f"{key}: must be some text")
        return ""
    if len(value) > limit:
        faults.add(f"{key}: must be {limit} characters or fewer")
    return value.strip()


def _words(meta: dict[str, Any], key: str, faults: _Faults, allowed: Any, *,
           empty_ok: bool = False) -> list[str]:
    value = meta.get(key)
    if value is None and empty_ok:
        return []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        faults.add(f"{key}: must be a list, such as [{next(iter(allowed), 'en')}]")
        return []
    if not value and not empty_ok:
        faults.add(f"{key}: must name at least one")
    unknown = [v for v in value if (v not in allowed if not callable(allowed) else not allowed(v))]
    if unknown:
        choices = "" if callable(allowed) else f" (choose from: {', '.join(allowed)})"
        faults.add(f"{key}: unknown {', '.join(repr(v) for v in unknown)}{choices}")
    return list(dict.fromkeys(value))


def _day(meta: dict[str, Any], key: str, faults: _Faults) -> date | None:
    value = meta.get(key)
    if isinstance(value, datetime):
        faults.add(f"{key}: must be a date without a time (YYYY-MM-DD)")
        return None
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            pass
        faults.add(f"{key}: {value!r} is not a real date (YYYY-MM-DD)")
        return None
    faults.add(f"{key}: must be a date (YYYY-MM-DD)")
    return None


def _number(meta: dict[str, Any], key: str, faults: _Faults, low: int, high: int) -> int:
    value = meta.get(key)
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        faults.add(f"{key}: must be a whole number from {low} to {high}")
        return low
    return value


def _file(folder: Path, meta: dict[str, Any], key: str, faults: _Faults) -> Path | None:
    name = meta.get(key)
    if name is None:
        return None
    if not isinstance(name, str) or not FILE_NAME.match(name):
        faults.add(f"{key}: must be the name of a file in the item's folder")
        return None
    path = folder / name
    if not path.is_file():
        faults.add(f"{key}: the file {name} does not exist")
        return None
    return path


def _read_text(path: Path, faults: _Faults) -> str | None:
    data = path.read_bytes()
    if len(data) > MAX_TEXT_BYTES:
        faults.add("the file is too big", path)
        return None
    try:
        return data.decode("utf-8").replace("\r\n", "\n").strip()
    except UnicodeDecodeError:
        faults.add("the file is not UTF-8 text", path)
        return None


def _check_meta(meta: dict[str, Any], faults: _Faults) -> dict[str, Any]:
    missing = [key for key in REQUIRED if key not in meta]
    if missing:
        faults.add(f"front matter is missing: {', '.join(missing)}")
    unknown = [key for key in meta if key not in REQUIRED + OPTIONAL]
    if unknown:
        faults.add(f"front matter has unknown keys: {', '.join(map(str, unknown))}")
    checked: dict[str, Any] = {
        "title": _text(meta, "title", faults, 200),
        "summary": _text(meta, "summary", faults, 400),
        "topics": _words(meta, "topics", faults, TOPICS),
        "conditions": _words(meta, "conditions", faults, CONDITIONS, empty_ok=True),
        "audience": _words(meta, "audience", faults, AUDIENCES),
        "languages": _words(meta, "languages", faults, LANGUAGE.match),
        "reading_age": _number(meta, "reading_age", faults, 5, 18),
        "version": _number(meta, "version", faults, 1, 100_000),
        "author": _text(meta, "author", faults, 200),
        "approver": _text(meta, "approver", faults, 200),
        "approved_on": _day(meta, "approved_on", faults),
        "review_due": _day(meta, "review_due", faults),
    }
    sources = meta.get("sources")
    if not isinstance(sources, list) or not sources or not all(
            isinstance(s, str) and s.strip() for s in sources):
        faults.add("sources: must be a list of one or more sources")
        sources = []
    elif WRITTEN_HERE not in sources[0].lower():
        faults.add('sources: the first source must say the text was "Written for this portal"')
    checked["sources"] = [s.strip() for s in sources]
    if checked["author"] and checked["author"] == checked["approver"]:
        faults.add("approver: must be a different person from the author")
    if checked["approved_on"] and checked["review_due"] \
            and checked["review_due"] <= checked["approved_on"]:
        faults.add("review_due: must be after approved_on")
    return checked


def _media(item: LibraryItem, folder: Path, meta: dict[str, Any], faults: _Faults) -> None:
    video = _file(folder, meta, "video", faults)
    captions = _file(folder, meta, "captions", faults)
    if video is not None:
        if video.stat().st_size > media.MAX_VIDEO_BYTES:
            faults.add(f"the video is bigger than {media.MAX_VIDEO_BYTES // 1_000_000} MB", video)
        else:
            item.video = video.read_bytes()
            item.video_type = media.sniff_video(item.video)
            if item.video_type is None:
                faults.add("this is not a video (an MP4 or WebM file)", video)
        _poster(item, folder / POSTER, faults)
        if "captions" not in meta:
            faults.add("captions: a video needs WebVTT captions")
        if "transcript" not in meta:
            faults.add("transcript: a video needs a transcript")
    elif "captions" in meta and "video" not in meta:
        faults.add("captions: there is no video to caption")
    if captions is not None:
        item.captions = captions.read_bytes()
        for problem in vtt.problems_in(item.captions):
            faults.add(f"not valid WebVTT: {problem}", captions)


def _poster(item: LibraryItem, path: Path, faults: _Faults) -> None:
    if not path.is_file():
        return
    if path.stat().st_size > media.MAX_POSTER_BYTES:
        faults.add(f"the poster is bigger than {media.MAX_POSTER_BYTES // 1000} kB", path)
        return
    item.poster = path.read_bytes()
    item.poster_type = media.sniff_image(item.poster)
    if item.poster_type is None:
        faults.add("this is not a picture (a JPEG or PNG file)", path)


def read_item(folder: Path, root: Path | None = None) -> tuple[LibraryItem | None, list[Problem]]:
    """Parse and validate one item folder."""
    faults = _Faults(folder / "index.md", root or folder.parent)
    if not SLUG.match(folder.name) or folder.name in RESERVED_SLUGS:
        faults.add("the folder name must be lower-case words joined by hyphens", folder)
        return None, faults.problems
    index = folder / "index.md"
    if not index.is_file():
        faults.add("the file does not exist")
        return None, faults.problems
    source = _read_text(index, faults)
    parts = split_front_matter(source) if source is not None else None
    if source is not None and parts is None:
        faults.add('the file must start with front matter between two "---" lines')
    if parts is None:
        return None, faults.problems
    try:
        meta = yaml.load(parts[0], Loader=_Loader)  # noqa: S506  # nosec B506: a SafeLoader
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 2})" if mark is not None else ""
        faults.add(f"the front matter is not valid YAML{where}")
        return None, faults.problems
    if not isinstance(meta, dict):
        faults.add("the front matter must be a set of keys and values")
        return None, faults.problems
    checked = _check_meta(meta, faults)
    body = parts[1].strip()
    if not body:
        faults.add("the page has no text after the front matter")
    item = LibraryItem(
        slug=folder.name, folder=folder, version=checked["version"], author=checked["author"],
        approver=checked["approver"], approved_on=checked["approved_on"] or date.min,
        review_due=checked["review_due"] or date.min,
        content={key: checked[key] for key in ("title", "summary", "topics", "conditions",
                                                "audience", "languages", "sources", "reading_age")},
        files={key: meta[key] for key in OPTIONAL if isinstance(meta.get(key), str)},
    )
    item.content["body"] = body
    for key in ("transcript", "easy_read"):
        path = _file(folder, meta, key, faults)
        item.content[key] = _read_text(path, faults) if path is not None else None
    _media(item, folder, meta, faults)
    _translations(item, folder, faults)
    return (None if faults.problems else item), faults.problems


def _translations(item: LibraryItem, folder: Path, faults: _Faults) -> None:
    """``index.<language>.md``: the page in another language (front matter: title, summary,
    optional captions file), translated from the English; the language must be listed."""
    for path in sorted(folder.glob("index.*.md")):
        found = TRANSLATION.match(path.name)
        if found is None or found.group(1) == "en":
            faults.add("a translation is named index.<language code>.md, like index.pl.md", path)
            continue
        language = found.group(1)
        source = _read_text(path, faults)
        parts = split_front_matter(source) if source is not None else None
        if parts is None:
            faults.add('the file must start with front matter between two "---" lines', path)
            continue
        try:
            meta = yaml.load(parts[0], Loader=_Loader)  # noqa: S506  # nosec B506: a SafeLoader
        except yaml.YAMLError:
            meta = None
        if not isinstance(meta, dict):
            faults.add("the front matter must be a set of keys and values", path)
            continue
        local = _Faults(path, faults.root)
        unknown = [key for key in meta if key not in TRANSLATION_KEYS]
        if unknown:
            local.add(f"front matter has unknown keys: {', '.join(map(str, unknown))}")
        text: dict[str, Any] = {"title": _text(meta, "title", local, 200),
                "summary": _text(meta, "summary", local, 400), "body": parts[1].strip(),
                "captions": None}
        if not text["body"]:
            local.add("the page has no text after the front matter")
        if language not in item.content["languages"]:
            local.add(f"languages in index.md must list {language}, which has a translation")
        captions = _file(folder, meta, "captions", local)
        if captions is not None:
            if item.video is None:
                local.add("captions: there is no video to caption")
            data = captions.read_bytes()
            text["captions"] = data
            for problem in vtt.problems_in(data):
                local.add(f"not valid WebVTT: {problem}", captions)
        faults.problems.extend(local.problems)
        item.translations[language] = text


def read_library(root: Path) -> tuple[list[LibraryItem], list[Problem]]:
    """Every item folder under ``root``, and every problem found in any of them."""
    if not root.is_dir():
        return [], [Problem(str(root), "the content folder does not exist")]
    items: list[LibraryItem] = []
    problems: list[Problem] = []
    for folder in sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith(".")):
        item, found = read_item(folder, root)
        problems.extend(found)
        if item is not None:
            items.append(item)
    return items, problems


# Writing -----------------------------------------------------------------------------------

def _scalar(value: Any) -> str:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return json.dumps(str(value), ensure_ascii=False)  # a valid YAML double-quoted string


def front_matter(item: dict[str, Any]) -> str:
    """The front matter in the library's own style (as ``content/README.md`` shows it)."""
    lines = []
    for key in KEY_ORDER:
        value = item.get(key)
        if value is None:
            continue
        if key == "sources":
            lines.append("sources:")
            lines.extend(f"  - {_scalar(source)}" for source in value)
        elif isinstance(value, list):  # controlled words and language codes: plain
            lines.append(f"{key}: [{', '.join(value)}]")
        else:
            lines.append(f"{key}: {_scalar(value)}")
    return "\n".join(lines) + "\n"


def translation_file(title: str, summary: str, body: str, captions: str | None) -> str:
    """An ``index.<language>.md`` in the library's own style."""
    lines = [f"title: {_scalar(title)}", f"summary: {_scalar(summary)}"]
    if captions:
        lines.append(f"captions: {_scalar(captions)}")
    return "---\n" + "\n".join(lines) + f"\n---\n\n{body.strip()}\n"


def write_item(root: Path, slug: str, meta: dict[str, Any], body: str, *,
               texts: dict[str, str], blobs: dict[str, bytes]) -> Path:
    """Write one item folder: ``index.md`` plus its text and media files (by file name).
    Translations and captions of an older version that this one does not have are removed
    (a version written in the portal has none: left there, the next sync would read them)."""
    folder = root / slug
    folder.mkdir(parents=True, exist_ok=True)
    for stale in [*folder.glob("index.*.md"), *folder.glob("captions.*.vtt")]:
        if stale.name not in texts and stale.name not in blobs:
            stale.unlink()
    (folder / "index.md").write_text(f"---\n{front_matter(meta)}---\n\n{body.strip()}\n",
                                     encoding="utf-8")
    for name, text in texts.items():
        (folder / name).write_text(text.strip() + "\n", encoding="utf-8")
    for name, data in blobs.items():
        (folder / name).write_bytes(data)
    return folder
