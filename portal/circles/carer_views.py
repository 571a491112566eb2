"""Carers' pages: inviting, accepting, "who can see my records", changing and revoking."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from portal.accounts.models import User
from portal.audit import presenters
from portal.audit import services as audit
from portal.authz import Permission, public, requires, signed_in
from portal.circles import acting, carers, queries
from portal.circles.forms import (
    SCOPE_LABELS,
    ActForm,
    ActionForm,
    AnswerForm,
    ArrangeForm,
    AskForm,
    GrantForm,
    InviteForm,
)
from portal.circles.models import CarerGrant
from portal.circles.policy import live_grant, people_cared_for, worker_team_for
from portal.circles.services import consents_of
from portal.circles.views import bp
from portal.extensions import db

LOG_SIZE = 20


def _messages() -> dict[str, str]:
    return {
        "self": _("You cannot invite yourself. Enter the email address of the person who "
                  "will help you."),
        "already_has_access": _("This person can already help you. Change what they may do "
                                "on the page about who can see your records."),
        "invalid": _("This invitation link is not valid. Ask for a new invitation."),
        "used": _("This invitation has already been used or withdrawn. Ask for a new "
                  "invitation if you need one."),
        "expired": _("This invitation has expired. Ask for a new invitation."),
        "wrong_account": _("This invitation was sent to a different email address. Sign out "
                           "and sign in with the account for the address it was sent to."),
        "not_found": _("That carer could not be found."),
        "no_scopes": _("Choose at least one thing they may do"),
        "past_end": _("The last day of access must be today or in the future"),
        "unverified": _("Confirm your email address before you ask: follow the link we sent "
                        "you, or send a new one from your account page."),
    }


@bp.app_context_processor
def _scope_labels() -> dict[str, object]:
    return {"scope_labels": SCOPE_LABELS}


@bp.route("/account/carers/invite", methods=["GET", "POST"])
@signed_in
def invite() -> str | Response:
    form = InviteForm()
    if form.validate_on_submit():
        try:
            carers.invite(db.session, person=current_user, email=form.email.data,
                          relationship=form.relationship.data, scopes=form.scopes.data,
                          ends_on=form.ends_on.data, by=current_user)
        except carers.CarerError as error:
            form.email.errors = [_messages()[error.kind]]
        else:
            flash(_("We have sent the invitation. It lasts 7 days."), "success")
            return redirect(url_for("circles.access"))
    return render_template("circles/invite.html", form=form)


@bp.route("/carers/invitation/<token>")
@public
def invitation(token: str) -> str:
    found = carers.find_invitation(db.session, token)
    problem = carers.invitation_problem(found)
    person = db.session.get(User, found.person_id) if found is not None else None
    return render_template("circles/invitation.html", token=token, invitation=found,
                           problem=_messages()[problem] if problem else None, person=person,
                           form=ActionForm())


@bp.route("/carers/invitation/<token>/accept", methods=["POST"])
@signed_in
def accept(token: str) -> str | Response:
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        carers.accept(db.session, token=token, by=current_user)
    except carers.CarerError as error:
        flash(_messages()[error.kind], "error")
        return redirect(url_for("circles.invitation", token=token))
    flash(_("You can now help this person. Choose them to act for them."), "success")
    return redirect(url_for("circles.cared_for"))


@bp.route("/account/access")
@signed_in
def access() -> str:
    entries = audit.accesses_by_others(db.session, person_id=current_user.id, limit=LOG_SIZE)
    consents = [c for c in consents_of(db.session, current_user) if c.active]
    return render_template(
        "circles/access.html", grants=carers.grants_of(db.session, current_user),
        requests=carers.requests_for(db.session, current_user),
        teams=queries.serving_teams(db.session, current_user), consents=consents,
        entries=presenters.describe_accesses(db.session, entries), form=ActionForm(),
        carer_names=queries.names(db.session, [
            g.carer_id for g in carers.grants_of(db.session, current_user)] + [
            r.carer_id for r in carers.requests_for(db.session, current_user) if r.carer_id]))


def _my_grant(grant_id: int) -> CarerGrant:
    grant = db.session.get(CarerGrant, grant_id)
    if grant is None or grant.person_id != current_user.id or grant.revoked_at is not None:
        abort(404)
    return grant


@bp.route("/account/carers/<int:grant_id>", methods=["GET", "POST"])
@signed_in
def change_grant(grant_id: int) -> str | Response:
    grant = _my_grant(grant_id)
    form = GrantForm(data={"scopes": list(grant.scopes), "ends_on": grant.ends_on})
    if form.validate_on_submit():
        try:
            carers.change(db.session, person=current_user, grant_id=grant.id,
                          scopes=form.scopes.data, ends_on=form.ends_on.data, by=current_user)
        except carers.CarerError as error:
            form.scopes.errors = [_messages()[error.kind]]
        else:
            flash(_("What they may do has been changed."), "success")
            return redirect(url_for("circles.access"))
    name = queries.names(db.session, [grant.carer_id]).get(grant.carer_id, "")
    return render_template("circles/change_grant.html", form=form, grant=grant, name=name)


@bp.route("/account/carers/<int:grant_id>/revoke", methods=["POST"])
@signed_in
def revoke(grant_id: int) -> Response:
    grant = _my_grant(grant_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        carers.revoke(db.session, person=current_user, grant_id=grant.id, by=current_user)
    except carers.CarerError as error:
        flash(_messages()[error.kind], "error")
    else:
        flash(_("Their access has ended. They have been told by email."), "success")
    return redirect(url_for("circles.access"))


@bp.route("/carers")
@signed_in
def cared_for() -> str:
    grants = people_cared_for(db.session, current_user)
    return render_template("circles/cared_for.html", grants=grants, form=ActionForm(),
                           names=queries.names(db.session, [g.person_id for g in grants]),
                           current=acting.acting_grant(db.session))


@bp.route("/carers/act", methods=["POST"])
@signed_in
def act_for() -> Response:
    form = ActForm()
    if not form.validate_on_submit():
        abort(400)
    person_id = int(form.person.data) if (form.person.data or "").isdigit() else None
    if person_id is None:
        acting.choose(None)
        flash(_("You are now using the portal for yourself."), "success")
        return redirect(url_for("circles.cared_for"))
    from portal.accounts.models import User

    person = db.session.get(User, person_id)
    if person is None or live_grant(db.session, carer_id=current_user.id,
                                    person_id=person.id) is None:
        acting.choose(None)
        flash(_("You cannot act for this person. Their access may have ended."), "error")
        return redirect(url_for("circles.cared_for"))
    acting.choose(person.id)
    flash(_("You are now acting for %(name)s.", name=person.display_name), "success")
    return redirect(url_for("circles.cared_for"))


@bp.route("/team/people/<int:person_id>/arrange-carer", methods=["GET", "POST"])
@requires(Permission.CARE_TEAM_WORK)
def arrange(person_id: int) -> str | Response:
    person = db.session.get(User, person_id)
    if person is None or worker_team_for(db.session, current_user, person) is None:
        abort(404)
    form = ArrangeForm()
    if form.validate_on_submit():
        try:
            carers.arrange(db.session, person=person, carer_email=form.email.data,
                           relationship=form.relationship.data, scopes=form.scopes.data,
                           ends_on=form.ends_on.data, reason=form.reason.data, by=current_user)
        except carers.CarerError as error:
            form.email.errors = [_("You cannot arrange access for yourself.")
                                 if error.kind == "self" else _messages()[error.kind]]
        else:
            flash(_("If that email address belongs to a portal account, its owner can now help "
                    "%(name)s, and both have been told by email.", name=person.display_name),
                  "success")
            return redirect(url_for("circles.team_people"))
    return render_template("circles/arrange.html", form=form, person=person)


@bp.route("/carers/ask", methods=["GET", "POST"])
@signed_in
def ask() -> str | Response:
    form = AskForm()
    if form.validate_on_submit():
        try:
            carers.ask(db.session, person_email=form.email.data,
                       relationship=form.relationship.data, scopes=form.scopes.data,
                       by=current_user)
        except carers.CarerError as error:
            form.form_errors.append(_messages()[error.kind])
            return render_template("circles/ask.html", form=form)
        flash(_("If that email address belongs to a portal account, we have asked its owner. "
                "You will get an email when they answer."), "success")
        return redirect(url_for("circles.cared_for"))
    return render_template("circles/ask.html", form=form)


@bp.route("/account/carers/requests/<int:request_id>", methods=["POST"])
@signed_in
def answer(request_id: int) -> Response:
    form = AnswerForm()
    if not form.validate_on_submit() or form.answer.data not in ("approve", "decline"):
        abort(400)
    try:
        carers.answer(db.session, person=current_user, request_id=request_id,
                      approve=form.answer.data == "approve", by=current_user)
    except carers.CarerError as error:
        if error.kind == "not_found":
            abort(404)
        flash(_messages()[error.kind], "error")
    else:
        flash(_("They can now help you.") if form.answer.data == "approve"
              else _("You have declined the request."), "success")
    return redirect(url_for("circles.access"))
