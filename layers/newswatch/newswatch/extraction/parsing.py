"""Text to an ``lxml.html`` tree, with the limits that keep a hostile page cheap.

lxml (libxml2) is the parser: it builds the tree in C several times faster than bs4 builds its
own, and libxml2 caps nesting at 256 elements unless asked not to (we never ask), so no tree
that reaches our code is deeper than that and no walk over it can recurse out of control.
A page that hits the cap (100,000 nested tags) is refused as ``too-deep`` rather than silently
truncated: whatever was nested below the cap is gone from the tree.
"""

from __future__ import annotations

import re

import lxml.etree
import lxml.html

from newswatch.errors import Rejection

# libxml2's nesting limit for HTML without XML_PARSE_HUGE, and the message it logs on reaching it.
MAX_DEPTH = 256
_DEPTH_ERROR = "Excessive depth in document"

# lxml refuses str input that carries an encoding declaration: the text is decoded already,
# so the declaration is moot and dropped.
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]{0,500}\?>")

_PARSER = lxml.html.HTMLParser(
    recover=True,
    remove_comments=True,
    remove_pis=True,
    huge_tree=False,  # keeps libxml2's depth and text-node limits
    default_doctype=False,
)


def parse_html(text: str) -> lxml.html.HtmlElement:
    """The document's root ``<html>`` element.

    Raises :class:`Rejection` ``empty`` when the page has no elements, ``too-deep`` when its
    nesting exceeds :data:`MAX_DEPTH`, and ``no-article-text`` for a frameset, whose articles
    live in the framed documents.
    """
    declaration = _XML_DECLARATION.match(text)
    if declaration is not None:
        text = text[declaration.end() :]
    if not text.strip():
        raise Rejection("empty", "the page is empty or only whitespace")
    try:
        root = lxml.html.document_fromstring(text, parser=_PARSER)
    except lxml.etree.ParserError as error:  # libxml2 produced no document at all
        raise Rejection("empty", f"the page has no HTML elements ({error})") from None
    except (ValueError, lxml.etree.LxmlError) as error:
        raise Rejection("not-html", f"the HTML parser refused the page: {error}") from None
    if any(_DEPTH_ERROR in entry.message for entry in _PARSER.error_log):
        raise Rejection(
            "too-deep",
            f"elements are nested more than {MAX_DEPTH} levels deep; "
            "no real article page is, and the parser drops what lies deeper",
        )
    _reject_frameset(root)
    return root


def _reject_frameset(root: lxml.html.HtmlElement) -> None:
    frameset = root.find("frameset")
    if frameset is None:
        return
    sources = [src for src in frameset.xpath(".//frame/@src") if isinstance(src, str)]
    where = f": {', '.join(sources[:5])}" if sources else ""
    raise Rejection(
        "no-article-text",
        f"the page is a frameset; its content lives in the framed documents{where}",
    )
