import pytest

from portal.security import safe_next_url


@pytest.mark.parametrize("target", ["/", "/account/", "/admin/users?q=a%20b"])
def test_local_paths_are_kept(target):
    assert safe_next_url(target) == target


@pytest.mark.parametrize("target", [
    None, "", "https://evil.example/", "//evil.example/", "/\\evil.example", "\\\\evil",
    "javascript:alert(1)", "http:/evil", " //evil.example", "/" + "a" * 3000,
    "/\r\nSet-Cookie: x=1", "/\nX", "/a\tb", "/a b", "/\x00", "/\x7f", "/\u2028x", "/\u200bx",
])
def test_anything_that_could_leave_the_site_is_refused(target):
    assert safe_next_url(target) is None
