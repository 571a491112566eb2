"""Unbound extension objects. Bound to an app in ``create_app``."""

from flask_babel import Babel
from flask_compress import Compress
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_wtf.csrf import CSRFProtect

from portal.db import Database

db = Database()
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()
# Storage from RATELIMIT_STORAGE_URI: memory by default, Redis when several processes serve.
limiter = Limiter(key_func=get_remote_address, headers_enabled=True)
# Compresses HTML and JSON responses (brotli or gzip by Accept-Encoding); static files are
# precompressed instead (portal/assets.py).
compress = Compress()
