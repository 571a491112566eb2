import json

import pytest


def test_home_page_shows_the_service_and_urgent_help(client):
    page = client.page("/")
    assert page.h1 == ["Your Health and Care Portal"]
    assert "Call the single point of access on 0300 456 7890" in page.text
    assert "In an emergency, call 999." in page.text
    assert (page.lang, page.direction) == ("en", "ltr")
    assert "#maincontent" in page.links


def test_healthz_says_the_process_is_alive(client):
    response = client.get("/healthz")
    assert (response.status_code, response.json) == (200, {"status": "ok"})


def test_readyz_checks_database_and_index(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json == {"status": "ok", "checks": {"database": "ok", "search_index": "ok"}}


def test_readyz_reports_an_unreadable_index(app, client, tmp_path):
    from portal.search import SearchIndex

    broken = tmp_path / "not-a-dir"
    broken.write_text("a file where the index should be")
    app.extensions["portal.search"] = SearchIndex(broken)
    try:
        response = client.get("/readyz")
    finally:
        app.extensions["portal.search"] = SearchIndex(app.config["SEARCH_INDEX_DIR"])
    assert response.status_code == 503
    assert response.json["checks"]["search_index"] == "unreachable"


def test_unknown_page_is_a_friendly_404(client):
    page = client.page("/no-such-page", status=404)
    assert page.h1 == ["Page not found"]


def test_wrong_method_is_a_friendly_405(client):
    response = client.delete("/")
    assert response.status_code == 405
    assert "Sorry, that action is not possible here" in response.get_data(as_text=True)


def test_oversized_body_is_a_friendly_413(client):
    token = client.csrf_token()
    response = client.post("/account/sign-in", data={"csrf_token": token,
                                                     "email": "x" * (3 * 1024 * 1024)})
    assert response.status_code == 413
    assert "What you sent is too large" in response.get_data(as_text=True)


def test_errors_are_logged_as_json_lines_with_the_request_id(database_url, tmp_path):
    from portal import create_app
    from portal.authz import public
    from tests.conftest import app_overrides

    app = create_app(app_overrides(database_url, tmp_path / "index"))

    @app.route("/boom-for-test")
    @public
    def boom():
        raise RuntimeError("boom")

    client = app.test_client()
    handler = app.logger.handlers[0]
    records = []
    handler_emit = handler.emit
    handler.emit = lambda record: records.append(handler.format(record))
    try:
        response = client.get("/boom-for-test", headers={"X-Request-Id": "abcdef0123456789"})
    finally:
        handler.emit = handler_emit
    assert response.status_code == 500
    assert "Reference: abcdef0123456789" in response.get_data(as_text=True)
    assert response.headers["X-Request-Id"] == "abcdef0123456789"
    entry = json.loads(records[-1])
    assert entry["request_id"] == "abcdef0123456789"
    assert entry["level"] == "ERROR" and "RuntimeError: boom" in entry["exception"]
    assert entry["endpoint"] == "boom"


@pytest.mark.parametrize("path", ["/", "/no-such-page", "/account/sign-in"])
def test_security_headers_are_on_every_response(client, path):
    headers = client.get(path).headers
    csp = headers["Content-Security-Policy"]
    assert "object-src 'none'" in csp and "base-uri 'none'" in csp
    assert "frame-ancestors 'none'" in csp and "'unsafe-inline'" not in csp
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert "camera=()" in headers["Permissions-Policy"]


def test_signed_in_pages_are_not_cached(client, session):
    from tests.helpers.factories import make_user

    client.sign_in_as(make_user(session))
    assert client.get("/account/").headers["Cache-Control"] == "no-store"


def test_static_assets_are_served_from_the_app(client):
    for path in ("/static/nhsuk/nhsuk-frontend.min.css", "/assets/images/favicon.svg"):
        response = client.get(path)
        assert response.status_code == 200
        response.close()


def test_nul_bytes_in_a_form_or_query_are_dropped_before_anything_reads_them(client, session):
    from tests.helpers.factories import make_user

    make_user(session, email="sam@example.test")
    token = client.csrf_token()
    response = client.post("/account/sign-in", data={
        "csrf_token": token, "email": "sam@exam\x00ple.test", "password": "wrong password"})
    assert response.status_code == 200
    assert 'value="sam@example.test"' in response.get_data(as_text=True)
    assert client.get("/services?q=walk%00ing").status_code == 200
    api = client.get("/api/services?search=%00")
    assert api.status_code == 400 and api.is_json
