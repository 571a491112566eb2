"""The portal: a citizen self-management and community-asset portal."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Blueprint, Flask
from sqlalchemy.exc import OperationalError

from portal import assets, cli, errors, i18n, logging, security, warmup
from portal.config import flask_config, read_settings
from portal.extensions import babel, compress, csrf, db, limiter, login_manager
from portal.outbox import init_app as init_outbox
from portal.search import SearchIndex
from portal.search import init_app as init_search


def _blueprints() -> list[Blueprint]:
    from portal.accounts.views import bp as accounts
    from portal.admin.views import bp as admin
    from portal.api.views import bp as api
    from portal.audit.views import bp as audit
    from portal.carers.views import bp as carers
    from portal.circles.views import bp as circles
    from portal.content.views import bp as content
    from portal.directory.views import bp as directory
    from portal.figures.views import bp as figures
    from portal.main.views import bp as main
    from portal.messaging.views import bp as messaging
    from portal.moderation.views import bp as moderation
    from portal.outbox.views import bp as outbox
    from portal.plans.views import bp as plans
    from portal.privacy.views import bp as privacy
    from portal.profile.views import bp as profile
    from portal.pulse.views import bp as pulse

    return [main, accounts, admin, directory, moderation, api, profile, audit, privacy, content,
            outbox, plans, carers, circles,
            messaging, figures, pulse]


def _assets_blueprint() -> Blueprint:
    # nhsuk-frontend's CSS asks for its icons under /assets. Static files are public.
    return Blueprint(
        "assets", __name__, static_folder="static/nhsuk/assets", static_url_path="/assets"
    )


def create_app(overrides: Mapping[str, Any] | None = None) -> Flask:
    app = Flask(__name__, instance_relative_config=False)
    # "/api/services//0" is not a page: a 404, not a redirect to another URL.
    app.url_map.merge_slashes = False
    app.config.from_mapping(flask_config(read_settings()))
    if overrides:
        app.config.from_mapping(overrides)

    logging.init_app(app)
    db.init_app(app)
    login_manager.init_app(app)
    csrf.init_app(app)
    limiter.init_app(app)
    if app.config["PROXY_HOPS"]:
        from werkzeug.middleware.proxy_fix import ProxyFix

        hops = app.config["PROXY_HOPS"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)  # type: ignore[method-assign]
    babel.init_app(app, locale_selector=i18n.select_locale)
    compress.init_app(app)
    SearchIndex(app.config["SEARCH_INDEX_DIR"]).init_app(app)
    init_search(app)
    init_outbox(app)

    for blueprint in _blueprints():
        app.register_blueprint(blueprint)
    app.register_blueprint(_assets_blueprint())

    errors.init_app(app)
    security.init_app(app)
    i18n.init_app(app)
    _init_templates(app)
    _init_login(app)
    cli.init_app(app)
    assets.init_app(app)
    warmup.init_app(app)
    return app


def _init_templates(app: Flask) -> None:
    from jinja2 import ChoiceLoader, PackageLoader

    app.jinja_loader = ChoiceLoader(
        [app.jinja_loader, PackageLoader("nhsuk_frontend_jinja", "templates")]  # type: ignore[list-item]
    )
    # Escape everything but plain-text email bodies, whatever the extension: Flask's default
    # leaves ``.jinja`` (the vendored NHS.UK macros) unescaped, so a name would become markup.
    app.jinja_env.autoescape = _autoescape
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True

    @app.context_processor
    def _globals() -> dict[str, Any]:
        return {"single_point_of_access": app.config["SINGLE_POINT_OF_ACCESS"]}

    def session_timeout_seconds() -> int:
        from flask_login import current_user

        from portal.accounts.sessions import idle_limit

        return int(idle_limit(current_user).total_seconds())

    app.jinja_env.globals["session_timeout_seconds"] = session_timeout_seconds
    # Templates give breadcrumbs as (label, href) pairs; the NHS.UK macro wants dicts.
    app.jinja_env.filters["breadcrumb_item"] = lambda pair: {"text": pair[0], "href": pair[1]}


def _autoescape(name: str | None) -> bool:
    """Autoescape every template but the plain-text emails (``emails/*.txt``), which are never
    served as HTML and must show "O'Brien" as typed."""
    return not (name is not None and name.startswith("emails/") and name.endswith(".txt"))


def _init_login(app: Flask) -> None:
    from flask_babel import lazy_gettext as _l

    from portal.accounts.models import User

    login_manager.login_view = "accounts.sign_in"
    login_manager.login_message = _l("Sign in to see this page.")
    login_manager.login_message_category = "info"

    def _load_user(identity: str) -> User | None:
        from flask import session

        from portal.accounts import services, sessions, signin

        user = db.session.get(User, int(identity)) if identity.isdigit() else None
        if user is None or not user.is_active:
            return None
        try:
            problem = services.check_session(db.session, user=user, token=signin.current_token())
        except OperationalError:
            # Recording activity is best effort: a busy database must not fail the page, but
            # the verdict stands (it is read again without saving anything).
            problem = sessions.check(db.session, user=user, token=signin.current_token())
            db.session.rollback()
        if problem is not None:
            session.clear()
            if problem == "idle":
                session["_signed_out_idle"] = True
            return None
        return user

    login_manager.user_loader(_load_user)
