"""Make each guidance video's poster: the picture shown before it plays.

    python tools/make_posters.py content/            # every item with a video
    python tools/make_posters.py content/<slug>      # one item

The poster is the video's own title slide (the frame at one second), written beside it as
``poster.jpg`` (640x360 JPEG, a few tens of kilobytes). ``tools/make_videos.py`` makes one
for every video it makes. Needs ffmpeg (``apt-get install -y ffmpeg``); the portal itself
only reads the files.
"""

from __future__ import annotations

import shutil
import subprocess  # nosec B404: runs ffmpeg on our own files
import sys
from pathlib import Path

POSTER = "poster.jpg"
AT_SECONDS = "1.0"


def make_poster(item: Path) -> Path | None:
    video = item / "video.mp4"
    if not video.is_file():
        return None
    out = item / POSTER
    subprocess.run(  # nosec B603: fixed arguments, our own paths
        ["ffmpeg", "-v", "error", "-y", "-ss", AT_SECONDS, "-i", str(video),
         "-frames:v", "1", "-q:v", "6", str(out)], check=True)
    return out


def main(args: list[str]) -> int:
    if shutil.which("ffmpeg") is None:
        sys.exit("ffmpeg not found: apt-get install -y ffmpeg")
    for arg in args or ["content"]:
        root = Path(arg)
        items = [root] if (root / "index.md").is_file() else sorted(
            path for path in root.iterdir() if (path / "index.md").is_file())
        for item in items:
            made = make_poster(item)
            if made is not None:
                print(f"{made} ({made.stat().st_size // 1000} kB)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
