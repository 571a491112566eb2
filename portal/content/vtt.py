"""A small WebVTT validator: enough to refuse caption files a browser would not show.

Checks: the "WEBVTT" header; blocks separated by blank lines; each cue has a timing line
``[hh:]mm:ss.ttt --> [hh:]mm:ss.ttt [settings]`` (after an optional identifier line) and
some text; each cue ends after it starts; cues start in order; at least one cue. NOTE,
STYLE and REGION blocks are allowed and skipped. Problems name the line they are on.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from flask_babel import lazy_gettext as _l

TIMESTAMP = r"(?:(\d{2,}):)?([0-5]\d):([0-5]\d)\.(\d{3})"
TIMING = re.compile(rf"^{TIMESTAMP}[ \t]+-->[ \t]+{TIMESTAMP}(?:[ \t]+.*)?$")
MAX_CAPTIONS_BYTES = 512 * 1024

NO_HEADER = _l('The file must start with the line "WEBVTT".')
NO_TIMING = _l('A cue has no timing line (00:00:01.000 --> 00:00:02.000).')
BAD_TIMING = _l('The timing line is not in the form 00:00:01.000 --> 00:00:02.000.')
ENDS_BEFORE_START = _l('The cue ends before it starts.')
OUT_OF_ORDER = _l('The cue starts before the cue above it.')
NO_TEXT = _l('The cue has no text.')
NO_CUES = _l('The file has no captions.')
TOO_BIG = _l('The file is too big for a captions file.')
NOT_UTF8 = _l('The file is not UTF-8 text.')
NOT_TEXT = _l('The file is not text.')


@dataclass(frozen=True)
class Cue:
    start: float
    end: float
    text: str


@dataclass(frozen=True)
class Problem:
    line: int
    message: Any  # a lazy translatable sentence

    def __str__(self) -> str:
        return str(_l("Line %(line)s: %(problem)s", line=self.line, problem=self.message))


def _seconds(hours: str | None, minutes: str, seconds: str, millis: str) -> float:
    return int(hours or 0) * 3600 + int(minutes) * 60 + int(seconds) + int(millis) / 1000


def _blocks(lines: list[str]) -> list[tuple[int, list[str]]]:
    blocks: list[tuple[int, list[str]]] = []
    current: list[str] = []
    start = 0
    for number, line in enumerate(lines, start=1):
        if line.strip() == "":
            if current:
                blocks.append((start, current))
                current = []
            continue
        if not current:
            start = number
        current.append(line)
    if current:
        blocks.append((start, current))
    return blocks


def parse(text: str) -> tuple[list[Cue], list[Problem]]:
    """The cues of a WebVTT file and the problems found (an empty list means it is valid)."""
    text = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    lines = text.split("\n")
    header = lines[0] if lines else ""
    if not (header == "WEBVTT" or header.startswith(("WEBVTT ", "WEBVTT\t"))):
        return [], [Problem(1, NO_HEADER)]
    cues: list[Cue] = []
    problems: list[Problem] = []
    blocks = _blocks(lines)
    for start_line, block in blocks[1:] if blocks and blocks[0][0] == 1 else blocks:
        if block[0].startswith(("NOTE", "STYLE", "REGION")) and "-->" not in block[0]:
            continue
        timing_index = 0 if "-->" in block[0] else 1
        if timing_index >= len(block) or "-->" not in block[timing_index]:
            problems.append(Problem(start_line, NO_TIMING))
            continue
        line_number = start_line + timing_index
        match = TIMING.match(block[timing_index].strip())
        if not match:
            problems.append(Problem(line_number, BAD_TIMING))
            continue
        begin, end = _seconds(*match.groups()[:4]), _seconds(*match.groups()[4:])
        body = "\n".join(block[timing_index + 1:]).strip()
        if end <= begin:
            problems.append(Problem(line_number, ENDS_BEFORE_START))
        elif cues and begin < cues[-1].start:
            problems.append(Problem(line_number, OUT_OF_ORDER))
        elif not body:
            problems.append(Problem(line_number, NO_TEXT))
        else:
            cues.append(Cue(begin, end, body))
    if not cues and not problems:
        problems.append(Problem(1, NO_CUES))
    return cues, problems


def problems_in(data: bytes | str) -> list[Problem]:
    """Problems in a captions file's bytes or text (not UTF-8, too big, not valid WebVTT)."""
    if isinstance(data, bytes):
        if len(data) > MAX_CAPTIONS_BYTES:
            return [Problem(1, TOO_BIG)]
        try:
            data = data.decode("utf-8")
        except UnicodeDecodeError:
            return [Problem(1, NOT_UTF8)]
    if "\x00" in data:
        return [Problem(1, NOT_TEXT)]
    return parse(data)[1]


def is_valid(data: bytes | str) -> bool:
    return not problems_in(data)
