from portal.authz import Role
from tests.helpers.factories import make_user


def test_admin_lists_and_searches_accounts(client, session):
    admin = make_user(session, Role.ADMIN, name="Alex Admin")
    make_user(session, Role.EDITOR, name="Eddie Editor", email="eddie@example.test")
    client.sign_in_as(admin)
    page = client.page("/admin/users?q=EDDIE")
    assert "Eddie Editor" in page.text and "Alex Admin" not in page.text
    assert "Voluntary-sector editor" in page.text


def test_admin_changes_someones_roles(client, session):
    admin = make_user(session, Role.ADMIN)
    person = make_user(session, Role.RESIDENT)
    client.sign_in_as(admin)
    response = client.submit(f"/admin/users/{person.id}", {"roles": ["resident", "carer"]})
    assert response.status_code == 302
    session.refresh(person)
    assert person.roles == {Role.RESIDENT, Role.CARER}
    assert "Roles updated." in client.page(f"/admin/users/{person.id}").text


def test_admin_cannot_remove_their_own_admin_role(client, session):
    admin = make_user(session, Role.ADMIN)
    client.sign_in_as(admin)
    response = client.submit(f"/admin/users/{admin.id}", {"roles": ["resident"]})
    from tests.helpers.pages import check_page

    page = check_page(response)
    assert page.error_summary == ["You cannot remove your own administrator role"]
    session.refresh(admin)
    assert Role.ADMIN in admin.roles


def test_unknown_role_value_is_refused_with_a_message(client, session):
    admin = make_user(session, Role.ADMIN)
    person = make_user(session)
    client.sign_in_as(admin)
    response = client.submit(f"/admin/users/{person.id}", {"roles": ["emperor"]})
    assert response.status_code == 200
    session.refresh(person)
    assert person.roles == {Role.RESIDENT}


def test_unknown_account_is_a_404(client, session):
    client.sign_in_as(make_user(session, Role.ADMIN))
    assert client.get("/admin/users/999999").status_code == 404


def test_admin_disables_an_account_and_its_sessions_end(client, another_client, session):
    admin = make_user(session, Role.ADMIN)
    person = make_user(session)
    victim = another_client
    victim.sign_in_as(person)
    client.sign_in_as(admin)
    response = client.submit(f"/admin/users/{person.id}/active", {"active": "0"},
                             form_url=f"/admin/users/{person.id}")
    assert response.status_code == 302
    session.refresh(person)
    assert person.is_active is False
    assert victim.get("/account/").status_code == 302
    assert "Account disabled." in client.page(f"/admin/users/{person.id}").text


def test_admin_cannot_disable_themselves(client, session):
    admin = make_user(session, Role.ADMIN)
    client.sign_in_as(admin)
    client.submit(f"/admin/users/{admin.id}/active", {"active": "0"},
                  form_url=f"/admin/users/{admin.id}")
    session.refresh(admin)
    assert admin.is_active
