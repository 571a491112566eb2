"""Route-level access rules. Every view declares exactly one.

``public``: anyone; ``signed_in``: any signed-in person; ``requires(permission)``: a
signed-in person whose roles grant the permission. The meta-test in
``tests/meta/test_access_rules.py`` walks the URL map and fails on a view without a rule.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any, TypeVar

from flask import abort
from flask_login import current_user

from portal.authz.permissions import Permission
from portal.extensions import login_manager

F = TypeVar("F", bound=Callable[..., Any])


@dataclass(frozen=True)
class AccessRule:
    kind: str  # "public" | "signed_in" | "permission"
    permission: Permission | None = None

    def allows(self, user: Any) -> bool:
        if self.kind == "public":
            return True
        if not getattr(user, "is_authenticated", False):
            return False
        if self.kind == "signed_in":
            return True
        return self.permission is not None and user.has_permission(self.permission)


def _mark(view: F, rule: AccessRule) -> F:
    if hasattr(view, "access_rule"):
        raise RuntimeError(f"{view.__name__} declares two access rules")
    view.access_rule = rule  # type: ignore[attr-defined]
    return view


def public(view: F) -> F:
    return _mark(view, AccessRule("public"))


def _guarded(view: F, rule: AccessRule) -> F:
    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if not current_user.is_authenticated:
            return login_manager.unauthorized()
        if not rule.allows(current_user):
            abort(403)
        return view(*args, **kwargs)

    return _mark(wrapper, rule)  # type: ignore[return-value]


def signed_in(view: F) -> F:
    return _guarded(view, AccessRule("signed_in"))


def requires(permission: Permission) -> Callable[[F], F]:
    def decorator(view: F) -> F:
        return _guarded(view, AccessRule("permission", permission))

    return decorator
