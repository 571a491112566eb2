"""Attachments: PDF, JPEG and PNG only, recognised by their content; images re-encoded.

Re-encoding keeps the pixels and drops everything else (EXIF location, comments, thumbnails).
Pillow's decompression-bomb guard is tightened to ``MAX_PIXELS``; anything over it is refused.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

from PIL import Image, ImageOps

MAX_BYTES = 10 * 1024 * 1024
MAX_PIXELS = 40_000_000  # about a 7,000 x 5,700 photo
MAX_FILES = 5


class FileRefused(ValueError):
    """A file that is not accepted; ``reason`` is one of the REASONS keys."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class CleanFile:
    filename: str
    content_type: str
    data: bytes


def sniff(data: bytes) -> str | None:
    if data.startswith(b"%PDF-"):
        return "application/pdf"
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    return None


def _reencode(data: bytes, kind: str) -> bytes:
    Image.MAX_IMAGE_PIXELS = MAX_PIXELS
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                if image.width * image.height > MAX_PIXELS:
                    raise FileRefused("too_many_pixels")
                image.load()
                upright = ImageOps.exif_transpose(image)
                out = io.BytesIO()
                if kind == "image/jpeg":
                    upright.convert("RGB").save(out, "JPEG", quality=88)
                else:
                    upright.save(out, "PNG")
                return out.getvalue()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise FileRefused("too_many_pixels") from exc
    except FileRefused:
        raise
    except Exception as exc:  # a damaged or disguised image
        raise FileRefused("damaged") from exc


def clean(filename: str, data: bytes) -> CleanFile:
    if len(data) > MAX_BYTES:
        raise FileRefused("too_big")
    if not data:
        raise FileRefused("empty")
    kind = sniff(data)
    if kind is None:
        raise FileRefused("wrong_type")
    if kind != "application/pdf":
        data = _reencode(data, kind)
    name = (filename or "file").replace("\\", "/").rsplit("/", 1)[-1][:120] or "file"
    return CleanFile(name, kind, data)
