"""When the shared rate-limit store (Redis) cannot be reached, rate-limited forms still work:
each server counts in its own memory until the store is back, and logs that it fell back.

The app runs in a child process: the rate limiter is one object per process, and an app bound
to a dead store must not leave it to the other tests."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

CHILD = r'''
import json, logging, re, sys
from pathlib import Path
from tests.ops.helpers import app_from_environ, dispose, free_port, migrated_database, production_environ

class Seen(logging.Handler):
    lines = []
    def emit(self, record):
        Seen.lines.append(record.getMessage())

logging.getLogger().addHandler(Seen())
logging.getLogger().setLevel(logging.WARNING)
work = Path(sys.argv[1])
with migrated_database("sqlite", work) as url:
    app = app_from_environ(production_environ(
        url, work / "index", RATELIMIT_STORAGE_URI=f"redis://127.0.0.1:{free_port()}/0"))
    client = app.test_client()

    def sign_in(email):
        page = client.get("/account/sign-in", base_url="https://127.0.0.1")
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.get_data(as_text=True))
        response = client.post("/account/sign-in", base_url="https://127.0.0.1",
                               data={"csrf_token": token.group(1), "email": email,
                                     "password": "not the password"},
                               headers={"Referer": "https://127.0.0.1/account/sign-in"})
        return response.status_code, "Traceback" in response.get_data(as_text=True)

    first = sign_in("nobody@example.org")
    later = [sign_in(f"person{n}@example.org")[0] for n in range(25)]
    dispose(app)
print(json.dumps({"first": first, "later": later, "log": Seen.lines}))
'''


def test_a_rate_limited_form_answers_and_still_limits_when_redis_is_down(tmp_path):
    done = subprocess.run([sys.executable, "-c", CHILD, str(tmp_path)], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-3000:]
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    assert seen["first"] == [200, False], seen["first"]
    assert any("falling back to in-memory storage" in line for line in seen["log"])
    # The limit still holds (20 sign-in attempts a minute from one address), in memory.
    assert 429 in seen["later"] and 500 not in seen["later"]
