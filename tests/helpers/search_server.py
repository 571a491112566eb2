"""An app process of its own, for tests of several web servers on one database.

``python -m tests.helpers.search_server serve CONFIG``: serve the app over HTTP on a free port
of 127.0.0.1 and print ``port N`` once listening. ``... publish CONFIG NAME``: publish a
listing called NAME through the app's own session (its hooks, its commit), then exit.
CONFIG is JSON: the app's configuration overrides (``tests.conftest.app_overrides``).
"""

from __future__ import annotations

import json
import sys


def main(argv: list[str]) -> int:
    from werkzeug.serving import make_server

    from portal import create_app
    from portal.extensions import db

    command, overrides = argv[0], json.loads(argv[1])
    app = create_app(overrides)
    if command == "serve":
        server = make_server("127.0.0.1", 0, app, threaded=True)
        print(f"port {server.server_port}", flush=True)
        server.serve_forever()
        return 0
    if command == "publish":
        import secrets

        from portal.directory.models import Organisation
        from tests.helpers.factories import make_listing

        with app.app_context():
            slug = f"publisher-{secrets.token_hex(4)}"  # this process's own factory counter restarts
            make_listing(db.session, name=argv[2], organisation=Organisation(slug=slug, name=slug))
            db.session.commit()
        print("published", flush=True)
        return 0
    print(f"unknown command {command!r}", file=sys.stderr)
    return 2


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
