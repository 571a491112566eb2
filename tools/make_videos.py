#!/usr/bin/env python3
"""Make the captioned guidance videos for the self-management content library.

Usage (from the repository root):

    python tools/make_videos.py content/            # every item under content/
    python tools/make_videos.py content/falls-prevention   # one item

For each item folder (one holding ``index.md`` and ``transcript.md``) it writes:

* ``video.mp4``        640x360 H.264 (yuv420p) + AAC mono, +faststart, ~5 fps slides
* ``captions.en.vtt``  WebVTT captions whose cue times come from the real audio

It needs these Debian packages (and nothing from the network):

    apt-get update && apt-get install -y ffmpeg espeak-ng fonts-dejavu-core sox

Only the Python 3.11 standard library is used; ffmpeg, ffprobe and espeak-ng are
called through ``subprocess``. Running it again regenerates the same files.

How ``transcript.md`` is read
-----------------------------
* ``# Title``      the first line: shown on the title slide and spoken.
* ``## Heading``   starts a new slide showing the heading in large text. Headings
                   other than the title are shown, not spoken.
* other lines      narration. Paragraphs are split into sentences; a sentence too
                   long for one caption (2 lines of about 40 characters) is split at
                   commas or between words. Each caption chunk is spoken by
                   espeak-ng (en-gb, 150 words a minute) into its own WAV file, and
                   its length is measured from that file, so each caption cue
                   starts and ends exactly when its words are heard.

Spoken forms: phone numbers and 111/999 are read digit by digit, and a few
abbreviations are spelled out (see SPEECH_FIXES). The captions always show the
written text.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
import textwrap
import wave
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from make_posters import make_poster

# ---- settings ---------------------------------------------------------------

WIDTH, HEIGHT = 640, 360
FPS = 5                      # static slides need very few frames
VOICE = "en-gb"
SPEED = 150                  # words per minute: calm and clear
PITCH = 45
AUDIO_RATE = 22050           # espeak-ng's native rate; resampled by ffmpeg
AUDIO_BITRATE = "48k"
CAPTION_LINE = 40            # characters per caption line
CAPTION_LINES = 2            # lines per caption cue

LEAD_IN = 0.5                # silence before the first words (seconds)
GAP_SENTENCE = 0.30          # silence between caption chunks
GAP_SECTION = 0.70           # extra silence when the slide changes
TAIL = 1.5                   # silence after the last words

BG = "0x0B2545"              # dark navy
FG = "white"
ACCENT = "0xFFD23F"          # yellow rule and footer text
FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
FONT_BOLD = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"
FOOTER = "Urgent help 24/7: 0300 456 7890  |  NHS 111  |  Emergency 999"

# Written text -> what espeak-ng should say. Whole words only.
SPEECH_FIXES = {
    "COPD": "C O P D",
    "GP": "G P",
    "GPs": "G Ps",
    "NHS": "N H S",
    "UK": "U K",
    "111": "1 1 1",
    "999": "9 9 9",
    "e.g.": "for example",
}
PHONE = re.compile(r"\b0\d{3,4}(?: \d{3,4}){1,2}\b")


# ---- reading transcripts ----------------------------------------------------

@dataclass
class Section:
    heading: str                 # text on the slide
    spoken_heading: bool         # True only for the title
    chunks: list[str] = field(default_factory=list)   # caption-sized pieces


def split_sentences(paragraph: str) -> list[str]:
    parts = re.split(r"(?<=[.!?])\s+(?=[A-Z0-9\"'(])", paragraph.strip())
    return [p.strip() for p in parts if p.strip()]


def fits(text: str) -> bool:
    return len(textwrap.wrap(text, CAPTION_LINE)) <= CAPTION_LINES


def caption_chunks(sentence: str) -> list[str]:
    """Split one sentence into pieces that each fit in one caption cue."""
    if fits(sentence):
        return [sentence]
    clauses = re.split(r"(?<=[,;:])\s+", sentence)
    pieces: list[str] = []
    for clause in clauses:
        if fits(clause):
            pieces.append(clause)
            continue
        current = ""
        for word in clause.split():
            candidate = f"{current} {word}".strip()
            if current and not fits(candidate):
                pieces.append(current)
                current = word
            else:
                current = candidate
        if current:
            pieces.append(current)
    merged: list[str] = []
    for piece in pieces:
        if merged and fits(f"{merged[-1]} {piece}"):
            merged[-1] = f"{merged[-1]} {piece}"
        else:
            merged.append(piece)
    return merged


def clean_markdown(text: str) -> str:
    text = re.sub(r"\*\*(.+?)\*\*", r"\1", text)
    text = re.sub(r"(?<!\w)[*_](.+?)[*_](?!\w)", r"\1", text)
    text = re.sub(r"\[(.+?)\]\(.+?\)", r"\1", text)
    return text.strip()


def read_transcript(path: Path) -> list[Section]:
    sections: list[Section] = []
    paragraph: list[str] = []

    def flush() -> None:
        if paragraph:
            if not sections:
                raise SystemExit(f"{path}: narration before the '# Title' line")
            text = clean_markdown(" ".join(paragraph))
            for sentence in split_sentences(text):
                sections[-1].chunks.extend(caption_chunks(sentence))
            paragraph.clear()

    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if line.startswith("## "):
            flush()
            sections.append(Section(clean_markdown(line[3:]), False))
        elif line.startswith("# "):
            flush()
            title = clean_markdown(line[2:])
            sections.append(Section(title, True, caption_chunks(title)))
        elif not line:
            flush()
        else:
            paragraph.append(line.lstrip("-* ").strip())
    flush()
    if not sections or not sections[0].spoken_heading:
        raise SystemExit(f"{path}: the first line must be '# Title'")
    return sections


# ---- speech -----------------------------------------------------------------

def spoken(text: str) -> str:
    text = PHONE.sub(lambda m: ", ".join(" ".join(g) for g in m.group(0).split()), text)
    for written, said in SPEECH_FIXES.items():
        text = re.sub(rf"(?<![\w.]){re.escape(written)}(?![\w])", said, text)
    return text


def speak(text: str, wav: Path) -> None:
    subprocess.run(
        ["espeak-ng", "-v", VOICE, "-s", str(SPEED), "-p", str(PITCH),
         "-w", str(wav), spoken(text)],
        check=True,
    )


def read_frames(wav: Path) -> bytes:
    with wave.open(str(wav), "rb") as w:
        if (w.getnchannels(), w.getsampwidth(), w.getframerate()) != (1, 2, AUDIO_RATE):
            raise SystemExit(f"unexpected WAV format from espeak-ng: {wav}")
        return w.readframes(w.getnframes())


def silence(seconds: float) -> bytes:
    return b"\x00\x00" * round(seconds * AUDIO_RATE)


# ---- captions ---------------------------------------------------------------

def timestamp(seconds: float) -> str:
    ms = round(seconds * 1000)
    h, ms = divmod(ms, 3_600_000)
    m, ms = divmod(ms, 60_000)
    s, ms = divmod(ms, 1000)
    return f"{h:02d}:{m:02d}:{s:02d}.{ms:03d}"


def write_vtt(cues: list[tuple[float, float, str]], path: Path) -> None:
    out = ["WEBVTT", ""]
    for n, (start, end, text) in enumerate(cues, 1):
        out.append(str(n))
        out.append(f"{timestamp(start)} --> {timestamp(end)}")
        out.extend(textwrap.wrap(text, CAPTION_LINE))
        out.append("")
    path.write_text("\n".join(out), encoding="utf-8")


# ---- slides -----------------------------------------------------------------

def ff_path(path: Path) -> str:
    """Quote a file path for use inside an ffmpeg filter argument."""
    return str(path).replace("\\", "/").replace(":", r"\:").replace("'", r"\'")


def render_slide(heading: str, is_title: bool, out_png: Path, work: Path) -> None:
    size = 40 if is_title else 36
    width_chars = 24 if is_title else 26
    lines = textwrap.wrap(heading, width_chars) or [" "]
    line_h = int(size * 1.3)
    top = (HEIGHT - 60 - line_h * len(lines)) // 2
    filters = []
    for i, line in enumerate(lines):
        txt = work / f"{out_png.stem}_{i}.txt"
        txt.write_text(line, encoding="utf-8")
        filters.append(
            f"drawtext=fontfile='{ff_path(Path(FONT_BOLD))}':textfile='{ff_path(txt)}':"
            f"fontcolor={FG}:fontsize={size}:x=(w-text_w)/2:y={top + i * line_h}"
        )
    rule_y = top + line_h * len(lines) + 8
    filters.append(f"drawbox=x=220:y={rule_y}:w=200:h=5:color={ACCENT}:t=fill")
    if is_title:
        sub = work / f"{out_png.stem}_sub.txt"
        sub.write_text("A short guide in plain English", encoding="utf-8")
        filters.append(
            f"drawtext=fontfile='{ff_path(Path(FONT))}':textfile='{ff_path(sub)}':"
            f"fontcolor={FG}:fontsize=22:x=(w-text_w)/2:y={rule_y + 22}"
        )
    foot = work / "footer.txt"
    foot.write_text(FOOTER, encoding="utf-8")
    filters.append(f"drawbox=x=0:y={HEIGHT - 40}:w={WIDTH}:h=40:color=black:t=fill")
    filters.append(
        f"drawtext=fontfile='{ff_path(Path(FONT_BOLD))}':textfile='{ff_path(foot)}':"
        f"fontcolor={ACCENT}:fontsize=16:x=(w-text_w)/2:y={HEIGHT - 29}"
    )
    subprocess.run(
        ["ffmpeg", "-v", "error", "-y", "-f", "lavfi",
         "-i", f"color=c={BG}:s={WIDTH}x{HEIGHT}:d=1",
         "-vf", ",".join(filters), "-frames:v", "1", str(out_png)],
        check=True,
    )


# ---- one item ---------------------------------------------------------------

def make_item(item: Path) -> None:
    sections = read_transcript(item / "transcript.md")
    with tempfile.TemporaryDirectory(prefix="make_videos_") as tmp:
        work = Path(tmp)
        audio = bytearray(silence(LEAD_IN))
        cues: list[tuple[float, float, str]] = []
        slide_starts: list[float] = []
        n = 0
        for s_index, section in enumerate(sections):
            if s_index > 0:
                audio += silence(GAP_SECTION)
            slide_starts.append(len(audio) / 2 / AUDIO_RATE)
            if s_index > 0:
                audio += silence(0.4)      # let the new slide be seen first
            for c_index, chunk in enumerate(section.chunks):
                if c_index > 0:
                    audio += silence(GAP_SENTENCE)
                wav = work / f"chunk{n:03d}.wav"
                n += 1
                speak(chunk, wav)
                frames = read_frames(wav)
                start = len(audio) / 2 / AUDIO_RATE
                audio += frames
                end = len(audio) / 2 / AUDIO_RATE
                cues.append((start, end, chunk))
        audio += silence(TAIL)
        total = len(audio) / 2 / AUDIO_RATE

        narration = work / "narration.wav"
        with wave.open(str(narration), "wb") as w:
            w.setnchannels(1)
            w.setsampwidth(2)
            w.setframerate(AUDIO_RATE)
            w.writeframes(bytes(audio))

        # Slides: each shown from its section's start to the next one's.
        # Boundaries are rounded to whole frames so errors never add up.
        bounds = [round(t * FPS) for t in slide_starts[1:]] + [round(total * FPS)]
        bounds = [0, *bounds]
        inputs: list[str] = []
        for i, section in enumerate(sections):
            png = work / f"slide{i:02d}.png"
            render_slide(section.heading, section.spoken_heading, png, work)
            frames = max(1, bounds[i + 1] - bounds[i])
            inputs += ["-loop", "1", "-framerate", str(FPS),
                       "-t", f"{frames / FPS:.3f}", "-i", str(png)]
        concat = "".join(f"[{i}:v]" for i in range(len(sections)))
        graph = f"{concat}concat=n={len(sections)}:v=1:a=0,format=yuv420p[v]"

        out = item / "video.mp4"
        subprocess.run(
            ["ffmpeg", "-v", "error", "-y", *inputs, "-i", str(narration),
             "-filter_complex", graph, "-map", "[v]", "-map", f"{len(sections)}:a",
             "-c:v", "libx264", "-preset", "slow", "-crf", "30", "-tune", "stillimage",
             "-r", str(FPS), "-g", str(FPS * 10), "-pix_fmt", "yuv420p",
             "-profile:v", "main", "-threads", "1",
             "-c:a", "aac", "-b:a", AUDIO_BITRATE, "-ac", "1", "-ar", "44100",
             "-t", f"{total:.3f}", "-movflags", "+faststart",
             "-map_metadata", "-1", "-fflags", "+bitexact",
             "-flags:v", "+bitexact", "-flags:a", "+bitexact",
             str(out)],
            check=True,
        )
        write_vtt(cues, item / "captions.en.vtt")
    make_poster(item)
    size_kb = (item / "video.mp4").stat().st_size / 1024
    print(f"{item.name}: {total:.1f} s, {len(cues)} cues, {size_kb:.0f} KB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("path", type=Path, help="content/ folder or one item folder")
    args = parser.parse_args()
    for tool in ("ffmpeg", "ffprobe", "espeak-ng"):
        if not shutil.which(tool):
            sys.exit(f"{tool} not found: apt-get install -y ffmpeg espeak-ng fonts-dejavu-core sox")
    root = args.path
    items = [root] if (root / "transcript.md").exists() else sorted(
        p for p in root.iterdir() if (p / "transcript.md").exists())
    if not items:
        sys.exit(f"no item folders with transcript.md under {root}")
    for item in items:
        make_item(item)


if __name__ == "__main__":
    main()
