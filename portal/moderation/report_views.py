"""'Report a problem with this listing': open to everyone, for published, running listings."""

from __future__ import annotations

from flask import current_app, redirect, render_template, url_for
from werkzeug.wrappers import Response

from portal.authz import public
from portal.authz.loading import get_or_404
from portal.directory.models import Service
from portal.extensions import db
from portal.moderation import policies, services
from portal.moderation.forms import ProblemReportForm
from portal.moderation.views import bp

# The public listing page belongs to the directory area; link to it when it exists.
LISTING_ENDPOINT = "directory.service"


def _reportable_or_404(service_id: str) -> Service:
    return get_or_404(Service, service_id, allowed=policies.can_be_reported)


def _listing_url(service: Service) -> str | None:
    if LISTING_ENDPOINT not in current_app.view_functions:
        return None
    return url_for(LISTING_ENDPOINT, service_id=service.id)


@bp.route("/services/<service_id>/report", methods=["GET", "POST"])
@public
def report_problem(service_id: str) -> str | Response:
    service = _reportable_or_404(service_id)
    form = ProblemReportForm()
    if form.validate_on_submit():
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
