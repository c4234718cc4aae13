"""Playbook Markdown renders to a short list of tags; anything hostile comes out as text."""

from __future__ import annotations

import re

import pytest

from worksinprod.web.markdown import REL, TAGS, render


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("<script>alert(1)</script>", "<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>"),
        ("<img src=x onerror=alert(1)>", "<p>&lt;img src=x onerror=alert(1)&gt;</p>"),
        ("[x](javascript:alert(1))", "<p>[x](javascript:alert(1))</p>"),
        ("[x](&#106;avascript:alert(1))", "<p>[x](javascript:alert(1))</p>"),
        ("[x](JaVaScRiPt:alert(1))", "<p>[x](JaVaScRiPt:alert(1))</p>"),
        ("[x](vbscript:msgbox)", "<p>[x](vbscript:msgbox)</p>"),
        ("[x](data:text/html,<b>)", "<p>[x](data:text/html,&lt;b&gt;)</p>"),
        ("&lt;b&gt; &#x3C;script&#x3E;", "<p>&lt;b&gt; &lt;script&gt;</p>"),
        ("<!-- hidden -->", "<p>&lt;!-- hidden --&gt;</p>"),
        ("nul\x00bell\x07esc\x1b", "<p>nul\ufffdbell\ufffdesc\ufffd</p>"),
        ("![logo](data:image/png;base64,AAAA)", "<p>image: logo</p>"),
    ],
)
def test_hostile_markdown_comes_out_as_text(text: str, expected: str) -> None:
    assert str(render(text)).strip() == expected


def test_remote_images_become_links_and_every_link_gets_rel() -> None:
    html = str(
        render("![status](https://status.example.com/badge.svg) [vendor](https://x.example)")
    )
    assert "<img" not in html
    assert html.count(f'rel="{REL}"') == 2
    assert '<a href="https://status.example.com/badge.svg"' in html
    assert ">image: status</a>" in html


def test_mail_and_relative_links_stay_and_headings_sit_under_the_page_heading() -> None:
    html = str(render("# Call\n\n## Then\n\n[mail](mailto:ops@example.com) [map](/map)"))
    assert "<h3>Call</h3>" in html
    assert "<h4>Then</h4>" in html
    assert 'href="mailto:ops@example.com"' in html
    assert 'href="/map"' in html


def test_lists_tables_code_and_emphasis_survive_with_no_attribute_but_links() -> None:
    text = "1. **pause** ~~syncs~~\n2. `code`\n\n| a | b |\n|---|--:|\n| 1 | 2 |\n\n```\n<x>\n```\n"
    html = str(render(text))
    for tag in ("ol", "li", "strong", "s>", "code", "table", "th", "td", "pre"):
        assert f"<{tag}" in html
    assert set(re.findall(r"<([a-z0-9]+)", html)) <= TAGS
    assert "style=" not in html
    assert "&lt;x&gt;" in html


def test_a_maximal_playbook_renders() -> None:
    html = str(render("- item\n" * 7_000))
    assert html.count("<li>") == 7_000
