"""The fault suite: real servers and databases on 127.0.0.1, killed and restarted on purpose.

Marked ``fault`` (``-m "not fault"`` leaves it out); each test is bounded by its round count
and the servers' own timeouts, and every server it starts is stopped in a ``finally``.
"""

from __future__ import annotations

import pytest


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/fault/" in str(item.path).replace("\\", "/"):
            item.add_marker(pytest.mark.fault)
