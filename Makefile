# Two commands: `make run` (install, migrate, demo data, serve) and `make test` (install, test).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := PORTAL_ENV=development $(BIN)/flask --app wsgi
PORT ?= 5000

.PHONY: run test install install-dev translations compile-translations node lint vendor clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: $(BIN)/python pyproject.toml
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed pyproject.toml
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

install: $(VENV)/.installed compile-translations

install-dev: $(VENV)/.installed-dev compile-translations

compile-translations: $(VENV)/.installed
	$(BIN)/pybabel --quiet compile -d translations

# Re-extract every translatable string and merge it into the catalogues.
translations: $(VENV)/.installed
	$(BIN)/pybabel --quiet extract -F translations/babel.cfg -k _l -k lazy_gettext -o translations/messages.pot --no-location --sort-output --omit-header .
	$(BIN)/pybabel --quiet update -i translations/messages.pot -d translations --no-fuzzy-matching
	$(BIN)/python -m portal.i18n_tools fill-english translations/en/LC_MESSAGES/messages.po

node_modules/.installed: package.json
	npm install --no-audit --no-fund --loglevel=error
	touch $@

node: node_modules/.installed

run: install
	$(FLASK) db upgrade
	$(FLASK) demo
	$(FLASK) search reindex
	$(FLASK) content reindex
	@echo "Serving on http://127.0.0.1:$(PORT)  (Ctrl+C to stop)"
	$(FLASK) run --host 127.0.0.1 --port $(PORT)

test: install-dev node
	$(BIN)/ruff check .
	$(BIN)/bandit -q -c pyproject.toml -r portal
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/bandit -q -c pyproject.toml -r portal

# Refresh the vendored NHS.UK frontend files from node_modules (not needed to run).
vendor: node
	cp node_modules/nhsuk-frontend/dist/nhsuk/nhsuk-frontend.min.css portal/static/nhsuk/
	cp node_modules/nhsuk-frontend/dist/nhsuk/nhsuk-frontend.min.js portal/static/nhsuk/
	cp -r node_modules/nhsuk-frontend/dist/nhsuk/assets/. portal/static/nhsuk/assets/

clean:
	rm -rf $(VENV) node_modules instance
