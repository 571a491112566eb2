# Two commands: `make run` (install, migrate, demo data, serve) and `make test` (install, test).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := PORTAL_ENV=development $(BIN)/flask --app wsgi
PORT ?= 5000
# Test processes (pytest-xdist): `auto` is one per core.
PYTEST_WORKERS ?= auto

.PHONY: run test install install-dev translations compile-translations node system static css lint vendor clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: $(BIN)/python pyproject.toml
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed pyproject.toml
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

install: $(VENV)/.installed compile-translations static

install-dev: $(VENV)/.installed-dev compile-translations static

# Hashed, brotli- and gzip-compressed copies of portal/static in instance/static (portal/assets.py).
static: instance/static/manifest.json

instance/static/manifest.json: $(VENV)/.installed $(shell find portal/static -type f)
	$(FLASK) assets build

compile-translations: $(VENV)/.installed
	$(BIN)/pybabel --quiet compile -d translations

# Re-extract every translatable string and merge it into the catalogues.
translations: $(VENV)/.installed
	$(BIN)/pybabel --quiet extract -F translations/babel.cfg -k _l -k lazy_gettext -o translations/messages.pot --no-location --sort-output --omit-header .
	$(BIN)/pybabel --quiet update -i translations/messages.pot -d translations --no-fuzzy-matching
	$(BIN)/python -m portal.i18n_tools fill-english translations/en/LC_MESSAGES/messages.po

node_modules/.installed: package.json | system
	npm install --no-audit --no-fund --loglevel=error
	touch $@

node: node_modules/.installed

# Chromium (browser tests) and Node.js/npm from the system package manager when missing.
system:
	tools/system-deps

run: install
	$(FLASK) db upgrade
	$(FLASK) demo
	$(FLASK) search reindex
	$(FLASK) content reindex
	@echo "Serving on http://127.0.0.1:$(PORT)  (Ctrl+C to stop)"
	$(FLASK) run --host 127.0.0.1 --port $(PORT)

test: system install-dev node
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/bandit -q -c pyproject.toml -r portal
	$(BIN)/python -m pytest -n $(PYTEST_WORKERS) $(PYTEST_ARGS)

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/bandit -q -c pyproject.toml -r portal

# Build the NHS.UK stylesheet from its Sass sources (styles/nhsuk.scss: the components we use,
# no external font face), keeping only the rules our templates use; the result is committed.
# Run it after using a new NHS.UK component or class in a template (not needed to run).
css: node $(VENV)/.installed
	mkdir -p build
	node_modules/.bin/sass --no-source-map --style=compressed --load-path=node_modules --quiet-deps styles/nhsuk.scss build/nhsuk-full.css
	NHSUK_JINJA_TEMPLATES="$$($(BIN)/python -c 'import nhsuk_frontend_jinja, os; print(os.path.dirname(nhsuk_frontend_jinja.__file__))')/templates" \
	  node_modules/.bin/purgecss --config styles/purgecss.config.cjs

# Refresh the vendored NHS.UK frontend files from node_modules (not needed to run).
vendor: node css
	cp node_modules/nhsuk-frontend/dist/nhsuk/nhsuk-frontend.min.js portal/static/nhsuk/
	cp -r node_modules/nhsuk-frontend/dist/nhsuk/assets/. portal/static/nhsuk/assets/

clean:
	rm -rf $(VENV) node_modules instance
