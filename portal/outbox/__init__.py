"""The one outbox for everything that happens after a commit (see ``core``)."""

from portal.outbox.core import enqueue, handler, init_app

__all__ = ["enqueue", "handler", "init_app"]
