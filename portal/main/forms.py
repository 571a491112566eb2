from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import Form, SearchField

from portal.forms import clean_line
from portal.search.text import MAX_QUERY_CHARS


def _short(value: str | None) -> str | None:
    value = clean_line(value)
    return value[:MAX_QUERY_CHARS] if isinstance(value, str) else value


class SearchAllForm(Form):
    q = SearchField(_l("Search services and health guidance"), filters=[_short],
                    description=_l("For example, lonely, short of breath or money worries"))
