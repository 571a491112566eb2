"""Markdown becomes safe HTML: raw HTML, scripts, iframes and javascript: links are removed."""

from portal.content.markdown import plain_text, render, render_with_report


def test_markdown_headings_lists_and_links_render_with_design_system_classes():
    html = str(render("# Title\n\n## Part\n\n- one\n- two\n\n1. first\n\n"
                      "[NHS](https://www.nhs.uk) and [help](/guidance/) and [call](tel:111)"))
    assert "<h2>Title</h2>" in html and "<h2>Part</h2>" in html
    assert '<ul class="nhsuk-list nhsuk-list--bullet">' in html
    assert '<ol class="nhsuk-list nhsuk-list--number">' in html
    assert '<a href="https://www.nhs.uk" rel="noopener noreferrer">NHS</a>' in html
    assert '<a href="/guidance/" rel="noopener noreferrer">help</a>' in html
    assert '<a href="tel:111" rel="noopener noreferrer">call</a>' in html


def test_markdown_raw_html_scripts_and_iframes_are_stripped():
    html, removed = render_with_report(
        "Before <b onclick=\"x()\">bold</b> after\n\n<script>alert('x')</script>\n\n"
        "<iframe src=\"https://evil.example\"></iframe>\n\n<img src=x onerror=alert(1)>\n\nEnd")
    assert removed is True
    text = str(html)
    for bad in ("<script", "alert", "<iframe", "evil.example", "onerror", "onclick", "<b", "<img"):
        assert bad not in text
    assert "<p>Before bold after</p>" in text and "<p>End</p>" in text


def test_markdown_javascript_and_data_links_never_become_links():
    text = str(render("[a](javascript:alert(1)) [b](JaVaScRiPt:alert(1)) [c](data:text/html,x) "
                      "[d](vbscript:x)"))
    assert "href" not in text


def test_markdown_transcript_headings_sit_below_the_page_heading():
    assert "<h3>Title</h3>" in str(render("# Title\n\n## Part", top=3))
    assert "<h3>Part</h3>" in str(render("# Title\n\n## Part", top=3))


def test_markdown_plain_text_keeps_words_not_markup():
    assert plain_text("## Short of breath\n\nUse **pursed-lip** breathing <i>now</i>") == \
        "Short of breath Use pursed-lip breathing now"
    assert render(None) == "" and plain_text("") == ""
