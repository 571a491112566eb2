from portal.authz import Permission, Role, permissions_for
from portal.authz.permissions import ROLE_PERMISSIONS


def test_every_role_has_a_label_a_description_and_permissions():
    for role in Role:
        assert role.label and role.description
        assert ROLE_PERMISSIONS[role]


def test_citizens_hold_no_staff_permission():
    for role in (Role.RESIDENT, Role.CARER):
        assert Permission.STAFF_AREA_USE not in permissions_for({role})
        assert not role.is_staff


def test_several_roles_combine_their_permissions():
    combined = permissions_for({Role.EDITOR, Role.CARE_WORKER})
    assert Permission.DIRECTORY_LISTING_EDIT in combined
    assert Permission.CARE_TEAM_WORK in combined
    assert Permission.ADMIN_USERS_MANAGE not in combined


def test_only_admins_manage_users():
    holders = {role for role in Role if Permission.ADMIN_USERS_MANAGE in permissions_for({role})}
    assert holders == {Role.ADMIN}


def test_every_permission_is_granted_to_some_role():
    granted = permissions_for(set(Role))
    assert granted == set(Permission)
