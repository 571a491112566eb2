"""Search: one small interface of ours (``backend``) in front of two engines.

``SEARCH_BACKEND=whoosh`` (the default): an on-disk Whoosh index on each server, following the
database through the change log. ``SEARCH_BACKEND=postgresql``: full-text search in the
database itself, written in the same transaction as each change. The database is the truth;
either index can always be rebuilt from it (``flask search reindex``). Other code searches
through ``portal.search.services.search_services``.
"""

from flask import Flask

from portal.search.index import SearchIndex


def init_app(app: Flask) -> None:
    """The app's engine, and the session hooks that keep it in step (see ``outbox``)."""
    from portal.search import backend, outbox

    name = app.config.get("SEARCH_BACKEND", "whoosh")
    if name not in backend.BACKENDS:
        from portal.config import ConfigError

        raise ConfigError(f"SEARCH_BACKEND must be one of {', '.join(backend.BACKENDS)}; got {name!r}.")
    engine: backend.SearchBackend
    if name == "postgresql":
        from portal.search import postgres

        postgres.check_database(app)
        engine = postgres.PostgresBackend()
    else:
        from portal.search.whoosh_backend import WhooshBackend

        engine = WhooshBackend(app=app)
    app.extensions[backend.EXTENSION] = engine
    outbox.init_app(app)


__all__ = ["SearchIndex", "init_app"]
