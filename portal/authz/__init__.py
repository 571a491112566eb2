"""Who may do what: permissions, roles, route rules and object policies."""

from portal.authz.decorators import AccessRule, public, requires, signed_in
from portal.authz.permissions import Permission, Role, permissions_for

__all__ = ["AccessRule", "Permission", "Role", "permissions_for", "public", "requires", "signed_in"]
