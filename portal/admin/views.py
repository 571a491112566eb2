from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import or_, select
from werkzeug.wrappers import Response

from portal.accounts import services
from portal.accounts.models import User
from portal.admin.forms import ActiveForm, RolesForm, UserSearchForm
from portal.authz import Permission, Role, requires
from portal.authz.loading import get_or_404
from portal.extensions import db

bp = Blueprint("admin", __name__, url_prefix="/admin")

PAGE_SIZE = 50


@bp.route("/users")
@requires(Permission.ADMIN_USERS_MANAGE)
def users() -> str:
    form = UserSearchForm(request.args)
    query = select(User).order_by(User.display_name, User.id).limit(PAGE_SIZE)
    if form.validate() and form.q.data:
        like = f"%{form.q.data.strip().lower()}%"
        query = query.where(or_(User.email.like(like), User.display_name.ilike(like)))
    return render_template("admin/users.html", form=form, users=db.session.scalars(query).all())


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
@requires(Permission.ADMIN_USERS_MANAGE)
def user_detail(user_id: int) -> str | Response:
    user = get_or_404(User, user_id)
    form = RolesForm(data={"roles": sorted(role.value for role in user.roles)})
    if form.validate_on_submit():
        try:
            services.set_roles(
                db.session, user=user, roles={Role(r) for r in form.roles.data}, by=current_user
            )
        except services.AccountError:
            form.roles.errors = [_("You cannot remove your own administrator role")]
        else:
            flash(_("Roles updated."), "success")
            return redirect(url_for("admin.user_detail", user_id=user.id))
    return render_template("admin/user_detail.html", user=user, form=form)


@bp.route("/users/<int:user_id>/active", methods=["POST"])
@requires(Permission.ADMIN_USERS_MANAGE)
def set_active(user_id: int) -> Response:
    user = get_or_404(User, user_id)
    form = ActiveForm()
    if form.validate_on_submit():
        try:
            services.set_active(db.session, user=user, active=form.active.data == "1",
                                by=current_user)
        except services.AccountError:
            flash(_("You cannot disable your own account."), "error")
        else:
            flash(_("Account enabled.") if user.is_active else
                  _("Account disabled. Every session of this person has ended."), "success")
    return redirect(url_for("admin.user_detail", user_id=user.id))
