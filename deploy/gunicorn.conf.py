"""Gunicorn settings for the portal: ``gunicorn -c deploy/gunicorn.conf.py wsgi:app``.

Every value can be overridden from the environment (names beside each one) so that one file
serves every server; docs/deployment.md explains each setting once, in its table.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import traceback
from datetime import UTC, datetime
from typing import Any

from gunicorn.glogging import Logger


def _int(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


# Where to listen: nginx proxies to this address. A Unix socket works too ("unix:/run/portal.sock").
bind = [os.environ.get("PORTAL_BIND", "127.0.0.1:8000")]
# Sync workers: every request holds one worker, so workers = concurrent requests per server.
# (2 x cores) + 1 is gunicorn's own rule of thumb; each worker keeps its own database pool.
workers = _int("GUNICORN_WORKERS", multiprocessing.cpu_count() * 2 + 1)
worker_class = "sync"
# A request that takes longer than this is killed and its worker replaced (the database
# transaction of a killed request rolls back: nothing half-written stays).
timeout = _int("GUNICORN_TIMEOUT", 30)
# On SIGTERM (systemctl stop/restart) workers finish what they are serving for this long.
graceful_timeout = _int("GUNICORN_GRACEFUL_TIMEOUT", 30)
# nginx keeps connections to us open (upstream keepalive); a little longer than nginx's idle.
keepalive = _int("GUNICORN_KEEPALIVE", 5)
# Recycle each worker after about this many requests (jitter spreads the restarts), so a slow
# leak in a dependency can never take a server down.
max_requests = _int("GUNICORN_MAX_REQUESTS", 2000)
max_requests_jitter = _int("GUNICORN_MAX_REQUESTS_JITTER", 200)
# Never preload: each worker opens its own database engine and search index after the fork.
preload_app = False
# Worker heartbeats in memory, not on a disk that may be slow or full.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None  # noqa: S108
# Only nginx on this host may tell us the original scheme; the client address comes from
# X-Forwarded-For through the app's ProxyFix (PROXY_HOPS), never from any other peer.
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")
# Headers and request lines beyond these are refused with 400 before the app sees them.
limit_request_line = 8190
limit_request_fields = 100
limit_request_field_size = 8190

# Logs: both to stderr (journald or the container runtime collects them), access as JSON.
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-")
errorlog = os.environ.get("GUNICORN_ERROR_LOG", "-")
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
proc_name = "portal-web"


class JsonAccessLogger(Logger):  # type: ignore[misc]
    """One JSON object a request, in the app's own log shape.

    The path is logged without its query string: queries can hold postcodes, names or
    search words, which are personal. The request id is the one the app sent back
    (``X-Request-Id``), so an access line and the app's log lines for it share an id.
    """

    def access(self, resp: Any, req: Any, environ: dict[str, Any], request_time: Any) -> None:
        if not self.access_log_enabled:
            return
        status = resp.status.split(None, 1)[0] if isinstance(resp.status, str) else resp.status
        headers = dict((name.lower(), value) for name, value in resp.headers)
        entry = {
            "time": datetime.now(UTC).isoformat(timespec="milliseconds"),
            "level": "INFO",
            "logger": "gunicorn.access",
            "remote_addr": environ.get("REMOTE_ADDR"),
            "method": environ.get("REQUEST_METHOD"),
            "path": environ.get("PATH_INFO"),
            "status": int(status),
            "bytes": getattr(resp, "sent", None),
            "duration_ms": round(request_time.total_seconds() * 1000, 1),
            "request_id": headers.get("x-request-id"),
            "user_agent": environ.get("HTTP_USER_AGENT"),
        }
        try:
            self.access_log.info(json.dumps(entry, ensure_ascii=False))
        except Exception:
            self.error(traceback.format_exc())


logger_class = JsonAccessLogger
