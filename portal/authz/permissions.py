"""Permissions ("area:resource:action") and roles, each a named bundle of permissions."""

from __future__ import annotations

from enum import StrEnum

from flask_babel import lazy_gettext as _l


class Permission(StrEnum):
    ACCOUNT_SELF_MANAGE = "accounts:self:manage"
    DIRECTORY_LISTING_EDIT = "directory:listing:edit"
    DIRECTORY_REVISION_MODERATE = "directory:revision:moderate"
    CARE_TEAM_WORK = "care:team:work"
    CONTENT_DRAFT_WRITE = "content:draft:write"
    CONTENT_VERSION_APPROVE = "content:version:approve"
    ADMIN_USERS_MANAGE = "admin:users:manage"
    ADMIN_AUDIT_READ = "admin:audit:read"
    STAFF_AREA_USE = "staff:area:use"
    FIGURES_VIEW = "figures:reports:view"


class Role(StrEnum):
    RESIDENT = "resident"
    CARER = "carer"
    EDITOR = "editor"
    MODERATOR = "moderator"
    CARE_WORKER = "care_worker"
    AUTHOR = "author"
    APPROVER = "approver"
    MANAGER = "manager"
    ADMIN = "admin"

    @property
    def label(self) -> str:
        return str(ROLE_LABELS[self])

    @property
    def description(self) -> str:
        return str(ROLE_DESCRIPTIONS[self])

    @property
    def is_staff(self) -> bool:
        return self not in (Role.RESIDENT, Role.CARER)


ROLE_LABELS = {
    Role.RESIDENT: _l("Resident"),
    Role.CARER: _l("Carer"),
    Role.EDITOR: _l("Voluntary-sector editor"),
    Role.MODERATOR: _l("Directory moderator"),
    Role.CARE_WORKER: _l("Care worker"),
    Role.AUTHOR: _l("Content author"),
    Role.APPROVER: _l("Clinical approver"),
    Role.MANAGER: _l("Manager or commissioner"),
    Role.ADMIN: _l("Administrator"),
}

ROLE_DESCRIPTIONS = {
    Role.RESIDENT: _l("Finds services, reads guidance, keeps a plan and messages their care team."),
    Role.CARER: _l("Does what a resident does on behalf of the person they care for, with consent."),
    Role.EDITOR: _l("Keeps their own organisation's directory listings up to date."),
    Role.MODERATOR: _l("Reviews and publishes editors' changes to the directory."),
    Role.CARE_WORKER: _l("Works in a locality care team: reads shared plans and answers messages."),
    Role.AUTHOR: _l("Writes self-management guidance and video pages."),
    Role.APPROVER: _l("Clinically approves each version of guidance before residents see it."),
    Role.MANAGER: _l("Sees figures about the service (counts and rates only, never a person)."),
    Role.ADMIN: _l("Manages accounts and roles."),
}

_CITIZEN = frozenset({Permission.ACCOUNT_SELF_MANAGE})
_STAFF = frozenset({Permission.ACCOUNT_SELF_MANAGE, Permission.STAFF_AREA_USE})

ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.RESIDENT: _CITIZEN,
    Role.CARER: _CITIZEN,
    Role.EDITOR: _STAFF | {Permission.DIRECTORY_LISTING_EDIT},
    Role.MODERATOR: _STAFF | {Permission.DIRECTORY_REVISION_MODERATE},
    Role.CARE_WORKER: _STAFF | {Permission.CARE_TEAM_WORK},
    Role.AUTHOR: _STAFF | {Permission.CONTENT_DRAFT_WRITE},
    Role.APPROVER: _STAFF | {Permission.CONTENT_VERSION_APPROVE},
    Role.MANAGER: _STAFF | {Permission.FIGURES_VIEW},
    Role.ADMIN: _STAFF | {Permission.ADMIN_USERS_MANAGE, Permission.ADMIN_AUDIT_READ,
                          Permission.FIGURES_VIEW},
}


def permissions_for(roles: set[Role] | frozenset[Role]) -> frozenset[Permission]:
    granted: set[Permission] = set()
    for role in roles:
        granted |= ROLE_PERMISSIONS[role]
    return frozenset(granted)
