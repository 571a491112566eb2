"""Public directory pages: search and service listings."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("directory", __name__)
