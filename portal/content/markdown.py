"""Markdown to safe HTML for guidance pages, transcripts and Easy Read versions.

markdown-it-py parses CommonMark (plus tables and strikethrough). Raw HTML in the source is
removed, not shown: its tokens are dropped before rendering, so ``<script>`` and ``<iframe>``
blocks disappear with their content and inline tags leave only their text. ``nh3`` then
sanitises the output against an allow-list (defence in depth): only plain formatting tags,
and links only to ``http``, ``https``, ``mailto`` and ``tel`` addresses or the portal's own
pages (a protocol-relative ``//host`` is not one), so ``javascript:`` links never survive.
Headings are moved down so a page keeps one <h1> (its title). Lists and tables get the NHS.UK
design system's classes.
"""

from __future__ import annotations

import re
from functools import lru_cache

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup

ALLOWED_TAGS = {"p", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li", "strong", "em", "a", "br",
                "blockquote", "code", "pre", "hr", "table", "thead", "tbody", "tr", "th", "td",
                "s"}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "th": {"scope"}, "td": set()}
URL_SCHEMES = {"http", "https", "mailto", "tel"}
CLASSES = {
    "ul": {"class": "nhsuk-list nhsuk-list--bullet"},
    "ol": {"class": "nhsuk-list nhsuk-list--number"},
    "table": {"class": "nhsuk-table"},
}
MAX_SOURCE_CHARS = 100_000


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    parser = MarkdownIt("commonmark", {"html": True, "linkify": False, "typographer": False}) \
        .enable(["table", "strikethrough"])
    # Every link is parsed as a link; nh3 then removes addresses it does not allow, and the
    # link's words stay as plain text (see ``_unlinked``).
    parser.validateLink = lambda url: True  # type: ignore[method-assign]
    return parser


def _without_raw_html(tokens: list) -> tuple[list, bool]:  # type: ignore[type-arg]
    kept, removed = [], False
    for token in tokens:
        if token.type == "html_block":
            removed = True
            continue
        if token.children:
            children = [c for c in token.children if c.type != "html_inline"]
            removed = removed or len(children) != len(token.children)
            token.children = children
        kept.append(token)
    return kept, removed


def _shift_headings(tokens: list, top: int) -> None:  # type: ignore[type-arg]
    for token in tokens:
        if token.type in ("heading_open", "heading_close"):
            level = max(int(token.tag[1]), top)
            token.tag = f"h{min(level, 6)}"


_EMPTY_LINK = re.compile(r'<a(?: title="[^"]*")? rel="noopener noreferrer">(.*?)</a>', re.DOTALL)


def _unlinked(html: str) -> str:
    """Links whose address was removed become their words."""
    return _EMPTY_LINK.sub(r"\1", html)


def _allowed_address(tag: str, attribute: str, value: str) -> str | None:
    """Drop link addresses that would leave the portal without a scheme nh3 can check:
    protocol-relative ``//host/...`` (and ``/\\host``, which browsers read the same way)."""
    if tag == "a" and attribute == "href":
        address = value.strip()
        if address.startswith(("//", "/\\", "\\")) or any(ord(ch) < 32 for ch in address):
            return None
    return value


def render_with_report(text: str | None, *, top: int = 2) -> tuple[Markup, bool]:
    """Safe HTML for ``text``, and whether raw HTML had to be removed from it."""
    if not text:
        return Markup(""), False
    parser = _parser()
    tokens = parser.parse(text[:MAX_SOURCE_CHARS])
    tokens, removed = _without_raw_html(tokens)
    _shift_headings(tokens, top)
    html = parser.renderer.render(tokens, parser.options, {})
    clean = nh3.clean(html, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES,
                      url_schemes=URL_SCHEMES, link_rel="noopener noreferrer",
                      set_tag_attribute_values=CLASSES, strip_comments=True,
                      attribute_filter=_allowed_address)
    return Markup(_unlinked(clean)), removed  # noqa: S704  # nosec B704 - sanitised by nh3 just above


def render(text: str | None, *, top: int = 2) -> Markup:
    """Safe HTML for a page body (``top=2``) or a part below a heading (``top=3``)."""
    return render_with_report(text, top=top)[0]


def plain_text(text: str | None) -> str:
    """The words of a Markdown text, for the search index (no markup, no raw HTML)."""
    if not text:
        return ""
    tokens, _removed = _without_raw_html(_parser().parse(text[:MAX_SOURCE_CHARS]))
    words: list[str] = []
    for token in tokens:
        for child in token.children or ():
            if child.type in ("text", "code_inline"):
                words.append(child.content)
    return " ".join(" ".join(words).split())
