"""Two gunicorn servers against one PostgreSQL and one Redis: a sign-in on one is known on the
other, signing out on one ends it on both, and the sign-in rate limit counts across both."""

from __future__ import annotations

import re
import secrets

from portal import demo
from tests.ops.helpers import app_from_environ, dispose, production_environ
from tests.ops.servers import Browser, Gunicorn, PgCluster

# A Redis database of the tests' own; keys are per client address (a random one) and expire.
REDIS = "redis://127.0.0.1:6379/9"
SIGN_IN_LIMIT_PER_MINUTE = 20


def test_two_servers_share_sign_ins_and_rate_limits(tmp_path):
    cluster = PgCluster()
    servers: list[Gunicorn] = []
    try:
        cluster.start()
        environ = production_environ(cluster.create_database("portal"), tmp_path / "index-a",
                                     RATELIMIT_STORAGE_URI=REDIS)
        setup = app_from_environ(environ)
        for command in (["db", "upgrade"], ["demo"]):
            assert setup.test_cli_runner().invoke(args=command).exit_code == 0
        dispose(setup)
        for name in ("a", "b"):  # each server its own index directory, as on its own host
            servers.append(Gunicorn({**environ, "SEARCH_INDEX_DIR": str(tmp_path / f"index-{name}")},
                                    workers=2, log=tmp_path / f"gunicorn-{name}.log").start())
        a, b = (server.port for server in servers)

        resident = Browser(a)
        assert resident.sign_in("resident@demo.portal.test", demo.read_people().password).status == 302
        on_b = resident.get("/account/", port=b)
        assert on_b.status == 200 and "Sign out" in on_b.body
        assert resident.submit("/account/sign-out", {}, form_path="/account/", port=b).status == 302
        assert resident.get("/account/", port=a).status == 302  # signed out on A too

        stranger = Browser(a, client_ip=f"192.0.2.{secrets.randbelow(250) + 1}")
        # One form, posted again and again (quickly: the limit's minute starts at the first post).
        token = re.search(r'name="csrf_token" value="([^"]+)"', stranger.get("/account/sign-in").body
                          ).group(1)
        statuses = [stranger.request("POST", "/account/sign-in",
                                     {"csrf_token": token, "password": "not the password",
                                      "email": f"nobody-{secrets.token_hex(3)}@example.test"},
                                     port=(a, b)[attempt % 2]).status
                    for attempt in range(SIGN_IN_LIMIT_PER_MINUTE + 4)]
        assert statuses[:SIGN_IN_LIMIT_PER_MINUTE] == [200] * SIGN_IN_LIMIT_PER_MINUTE
        assert statuses[SIGN_IN_LIMIT_PER_MINUTE:] == [429] * 4  # on A and on B alike
    finally:
        for server in servers:
            server.stop()
        cluster.remove()
