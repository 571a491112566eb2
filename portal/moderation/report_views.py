"""'Report a problem with this listing': open to everyone, for published, running listings."""

from __future__ import annotations

from flask import Response as FlaskResponse
from flask import current_app, make_response, redirect, render_template, request, url_for
from flask_limiter import RequestLimit
from werkzeug.wrappers import Response

from portal.authz import public
from portal.authz.loading import get_or_404
from portal.directory.models import Service
from portal.extensions import db, limiter
from portal.moderation import policies, services
from portal.moderation.forms import ProblemReportForm
from portal.moderation.views import bp

# The public listing page belongs to the directory area; link to it when it exists.
LISTING_ENDPOINT = "directory.service"

# Reports are limited per client address and per listing (every POST counts); repeats within
# the limits still collapse into one notice (services.report_problem).
RATE_PER_ADDRESS = "5 per hour"
RATE_PER_LISTING = "10 per hour"


def _reportable_or_404(service_id: str) -> Service:
    return get_or_404(Service, service_id, allowed=policies.can_be_reported)


def _listing_url(service: Service) -> str | None:
    if LISTING_ENDPOINT not in current_app.view_functions:
        return None
    return url_for(LISTING_ENDPOINT, service_id=service.id)


def _listing_key() -> str:
    """Rate-limit key for the listing reported, whoever reports it."""
    return "listing:" + str((request.view_args or {}).get("service_id", ""))[:64]


def _too_many(_limit: RequestLimit) -> FlaskResponse:
    """The limit is hit: the form again, with what the person typed, and nothing sent."""
    service = _reportable_or_404(str((request.view_args or {}).get("service_id", "")))
    page = render_template("moderation/report.html", form=ProblemReportForm(), service=service,
                           listing_url=_listing_url(service), limited=True)
    return make_response(page, 429)


@bp.route("/services/<service_id>/report", methods=["GET", "POST"])
@limiter.limit(RATE_PER_ADDRESS, methods=["POST"], on_breach=_too_many)
@limiter.limit(RATE_PER_LISTING, key_func=_listing_key, methods=["POST"], on_breach=_too_many)
@public
def report_problem(service_id: str) -> str | Response:
    service = _reportable_or_404(service_id)
    form = ProblemReportForm()
    if form.validate_on_submit():
        if not form.website.data:  # a filled honeypot is a bot: it looks sent, but is not
            services.report_problem(db.session, service=service, message=form.message.data,
                                    email=form.email.data or None)
        return redirect(url_for("moderation.report_sent", service_id=service.id))
    return render_template("moderation/report.html", form=form, service=service,
                           listing_url=_listing_url(service))


@bp.route("/services/<service_id>/report/sent")
@public
def report_sent(service_id: str) -> str:
    service = _reportable_or_404(service_id)
    return render_template("moderation/report_sent.html", service=service,
                           listing_url=_listing_url(service))
