from __future__ import annotations

from flask.cli import AppGroup

directory_cli = AppGroup("directory", help="The community directory (Open Referral UK).")
geo_cli = AppGroup("geo", help="Postcodes and places.")
