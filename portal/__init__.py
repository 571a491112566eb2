"""The portal: a citizen self-management and community-asset portal."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Blueprint, Flask

from portal import cli, errors, i18n, logging, security
from portal.config import flask_config, read_settings
from portal.extensions import babel, csrf, db, login_manager
from portal.search import SearchIndex


def _blueprints() -> list[Blueprint]:
    from portal.accounts.views import bp as accounts
    from portal.admin.views import bp as admin
    from portal.api.views import bp as api
    from portal.directory.views import bp as directory
    from portal.main.views import bp as main
    from portal.moderation.views import bp as moderation

    return [main, accounts, admin, directory, moderation, api]


def _assets_blueprint() -> Blueprint:
    # nhsuk-frontend's CSS asks for its icons under /assets. Static files are public.
    return Blueprint(
        "assets", __name__, static_folder="static/nhsuk/assets", static_url_path="/assets"
    )


def create_app(overrides: Mapping[str, Any] | None = None) -> Flask:
    app = Flask(__name__, instance_relative_config=False)
    app.config.from_mapping(flask_config(read_settings()))
    if overrides:
        app.config.from_mapping(overrides)

    logging.init_app(app)
    db.init_app(app)
    login_manager.init_app(app)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=i18n.select_locale)
    SearchIndex(app.config["SEARCH_INDEX_DIR"]).init_app(app)

    for blueprint in _blueprints():
        app.register_blueprint(blueprint)
    app.register_blueprint(_assets_blueprint())

    errors.init_app(app)
    security.init_app(app)
    i18n.init_app(app)
    _init_templates(app)
    _init_login(app)
    cli.init_app(app)
    return app


def _init_templates(app: Flask) -> None:
    from jinja2 import ChoiceLoader, PackageLoader

    app.jinja_loader = ChoiceLoader(
        [app.jinja_loader, PackageLoader("nhsuk_frontend_jinja", "templates")]  # type: ignore[list-item]
    )
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True

    @app.context_processor
    def _globals() -> dict[str, Any]:
        return {"single_point_of_access": app.config["SINGLE_POINT_OF_ACCESS"]}


def _init_login(app: Flask) -> None:
    from flask_babel import lazy_gettext as _l

    from portal.accounts.models import User

    login_manager.login_view = "accounts.sign_in"
    login_manager.login_message = _l("Sign in to see this page.")
    login_manager.login_message_category = "info"

    @login_manager.user_loader
    def _load_user(identity: str) -> User | None:
        user_id, _sep, generation = identity.partition(":")
        if not user_id.isdigit() or not generation.isdigit():
            return None
        user = db.session.get(User, int(user_id))
        if user is None or not user.is_active or user.session_generation != int(generation):
            return None
        return user
