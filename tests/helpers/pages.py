"""Parse an HTML response and check what every page must get right.

``check_page(response)`` asserts: a non-empty <title>, ``lang`` and ``dir`` on <html>,
unique ids, a CSRF field in every POST form, one <h1>, and error-summary links that
point at real fields. It returns a ``Page`` for further assertions.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from html.parser import HTMLParser


@dataclass
class Form:
    action: str
    method: str
    fields: dict[str, str] = field(default_factory=dict)


@dataclass
class Page:
    status: int
    title: str = ""
    lang: str = ""
    direction: str = ""
    ids: list[str] = field(default_factory=list)
    forms: list[Form] = field(default_factory=list)
    links: list[str] = field(default_factory=list)
    h1: list[str] = field(default_factory=list)
    error_summary_links: list[str] = field(default_factory=list)
    error_messages: list[str] = field(default_factory=list)
    text: str = ""

    def form_with(self, name: str) -> Form:
        for form in self.forms:
            if name in form.fields:
                return form
        raise AssertionError(f"no form has a field called {name!r}")

    @property
    def csrf_token(self) -> str:
        return self.form_with("csrf_token").fields["csrf_token"]

    @property
    def error_summary(self) -> list[str]:
        return self.error_messages


class _Parser(HTMLParser):
    def __init__(self, page: Page) -> None:
        super().__init__(convert_charrefs=True)
        self.page = page
        self._stack: list[str] = []
        self._in_title = False
        self._in_h1 = False
        self._in_summary = 0
        self._summary_link: str | None = None
        self._h1_text: list[str] = []
        self._text: list[str] = []
        self._summary_text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: (v or "") for k, v in attrs}
        if "id" in a:
            self.page.ids.append(a["id"])
        if tag == "html":
            self.page.lang = a.get("lang", "")
            self.page.direction = a.get("dir", "")
        elif tag == "title":
            self._in_title = True
        elif tag == "h1":
            self._in_h1 = True
            self._h1_text = []
        elif tag == "form":
            self.page.forms.append(Form(a.get("action", ""), a.get("method", "get").lower()))
        elif tag in ("input", "textarea", "select", "button") and self.page.forms and "name" in a:
            if tag == "input" and a.get("type") in ("checkbox", "radio") and "checked" not in a:
                self.page.forms[-1].fields.setdefault(a["name"], "")
            else:
                self.page.forms[-1].fields[a["name"]] = a.get("value", "")
        elif tag == "a":
            self.page.links.append(a.get("href", ""))
            if self._in_summary:
                self._summary_link = a.get("href", "")
        if "nhsuk-error-summary" in a.get("class", "").split():
            self._in_summary = 1
        elif self._in_summary and tag not in ("input", "br", "img", "meta", "link"):
            self._in_summary += 1
        if self._in_summary and tag == "li":
            self._summary_text = []
        self._stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self._in_title = False
        elif tag == "h1" and self._in_h1:
            self._in_h1 = False
            self.page.h1.append(" ".join("".join(self._h1_text).split()))
        if self._in_summary:
            if tag == "li":
                self.page.error_messages.append(" ".join("".join(self._summary_text).split()))
                if self._summary_link is not None:
                    self.page.error_summary_links.append(self._summary_link)
                self._summary_link = None
            self._in_summary -= 1

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.page.title += data
        if self._in_h1:
            self._h1_text.append(data)
        if self._in_summary:
            self._summary_text.append(data)
        if not self._in_title:
            self._text.append(data)

    def close(self) -> None:
        super().close()
        self.page.title = " ".join(self.page.title.split())
        self.page.text = " ".join(" ".join(self._text).split())


def parse_page(html: str, status: int = 200) -> Page:
    page = Page(status=status)
    parser = _Parser(page)
    parser.feed(html)
    parser.close()
    return page


def check_page(response) -> Page:  # type: ignore[no-untyped-def]
    """Parse and check an HTML response from the Flask test client."""
    assert response.mimetype == "text/html", response.mimetype
    page = parse_page(response.get_data(as_text=True), response.status_code)
    assert page.title.strip(), "page has no title"
    assert page.lang in ("en", "pl", "ar"), f"html lang is {page.lang!r}"
    assert page.direction in ("ltr", "rtl"), f"html dir is {page.direction!r}"
    duplicates = [i for i, n in Counter(page.ids).items() if n > 1]
    assert not duplicates, f"duplicate ids: {duplicates}"
    assert len(page.h1) == 1, f"expected one h1, found {page.h1}"
    for form in page.forms:
        if form.method == "post":
            assert "csrf_token" in form.fields, f"POST form to {form.action} has no CSRF field"
    for href in page.error_summary_links:
        assert re.fullmatch(r"#[\w-]+", href), href
        assert href[1:] in page.ids, f"error summary links to missing field {href}"
    return page
