"""Every page template has a title and builds its forms with the form macro."""

import re
from pathlib import Path

TEMPLATES = Path(__file__).resolve().parents[2] / "portal" / "templates"
NOT_PAGES = {"layouts", "components", "emails"}
RAW_FORM_ALLOWED = {"components/forms.html", "components/header.html"}


def _pages():
    for path in sorted(TEMPLATES.rglob("*.html")):
        relative = path.relative_to(TEMPLATES)
        if relative.parts[0] not in NOT_PAGES and not relative.name.startswith("_"):
            yield relative, path.read_text(encoding="utf-8")


def test_every_page_extends_a_layout_and_sets_a_title():
    for relative, source in _pages():
        assert re.search(r'{%\s*extends\s+"(layouts/base|errors/_error)\.html"', source), relative
        if "errors/_error.html" not in source:
            assert "{% block title %}" in source, f"{relative} has no title block"


def test_forms_are_built_with_the_form_macro():
    for path in sorted(TEMPLATES.rglob("*.html")):
        relative = str(path.relative_to(TEMPLATES))
        if relative not in RAW_FORM_ALLOWED:
            assert "<form" not in path.read_text(encoding="utf-8"), relative
