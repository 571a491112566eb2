"""Search: one small interface of ours in front of an on-disk Whoosh index.

The database is the truth; the index follows it and can always be rebuilt from it.
Other code searches through ``portal.search.services.search_services``.
"""

from flask import Flask

from portal.search.index import SearchIndex


def init_app(app: Flask) -> None:
    """Keep the index in step with the database: session hooks (see ``outbox``)."""
    from portal.search import outbox

    outbox.init_app(app)


__all__ = ["SearchIndex", "init_app"]
