"""Every user-facing string is in the English, Polish and Arabic catalogues."""

import subprocess
import sys
from pathlib import Path

from portal.i18n_tools import TRANSLATIONS_DIR, check_catalogues, read_catalogue

ROOT = Path(__file__).resolve().parents[2]


def test_every_message_is_translated_in_every_catalogue(tmp_path):
    pot = tmp_path / "messages.pot"
    subprocess.run(
        [sys.executable, "-m", "babel.messages.frontend", "--quiet", "extract",
         "-F", str(TRANSLATIONS_DIR / "babel.cfg"), "-k", "_l", "-k", "lazy_gettext",
         "-o", str(pot), "--no-location", "."],
        cwd=ROOT, check=True,
    )
    template = read_catalogue(pot)
    assert len(template) > 50, "extraction found suspiciously few messages"
    problems = check_catalogues(template)
    assert [str(p) for p in problems] == []


def test_the_checker_notices_a_missing_translation(tmp_path):
    from babel.messages.catalog import Catalog
    from babel.messages.pofile import write_po

    template = Catalog()
    template.add("A message nobody translated")
    for locale in ("en", "pl", "ar"):
        folder = tmp_path / locale / "LC_MESSAGES"
        folder.mkdir(parents=True)
        catalogue = Catalog(locale=locale)
        catalogue.add("A message nobody translated", "" if locale == "ar" else "x")
        with (folder / "messages.po").open("wb") as handle:
            write_po(handle, catalogue)
    problems = check_catalogues(template, directory=tmp_path)
    assert [(p.locale, p.reason) for p in problems] == [("ar", "untranslated")]
