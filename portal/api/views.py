"""The Open Referral UK 3.0 read API at /api/, laid out as the official openapi.json.

Open to everyone without a key (every view is ``@public``), GET only, JSON only, with
``Access-Control-Allow-Origin: *`` on every response under /api/, errors and 404s included.
Only published listings (``portal.directory.queries``) are ever shown.
"""

from __future__ import annotations

import json
from typing import Any, NoReturn

from flask import Blueprint, abort, jsonify, request, url_for
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response

from portal.api import pages
from portal.api.openapi import openapi as openapi_description
from portal.authz import public
from portal.directory import queries
from portal.directory.models import Taxonomy, TaxonomyTerm
from portal.directory.oruk import (
    service_at_location_to_oruk,
    service_to_oruk,
    taxonomy_term_to_oruk,
    taxonomy_to_oruk,
)
from portal.extensions import db

bp = Blueprint("api", __name__, url_prefix="/api")

ID_LENGTH = 64
ORUK_VERSION = "3.0"
ORUK_PROFILE = "https://openreferraluk.org/"
STATUS_MESSAGES = {
    404: "Nothing is published at this address.",
    405: "Only GET requests are answered here.",
    429: "Too many requests. Wait a minute, then try again.",
    500: "Sorry, there is a problem with the service. Try again later.",
}


def _not_found(what: str) -> NoReturn:
    abort(404, description=f"No published {what} has this id.")


def _checked(value: str, what: str) -> str:
    """An id worth looking up: ids are at most 64 printable characters."""
    if len(value) > ID_LENGTH or not value.isprintable():
        _not_found(what)
    return value


@bp.get("/")
@public
def api_details() -> Response:
    return jsonify(version=ORUK_VERSION, profile=ORUK_PROFILE,
                   openapi_url=url_for("api.openapi", _external=True))


@bp.get("/openapi.json")
@public
def openapi() -> Response:
    return jsonify(openapi_description())


@bp.get("/services")
@public
def services() -> Response:
    return jsonify(pages.services(db.session, request.args))


@bp.get("/services/<service_id>")
@public
def service(service_id: str) -> Response:
    row = queries.published_service(db.session, _checked(service_id, "service"))
    if row is None:
        _not_found("service")
    return jsonify(service_to_oruk(row))


@bp.get("/organizations")
@public
def organizations() -> Response:
    return jsonify(pages.organizations(db.session, request.args))


@bp.get("/organizations/<organization_id>")
@public
def organization(organization_id: str) -> Response:
    row = queries.published_organisation(db.session, _checked(organization_id, "organization"))
    if row is None:
        _not_found("organization")
    return jsonify(pages.organization(db.session, row, request.args))


@bp.get("/taxonomies")
@public
def taxonomies() -> Response:
    return jsonify(pages.taxonomies(db.session, request.args))


@bp.get("/taxonomies/<taxonomy_id>")
@public
def taxonomy(taxonomy_id: str) -> Response:
    row = db.session.get(Taxonomy, _checked(taxonomy_id, "taxonomy"))
    if row is None:
        _not_found("taxonomy")
    return jsonify(taxonomy_to_oruk(row))


@bp.get("/taxonomy_terms")
@public
def taxonomy_terms() -> Response:
    return jsonify(pages.taxonomy_terms(db.session, request.args))


@bp.get("/taxonomy_terms/<taxonomy_term_id>")
@public
def taxonomy_term(taxonomy_term_id: str) -> Response:
    row = db.session.get(TaxonomyTerm, _checked(taxonomy_term_id, "taxonomy term"))
    if row is None:
        _not_found("taxonomy term")
    return jsonify(taxonomy_term_to_oruk(row))


@bp.get("/service_at_locations")
@public
def service_at_locations() -> Response:
    return jsonify(pages.service_at_locations(db.session, request.args))


@bp.get("/service_at_locations/<service_at_location_id>")
@public
def service_at_location(service_at_location_id: str) -> Response:
    row = queries.published_service_at_location(
        db.session, _checked(service_at_location_id, "service at location"))
    if row is None:
        _not_found("service at location")
    return jsonify(service_at_location_to_oruk(row))


@bp.errorhandler(HTTPException)
def _http_error(error: HTTPException) -> tuple[Response, int]:
    code = error.code or 500
    own_words = error.description and error.description != type(error).description
    response = jsonify(error=error.description if own_words else
                       STATUS_MESSAGES.get(code, error.name))
    if code == 405 and getattr(error, "valid_methods", None):
        response.headers["Allow"] = ", ".join(error.valid_methods)  # type: ignore[attr-defined]
    return response, code


def _is_api_path() -> bool:
    return request.path == "/api" or request.path.startswith("/api/")


@bp.after_app_request
def _api_headers(response: Response) -> Response:
    """Every /api/ response, including routing errors the blueprint never saw: CORS, JSON."""
    if not _is_api_path():
        return response
    response.headers["Access-Control-Allow-Origin"] = "*"
    if response.status_code >= 400 and response.mimetype != "application/json":
        body: dict[str, Any] = {"error": STATUS_MESSAGES.get(response.status_code,
                                                             "The request could not be answered.")}
        response.set_data(json.dumps(body))
        response.mimetype = "application/json"
    return response
