"""The plan's section list is data; its strings reach the catalogues; the difference reads."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from portal.plans import sections as catalogue
from portal.plans.sections import Kind, load_sections
from portal.plans.sections_i18n import SECTION_STRINGS


def test_every_section_title_and_prompt_is_listed_for_translation():
    listed = {s._args[0] for s in SECTION_STRINGS}  # lazy strings keep their English
    for section in catalogue.sections():
        assert {section.title_en, section.prompt_en, section.easy_read_en} <= listed, section.id


def test_the_sections_the_issue_asks_for_are_there_in_order():
    assert [s.id for s in catalogue.sections()] == [
        "about_me", "what_matters", "health", "communication", "people", "goals", "support",
        "crisis", "carer"]
    assert {s.id for s in catalogue.sections() if s.emergency} == {
        "communication", "people", "crisis", "carer"}


def test_two_sections_with_one_id_are_refused(tmp_path: Path):
    path = tmp_path / "sections.yaml"
    path.write_text("- {id: a, kind: text, title: A, prompt: P, easy_read: E}\n"
                    "- {id: a, kind: text, title: B, prompt: P, easy_read: E}\n")
    with pytest.raises(ValueError, match="share an id"):
        load_sections(path)


def test_size_counts_every_field_of_a_section():
    assert catalogue.size({"goals": [{"title": "ab", "steps": "cde", "status": "working"}]}) == 12
    assert catalogue.size({"red_signs": "x" * 10, "green_call": "y"}) == 11
    assert catalogue.is_empty({"text": ""}) and not catalogue.is_empty({"text": "a"})
    assert catalogue.is_empty(catalogue.empty_content(Kind.CRISIS))


def test_a_section_with_an_unknown_picture_is_refused(tmp_path: Path):
    data = tmp_path / "sections.yaml"
    data.write_text("- {id: a, kind: text, title: A, prompt: P, easy_read: E, picture: kite}\n",
                    encoding="utf-8")
    with pytest.raises(ValueError, match="no Easy Read picture called kite"):
        load_sections(data)


def test_every_picture_is_drawn():
    drawn = set(re.findall(r'name == "(\w+)"', (Path(catalogue.__file__).parents[1] / "templates"
                                                / "plans" / "_pictures.html").read_text()))
    assert drawn == set(catalogue.PICTURES)
