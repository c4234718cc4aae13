"""Playbook Markdown to safe HTML: markdown-it-py with raw HTML off, then the nh3 sanitizer.

Two walls, so a gap in one is not a hole: the parser never emits raw HTML or a link it does not
trust, and the sanitizer keeps only a short list of tags and http(s)/mailto links. Images never
load (the page stays offline and private): each becomes a link to it. Headings move down two
levels so a playbook's ``#`` sits under the page's own "Playbook" heading.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

import nh3
from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml
from markdown_it.renderer import RendererHTML
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict
from markupsafe import Markup

TAGS = {
    "a",
    "blockquote",
    "br",
    "code",
    "em",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "li",
    "ol",
    "p",
    "pre",
    "s",
    "strong",
    "table",
    "tbody",
    "td",
    "th",
    "thead",
    "tr",
    "ul",
}
ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}}
URL_SCHEMES = {"http", "https", "mailto"}
REL = "noopener noreferrer nofollow"
# C0 controls but tab and newline: the database refuses them; a preview of unsaved text may not.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f]")


def _image_as_link(
    self: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    token = tokens[idx]
    alt = self.renderInlineAsText(token.children or [], options, env) or "image"
    src = str(token.attrGet("src") or "")
    if not src or src.lower().startswith("data:"):
        return f"image: {escapeHtml(alt)}"
    return f'<a href="{escapeHtml(src)}">image: {escapeHtml(alt)}</a>'


def _parser() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    md.enable(["table", "strikethrough"])
    md.add_render_rule("image", _image_as_link)
    return md


_MD = _parser()


# Pathological nesting costs the parser up to seconds at 50,000 characters; a playbook changes
# rarely and is read on every visit to its tool page, so the last few renderings are kept.
@lru_cache(maxsize=64)
def render(text: str) -> Markup:
    """Safe HTML for a playbook's Markdown; hostile input comes out as inert text."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n")  # as the database stores them
    tokens = _MD.parse(_CONTROL.sub("\ufffd", lines))
    for token in tokens:
        if token.type in ("heading_open", "heading_close"):
            token.tag = f"h{min(6, int(token.tag[1]) + 2)}"
    html = _MD.renderer.render(tokens, _MD.options, {})
    clean = nh3.clean(
        html,
        tags=TAGS,
        attributes=ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel=REL,
        strip_comments=True,
    )
    return Markup(clean)  # noqa: S704 - sanitized just above
