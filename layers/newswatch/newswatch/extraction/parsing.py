"""Text to an ``lxml.html`` tree, with the limits that keep a hostile page cheap.

lxml (libxml2) is the parser: it builds the tree in C several times faster than bs4 builds its
own, and its safety limits stay on (no ``huge_tree``): nesting stops at 256 elements and a
single text run at 10 MB. So no tree that reaches our code is deeper than that and no walk over
it can recurse out of control. A page that hits a limit is refused (``too-deep``, ``too-large``)
rather than silently truncated, since the parser drops what lies beyond it.

The byte cap (:data:`~newswatch.extraction.decoding.MAX_HTML_BYTES`) alone does not bound the
work: 20 MB of tiny table cells is 1.5 million elements, measured at 18 s of extraction and
1 GB of memory. :data:`MAX_ELEMENTS` bounds that, at 60 times the largest page of aeb-dev.
"""

from __future__ import annotations

import re

import lxml.etree
import lxml.html

from newswatch.errors import Rejection, RejectionReason
from newswatch.extraction.markup_limits import bound_markup

# libxml2's nesting limit for HTML without XML_PARSE_HUGE; it names that option on hitting any
# of its limits, and says which.
MAX_DEPTH = 256
_LIMIT_HINT = "XML_PARSE_HUGE"
_DEPTH_ERROR = "Excessive depth"

# Elements a page may have. Real article pages have hundreds to a few thousand.
MAX_ELEMENTS = 100_000
# The shortest markup of one element is 3 characters ("<p>"): only a page longer than this can
# exceed MAX_ELEMENTS, so only such a page pays for counting.
_COUNT_ABOVE_CHARS = 3 * MAX_ELEMENTS

# lxml refuses str input that carries an encoding declaration: the text is decoded already,
# so the declaration is moot and dropped.
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]{0,500}\?>")
# A feed's root element: RSS, Atom or RSS 1.0 (RDF). A feed lists articles; it is none.
_FEED_ROOT = re.compile(r"\s*<(?:rss|feed|rdf:RDF)[\s>]", re.IGNORECASE)


# Every element is an HtmlElement, chosen in C: lxml.html's own lookup calls Python for each
# element the extractor touches (to give forms and inputs classes of their own, which nothing
# here uses), 6 % of aeb-dev's extraction time.
_ELEMENT_CLASSES = lxml.etree.ElementDefaultClassLookup(
    element=lxml.html.HtmlElement,
    comment=lxml.html.HtmlComment,
    pi=lxml.html.HtmlProcessingInstruction,
    entity=lxml.html.HtmlEntity,
)


def _new_parser() -> lxml.html.HTMLParser:
    """A parser per page (10 µs): its error log then belongs to that page, in any thread."""
    parser = lxml.html.HTMLParser(
        recover=True,
        remove_comments=True,
        remove_pis=True,
        huge_tree=False,  # keeps libxml2's depth and text-node limits
        default_doctype=False,
    )
    parser.set_element_class_lookup(_ELEMENT_CLASSES)
    return parser


def parse_html(text: str) -> lxml.html.HtmlElement:
    """The document's root ``<html>`` element.

    Raises :class:`Rejection` ``empty`` when the page has no elements, ``too-deep`` when its
    nesting exceeds :data:`MAX_DEPTH`, ``too-large`` beyond :data:`MAX_ELEMENTS` or a parser
    limit, ``too-many-attributes`` or ``tag-too-long`` for markup that would cost the parser
    more than linear time (:mod:`.markup_limits`, which also empties over-long attribute
    values first), and ``no-article-text`` for a frameset, whose articles live in the framed
    documents.
    """
    declaration = _XML_DECLARATION.match(text)
    if declaration is not None:
        text = text[declaration.end() :]
    if not text.strip():
        raise Rejection(RejectionReason.EMPTY, "the page is empty or only whitespace")
    if _FEED_ROOT.match(text):
        raise Rejection(RejectionReason.NOT_HTML, "an RSS or Atom feed, not an HTML page")
    text = bound_markup(text)
    parser = _new_parser()
    try:
        root = lxml.html.document_fromstring(text, parser=parser)
    except lxml.etree.ParserError as error:  # libxml2 produced no document at all
        raise Rejection(RejectionReason.EMPTY, f"the page has no HTML elements ({error})") from None
    except (ValueError, lxml.etree.LxmlError) as error:
        raise Rejection(
            RejectionReason.NOT_HTML, f"the HTML parser refused the page: {error}"
        ) from None
    _reject_parser_limits(parser)
    if len(text) > _COUNT_ABOVE_CHARS:
        elements = int(root.xpath("count(//*)"))
        if elements > MAX_ELEMENTS:
            raise Rejection(
                RejectionReason.TOO_LARGE,
                f"the page has {elements:,} elements, more than the {MAX_ELEMENTS:,} cap",
            )
    _reject_frameset(root)
    return root


def _reject_parser_limits(parser: lxml.html.HTMLParser) -> None:
    """Turn libxml2's safety-limit errors of the parse into a Rejection."""
    for entry in parser.error_log:
        message = str(entry.message)
        if _DEPTH_ERROR in message:
            raise Rejection(
                RejectionReason.TOO_DEEP,
                f"elements are nested more than {MAX_DEPTH} levels deep; "
                "no real article page is, and the parser drops what lies deeper",
            )
        if _LIMIT_HINT in message:
            raise Rejection(
                RejectionReason.TOO_LARGE,
                f"the page exceeds an HTML parser limit ({message.strip()}); "
                "a single text run over 10 MB is no article",
            )


def _reject_frameset(root: lxml.html.HtmlElement) -> None:
    frameset = root.find("frameset")
    if frameset is None:
        return
    sources = [src for src in frameset.xpath(".//frame/@src") if isinstance(src, str)]
    where = f": {', '.join(sources[:5])}" if sources else ""
    raise Rejection(
        RejectionReason.NO_ARTICLE_TEXT,
        f"the page is a frameset; its content lives in the framed documents{where}",
    )
