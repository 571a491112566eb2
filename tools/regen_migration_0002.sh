#!/usr/bin/env bash
# Development helper while the directory schema settles: rewrite migration 0002 from the models.
# (Once a release has shipped, never rewrite a migration: add a new one.)
set -euo pipefail
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
rm -f migrations/versions/0002_directory.py
export PORTAL_ENV=development DATABASE_URL="sqlite:///$tmp/regen.sqlite3" SEARCH_INDEX_DIR="$tmp/index"
.venv/bin/flask --app wsgi db upgrade >/dev/null
.venv/bin/flask --app wsgi db revision -m "directory, moderation and search tables" >/dev/null
f=$(ls migrations/versions/*.py | grep -v -E '/000[0-9]_' )
sed -i "s/^revision: str = '[0-9a-f]*'/revision: str = '0002'/; s/^Revision ID: [0-9a-f]*/Revision ID: 0002/" "$f"
mv "$f" migrations/versions/0002_directory.py
rm -rf "$tmp"
echo "rewrote migrations/versions/0002_directory.py"
