"""Where each area says what it holds about a person, and how to erase it.

Every area that keeps personal data registers, in its ``services.py`` at import time:

    register_exporter("plans", export_plans)     # fn(session, user) -> JSON-able data
    register_eraser("plans", erase_plans)        # fn(session, user) -> None

``create_app`` imports every area (through its blueprint), so by the time a request or a
command runs, every exporter and eraser is known. The registry holds functions only (code,
not per-app state), and this module imports nothing from the portal, so any area can use it.
Erasers run inside the deletion's single transaction, before the account row is anonymised.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Exporter = Callable[[Any, Any], Any]
Eraser = Callable[[Any, Any], None]

_exporters: dict[str, Exporter] = {}
_erasers: dict[str, Eraser] = {}


def _register(table: dict[str, Any], kind: str, name: str, fn: Callable[..., Any]) -> None:
    existing = table.get(name)
    if existing is not None and existing is not fn and existing.__qualname__ != fn.__qualname__:
        raise ValueError(f"two {kind}s are registered as {name!r}")
    table[name] = fn


def register_exporter(name: str, fn: Exporter) -> Exporter:
    _register(_exporters, "exporter", name, fn)
    return fn


def register_eraser(name: str, fn: Eraser) -> Eraser:
    _register(_erasers, "eraser", name, fn)
    return fn


def exporters() -> dict[str, Exporter]:
    return dict(sorted(_exporters.items()))


def erasers() -> dict[str, Eraser]:
    return dict(sorted(_erasers.items()))
