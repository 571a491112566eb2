"""Static files: content-hashed names, precompressed, cached for a year.

``flask assets build`` (run by ``make install``) copies every file under ``portal/static`` into
the build folder (``STATIC_BUILD_DIR``, ``instance/static`` by default) under a name holding a
hash of its content (``css/portal.3f2a9c1b7d40.css``), rewrites the references between them
(``url()`` in CSS, relative ``import`` in JavaScript modules) to the hashed names, writes
brotli and gzip copies beside each compressible file and a ``manifest.json``.

At start-up, when the manifest matches the sources, WhiteNoise serves the build folder in
front of Flask (precompressed copies by ``Accept-Encoding``, ``Cache-Control: public,
max-age=31536000, immutable``) and ``url_for("static", filename=...)`` gives the hashed name.
When it has not been built, or a source changed since, pages use the plain names served by
Flask, cached for an hour, and a warning says to run the build.
"""

from __future__ import annotations

import hashlib
import json
import posixpath
import re
import shutil
from pathlib import Path
from typing import Any

from flask import Flask
from werkzeug.datastructures import Headers

SOURCE = Path(__file__).parent / "static"
MANIFEST = "manifest.json"
YEAR = 365 * 24 * 3600

_CSS_URL = re.compile(r"""url\(\s*(['"]?)([^'")]+)\1\s*\)""")
_JS_IMPORT = re.compile(r"""((?:\bfrom|\bimport)\s*(?:\(\s*)?)(['"])(\.{1,2}/[^'"]+)\2""")


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:12]


def _hashed_name(name: str, digest: str) -> str:
    stem, dot, ext = name.rpartition(".")
    return f"{stem}.{digest}.{ext}" if dot and "/" not in ext else f"{name}.{digest}"


def source_files(source: Path = SOURCE) -> dict[str, Path]:
    return {path.relative_to(source).as_posix(): path
            for path in sorted(source.rglob("*")) if path.is_file()}


def source_digests(source: Path = SOURCE) -> dict[str, str]:
    return {name: _digest(path.read_bytes()) for name, path in source_files(source).items()}


class _Builder:
    def __init__(self, source: Path, target: Path) -> None:
        self.files = source_files(source)
        self.target = target
        self.hashed: dict[str, str] = {}

    def _resolve(self, referrer: str, reference: str) -> str | None:
        """The source name a reference inside ``referrer`` points at, if it is one of ours."""
        path = reference.split("?", 1)[0].split("#", 1)[0]
        if path.startswith(("data:", "http:", "https:", "//")) or not path:
            return None
        if path.startswith("/static/"):
            name = path.removeprefix("/static/")
        elif path.startswith("/assets/"):
            name = "nhsuk/assets/" + path.removeprefix("/assets/")
        elif path.startswith("/"):
            return None
        else:
            name = posixpath.normpath(posixpath.join(posixpath.dirname(referrer), path))
        return name if name in self.files else None

    def _rewrite(self, name: str, text: str, pattern: re.Pattern[str], group: int,
                 absolute: bool) -> str:
        def replace(match: re.Match[str]) -> str:
            target = self._resolve(name, match.group(group))
            if target is None:
                return match.group(0)
            hashed = self.build(target)
            if absolute:
                new = "/static/" + hashed
            else:
                new = posixpath.relpath(hashed, posixpath.dirname(name) or ".")
                new = new if new.startswith(".") else "./" + new
            start, end = match.span(group)
            whole_start = match.start(0)
            text_ = match.group(0)
            return text_[: start - whole_start] + new + text_[end - whole_start:]

        return pattern.sub(replace, text)

    def build(self, name: str) -> str:
        if name in self.hashed:
            return self.hashed[name]
        data = self.files[name].read_bytes()
        if name.endswith(".css"):
            data = self._rewrite(name, data.decode(), _CSS_URL, 2, absolute=True).encode()
        elif name.endswith((".js", ".mjs")):
            data = self._rewrite(name, data.decode(), _JS_IMPORT, 3, absolute=False).encode()
        hashed = _hashed_name(name, _digest(data))
        out = self.target / hashed
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_bytes(data)
        self.hashed[name] = hashed
        return hashed


def build(target: Path, source: Path = SOURCE, *, compress: bool = True) -> dict[str, Any]:
    """Write the hashed (and compressed) files and the manifest into ``target``."""
    from whitenoise.compress import Compressor

    if target.exists():
        shutil.rmtree(target)
    target.mkdir(parents=True)
    builder = _Builder(source, target)
    for name in builder.files:
        builder.build(name)
    if compress:
        compressor = Compressor(quiet=True)
        for hashed in builder.hashed.values():
            path = target / hashed
            if compressor.should_compress(str(path)):
                for _written in compressor.compress(str(path)):
                    pass
    manifest = {"sources": source_digests(source), "files": builder.hashed}
    (target / MANIFEST).write_text(json.dumps(manifest, indent=1, sort_keys=True))
    return manifest


def load_manifest(target: Path, source: Path = SOURCE) -> dict[str, str] | None:
    """The source-to-hashed names, or None when not built or built from other sources."""
    try:
        manifest = json.loads((target / MANIFEST).read_text())
    except (OSError, ValueError):
        return None
    if manifest.get("sources") != source_digests(source):
        return None
    files = manifest.get("files")
    return dict(files) if isinstance(files, dict) else None


def _static_headers(headers: Headers, path: str, url: str) -> None:
    headers["X-Content-Type-Options"] = "nosniff"
    headers["Cross-Origin-Resource-Policy"] = "same-origin"


def init_app(app: Flask) -> None:
    _register_cli(app)
    target = Path(app.config["STATIC_BUILD_DIR"])
    files = load_manifest(target)
    app.extensions["portal.static_manifest"] = files
    if files is None:
        if app.config["PORTAL_ENV"] != "testing":
            app.logger.warning(
                "static files are not built (or are out of date): run `flask --app wsgi assets "
                "build` (`make install` does); serving them unhashed and uncompressed"
            )
        return

    from whitenoise import WhiteNoise

    app.wsgi_app = WhiteNoise(  # type: ignore[method-assign]
        app.wsgi_app, root=str(target), prefix="/static/", max_age=YEAR,
        immutable_file_test=lambda path, url: not url.endswith(MANIFEST),
        add_headers_function=_static_headers,
    )

    @app.url_defaults
    def _hashed_static(endpoint: str, values: dict[str, Any]) -> None:
        if endpoint == "static":
            filename = values.get("filename")
            if isinstance(filename, str) and filename in files:
                values["filename"] = files[filename]


def _register_cli(app: Flask) -> None:
    import click
    from flask.cli import AppGroup

    assets_cli = AppGroup("assets", help="Static files.")

    @assets_cli.command("build")
    @click.option("--no-compress", is_flag=True, help="Skip the brotli and gzip copies.")
    def build_command(no_compress: bool) -> None:
        """Write hashed, precompressed static files into STATIC_BUILD_DIR."""
        target = Path(app.config["STATIC_BUILD_DIR"])
        manifest = build(target, compress=not no_compress)
        click.echo(f"Built {len(manifest['files'])} static files into {target}.")

    app.cli.add_command(assets_cli)
