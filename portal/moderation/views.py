"""Editors' and moderators' pages, and "report a problem"."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("moderation", __name__)
