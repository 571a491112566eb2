"""No cold start: open what the first requests would otherwise open, when the process starts.

``init_app`` starts one background thread per serving process that opens the directory
search index and builds its bitsets, compiles every template, loads each language's
catalogue and the bank-holiday calendar. Requests that arrive meanwhile simply wait for the
same locks, as they would have anyway. Off in tests (``WARM_UP``), where ``warm_up`` is called
directly.
"""

from __future__ import annotations

import os
import threading
import time
from datetime import date

from flask import Flask


def warm_up(app: Flask) -> dict[str, float]:
    """Do the once-per-process work now; returns the seconds each step took."""
    from portal.i18n import LANGUAGES
    from portal.search import SearchIndex
    from portal.search.schedules import is_bank_holiday

    timings: dict[str, float] = {}

    def step(name: str, started: float) -> float:
        now = time.perf_counter()
        timings[name] = now - started
        return now

    started = time.perf_counter()
    try:
        with SearchIndex.for_app(app).reading():
            pass
    except Exception as exc:  # no index yet (a fresh install) or a damaged one: requests heal it
        app.logger.info("search index not opened at start-up: %s", type(exc).__name__)
    started = step("search index", started)
    is_bank_holiday(date.today())
    started = step("bank holidays", started)
    for name in app.jinja_env.list_templates(filter_func=lambda n: n.endswith((".html", ".jinja"))):
        app.jinja_env.get_template(name)
    started = step("templates", started)
    from flask_babel import force_locale, get_translations

    with app.test_request_context("/"):
        for code in LANGUAGES:
            with force_locale(code):
                get_translations()
    step("translations", started)
    return timings


def _start(app: Flask) -> None:
    def run() -> None:
        timings = warm_up(app)
        app.logger.info("warmed up in %.2f s (%s)", sum(timings.values()),
                        ", ".join(f"{name} {seconds:.2f} s" for name, seconds in timings.items()))

    threading.Thread(target=run, name="portal-warm-up", daemon=True).start()


def init_app(app: Flask) -> None:
    if not app.config.get("WARM_UP", not app.config["TESTING"]):
        return
    _start(app)
    # A server that loads the app and then forks its workers (gunicorn --preload): each worker
    # forgets what the parent opened and warms up its own.
    from portal.search import SearchIndex

    def in_child() -> None:
        SearchIndex.for_app(app).reset()
        _start(app)

    os.register_at_fork(after_in_child=in_child)
