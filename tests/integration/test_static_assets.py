"""Static files: hashed names, precompressed copies, a year's immutable caching, compressed HTML,
and nothing loaded from any other host."""

from __future__ import annotations

import gzip
import re
from collections.abc import Iterator
from pathlib import Path

import brotli
import pytest
from flask import Flask
from flask.testing import FlaskClient

from portal import assets, create_app, migrate
from portal.db import Database
from tests.conftest import app_overrides

RESOURCE = re.compile(r'<(?:link|script|img|source|track|video|audio|iframe)\b[^>]*?'
                      r'\s(?:href|src|poster)="([^"]+)"')
CSS_URL = re.compile(r"""url\(\s*['"]?([^'")]+)""")


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("static")
    assets.build(target)
    return target


def _app(folder: Path, static_build_dir: Path) -> Flask:
    """An app on a database of its own (these tests' requests write, outside any test transaction)."""
    app = create_app(app_overrides(f"sqlite:///{folder / 'static.sqlite3'}", folder / "index",
                                   STATIC_BUILD_DIR=str(static_build_dir)))
    migrate.upgrade(Database.state(app).engine)
    return app


@pytest.fixture(scope="module")
def built_app(built: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    app = _app(tmp_path_factory.mktemp("built"), built)
    yield app
    Database.state(app).engine.dispose()


@pytest.fixture(scope="module")
def unbuilt_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    folder = tmp_path_factory.mktemp("unbuilt")
    app = _app(folder, folder / "not-built")
    yield app
    Database.state(app).engine.dispose()


def get(client: FlaskClient, url: str, **headers: str):  # type: ignore[no-untyped-def]
    """GET a URL, read the body and close the response (WhiteNoise streams open files)."""
    response = client.get(url, headers=headers)
    response.get_data()
    response.close()
    return response


def _resources(html: str) -> list[str]:
    return RESOURCE.findall(html)


def test_pages_link_hashed_static_files_cached_for_a_year(built_app: Flask) -> None:
    client = built_app.test_client()
    html = client.get("/account/sign-in").get_data(as_text=True)
    links = [url for url in _resources(html) if url.startswith("/static/")]
    assert any(re.search(r"/static/css/portal\.[0-9a-f]{12}\.css$", url) for url in links), links
    assert any(re.search(r"/static/js/portal\.[0-9a-f]{12}\.js$", url) for url in links), links
    for url in links:
        response = get(client, url)
        assert response.status_code == 200, url
        cache = response.headers["Cache-Control"]
        assert "immutable" in cache and "public" in cache, (url, cache)
        assert int(re.search(r"max-age=(\d+)", cache).group(1)) >= 365 * 24 * 3600  # type: ignore[union-attr]
        assert response.headers["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize("encoding", ["br", "gzip"])
def test_stylesheets_and_scripts_are_served_precompressed(built_app: Flask, built: Path,
                                                          encoding: str) -> None:
    client = built_app.test_client()
    manifest = assets.load_manifest(built)
    assert manifest is not None
    for source in ("css/portal.css", "js/session-timeout.js"):
        url = "/static/" + manifest[source]
        plain = get(client, url).data
        response = get(client, url, **{"Accept-Encoding": encoding})
        assert response.headers["Content-Encoding"] == encoding
        assert "Accept-Encoding" in response.headers["Vary"]
        decode = brotli.decompress if encoding == "br" else gzip.decompress
        assert decode(response.data) == plain
        assert (built / manifest[source]).read_bytes() == plain


def test_references_between_static_files_use_the_hashed_names(built_app: Flask, built: Path) -> None:
    client = built_app.test_client()
    manifest = assets.load_manifest(built)
    assert manifest is not None
    script = get(client, "/static/" + manifest["js/portal.js"]).get_data(as_text=True)
    imports = re.findall(r"""from\s+['"]([^'"]+)['"]""", script)
    assert imports and all(re.search(r"\.[0-9a-f]{12}\.js$", name) for name in imports), imports
    for name in imports:
        resolved = Path("/static/" + manifest["js/portal.js"]).parent / name
        assert get(client, str(resolved.resolve())).status_code == 200, name


def test_html_is_compressed(built_app: Flask) -> None:
    client = built_app.test_client()
    plain = client.get("/account/sign-in")
    response = client.get("/account/sign-in", headers={"Accept-Encoding": "gzip, deflate, br"})
    assert response.headers["Content-Encoding"] == "br"
    assert len(response.data) < len(plain.data) / 2
    assert b"</html>" in brotli.decompress(response.data)


def test_a_changed_source_falls_back_to_plain_names(built: Path, tmp_path: Path) -> None:
    assert assets.load_manifest(built) is not None
    source = tmp_path / "src"
    (source / "css").mkdir(parents=True)
    (source / "css" / "a.css").write_text("body{color:red}")
    target = tmp_path / "out"
    assets.build(target, source)
    manifest = assets.load_manifest(target, source)
    assert manifest is not None and re.fullmatch(r"css/a\.[0-9a-f]{12}\.css", manifest["css/a.css"])
    (source / "css" / "a.css").write_text("body{color:blue}")
    assert assets.load_manifest(target, source) is None


def test_unbuilt_static_files_are_served_under_their_own_names(unbuilt_app: Flask) -> None:
    client = unbuilt_app.test_client()
    html = client.get("/account/sign-in").get_data(as_text=True)
    assert 'href="/static/css/portal.css"' in html
    response = get(client, "/static/css/portal.css")
    assert response.status_code == 200 and "immutable" not in response.headers["Cache-Control"]


def test_no_page_or_stylesheet_loads_anything_from_another_host(built_app: Flask,
                                                                unbuilt_app: Flask) -> None:
    for app_client in (built_app.test_client(), unbuilt_app.test_client()):
        for path in ("/", "/account/sign-in", "/services", "/services?q=lunch", "/guidance/"):
            response = app_client.get(path)
            assert response.status_code == 200, path
            html = response.get_data(as_text=True)
            for url in _resources(html):
                assert url.startswith("/") and not url.startswith("//"), (path, url)
                if url.endswith(".css"):
                    css = get(app_client, url).get_data(as_text=True)
                    assert "@import" not in css
                    for ref in CSS_URL.findall(css):
                        assert ref.startswith(("/", "data:")) and not ref.startswith("//"), (url, ref)
