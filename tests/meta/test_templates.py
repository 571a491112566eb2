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
        match = re.search(r'{%\s*extends\s+"([\w/]+\.html)"', source)
        assert match, f"{relative} extends no layout"
        parent = match.group(1)
        if parent == "layouts/base.html":
            assert "{% block title %}" in source, f"{relative} has no title block"
        else:
            # A shared page base (errors/_error.html, accounts/_simple_form.html…) sets the title.
            assert parent.rsplit("/", 1)[-1].startswith("_"), relative
            base = (TEMPLATES / parent).read_text(encoding="utf-8")
            assert '{% extends "layouts/base.html" %}' in base and "{% block title %}" in base


def test_forms_are_built_with_the_form_macro():
    for path in sorted(TEMPLATES.rglob("*.html")):
        relative = str(path.relative_to(TEMPLATES))
        if relative not in RAW_FORM_ALLOWED:
            assert "<form" not in path.read_text(encoding="utf-8"), relative
