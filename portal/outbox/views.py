"""Administrators' view of the outbox: what waits, and the jobs parked after failing."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from werkzeug.wrappers import Response

from portal.authz import Permission, requires
from portal.authz.loading import get_or_404
from portal.extensions import db
from portal.outbox import core, services
from portal.outbox.models import JobStatus, OutboxJob

bp = Blueprint("outbox", __name__, url_prefix="/admin/outbox")
SHOWN = 100


@bp.route("/")
@requires(Permission.ADMIN_USERS_MANAGE)
def parked() -> str:
    jobs = db.session.scalars(select(OutboxJob).where(OutboxJob.status == JobStatus.PARKED)
                              .order_by(OutboxJob.id.desc()).limit(SHOWN)).all()
    return render_template("outbox/parked.html", jobs=jobs, counts=core.counts(db.session),
                           worker_alive=core.worker_alive(db.session), statuses=JobStatus)


@bp.route("/<int:job_id>/retry", methods=["POST"])
@requires(Permission.ADMIN_USERS_MANAGE)
def retry(job_id: int) -> Response:
    job = get_or_404(OutboxJob, job_id)
    if FlaskForm().validate_on_submit():
        if services.retry(db.session, job=job, by=current_user):
            flash(_("The job will be tried again."), "success")
        else:
            flash(_("This job is no longer parked."), "info")
    return redirect(url_for("outbox.parked"))
