"""A linear-time pass over a page's text before lxml, for the markup that libxml2 handles badly.

Measured on libxml2 2.14 (``benchmarks/hostile.py``):

- attributes on one element cost the square of their number (40,000: 1.7 s, 80,000: 7 s, a
  million: over a minute), so an element with more than :data:`MAX_ATTRIBUTES_PER_ELEMENT` is
  refused (``too-many-attributes``): no real page has one. So is a page with more than
  :data:`MAX_ATTRIBUTES_PER_PAGE` in all, whose tree would take hundreds of MB;
- an attribute value just over libxml2's 10,000,000-character limit sends its error recovery
  into a 29 s crawl (a data: URI of an inline image is the usual way to get one), and any long
  value is copied into Python strings by every later look at it. Values longer than
  :data:`MAX_ATTRIBUTE_VALUE_CHARS` are emptied, and attributes whose *name* is that long are
  dropped: the page is otherwise a fine article and loses nothing a reader sees;
- a tag name longer than :data:`MAX_TAG_NAME_CHARS` is no element of any vocabulary: refused
  (``tag-too-long``) rather than copied into a Python string at every visit of the element.

One compiled regex tokenises just enough of HTML for this: comments (to their end, or the end of
the page when they never close), the raw text of ``script`` and ``style``, and start tags with
their quoted values. Every quantifier is possessive, every match consumes what it scanned and a
failed quote scan can happen only once per quote kind, so the pass is linear in the page's size.
Python sees each start tag only for the few characters of its span: a tag too short to break a
cap is passed over (most of them), a long page's attributes are counted in C, and only tags
longer than :data:`MAX_ATTRIBUTE_VALUE_CHARS` are looked at attribute by attribute.
"""

from __future__ import annotations

import re
from itertools import repeat
from operator import itemgetter

from newswatch.errors import Rejection, RejectionReason

# Tuned by benchmarks/hostile.py ("elements at the attribute cap"): below the cap, libxml2's
# cost per element still grows with the square of its attributes, so a page of elements at the
# cap costs the cap times its size. At 250, 10 MB of such elements parse in about 1 s (at
# 1,000: 0.8 s per 3.7 MB). aeb-dev's real pages have at most 22 on any element.
MAX_ATTRIBUTES_PER_ELEMENT = 250
# Longer values are emptied. Inline images in real pages run to tens of KiB; nothing readable
# (an alt text, a class list, a meta description) comes close.
MAX_ATTRIBUTE_VALUE_CHARS = 64 * 1024
# The longest tag names in use (custom elements included) have a few dozen characters.
MAX_TAG_NAME_CHARS = 256

# Attributes a page may have in all: each costs libxml2 about 100 bytes of tree, so 2.5 million
# (10 MB of short ones) took 277 MB, and this many 26 MB more than an empty page. aeb-dev's pages
# have at most 3,091; a data-journalism page's inline SVG map can have tens of thousands.
MAX_ATTRIBUTES_PER_PAGE = 250_000

_SHORTEST_ATTRIBUTE_CHARS = 2  # " a"

# As HTML tokenises a start tag: a quote opens a value only after "=", anywhere else it is part
# of a name (`class="a" "="">` and `type="text=""` are common on real pages; reading every quote
# as a value's start ran those tags on to the next stray quote, over thousands of "attributes").
_TAG_BODY = r"""(?:[^>=]++|=\s*+"[^"]*+"|=\s*+'[^']*+'|=)*+"""
# One match per start tag: what lies before it (text, end tags, comments, to the end of the page
# if one never closes), the tag, and for script and style their raw text, which is not markup,
# so nothing in it is counted or stripped. Every match ends in a start tag or at the end of the
# page, so no match attempt fails and is retried further on. Text is skipped in runs
# (``[^-]++``, ``[^<]++``), not a character at a time: 4.5 times faster than lazy ``.*?``.
_TOKEN = re.compile(
    r"(?:[^<]++|<!--(?:[^-]++|-(?!->))*+(?:-->)?|<(?![A-Za-z]))*+"
    r"(?:<(?P<name>(?P<raw>script|style)(?=[\s/>])|[A-Za-z][^\s/>]*+)|\Z)"
    rf"(?P<attributes>{_TAG_BODY})"
    r"(?(raw)>?(?:[^<]++|<(?!/(?P=raw)))*+)",
    re.IGNORECASE,
)
# One attribute inside a start tag: a name, then maybe "=" and a value (quoted or bare).
_ATTRIBUTE = re.compile(
    r"""(?P<name>[^\s/>=][^\s/>=]*+)(?:\s*+=\s*+(?P<value>"[^"]*+"|'[^']*+'|[^\s>]++))?+"""
)
# Each attribute takes at least two characters (a separator and a name, or `a=""`), so a
# shorter tag cannot exceed the per-element cap (nor hold a value over the length cap), and
# short tags whose characters could not hold the rest of the page's cap need no count either.
_COUNT_TAG_ABOVE_CHARS = _SHORTEST_ATTRIBUTE_CHARS * MAX_ATTRIBUTES_PER_ELEMENT


def bound_markup(text: str) -> str:
    """``text`` with over-long attribute values emptied, or a :class:`Rejection` for markup that
    would make the parser superlinear or too big (``too-many-attributes``, ``tag-too-long``).

    Only tags that could break a cap are looked at in Python, and their attributes counted;
    when the other tags are long enough in all to hold the rest of the page's cap, they are
    counted in C (:func:`_attributes_on_page`), in a second pass over the page.
    """
    pieces: list[str] = []
    copied_to = 0
    attributes_on_page = 0  # in the tags looked at
    uncounted_chars = 0  # of the other tags' attributes
    for token in _TOKEN.finditer(text):
        name_start = token.start("name")
        start, end = token.span("attributes")  # they start where the name ends
        if end - start <= _COUNT_TAG_ABOVE_CHARS and start - name_start <= MAX_TAG_NAME_CHARS:
            uncounted_chars += end - start
            continue  # a tag that breaks no cap on its own
        if name_start < 0:
            continue  # the end of the page
        if start - name_start > MAX_TAG_NAME_CHARS:
            raise Rejection(
                RejectionReason.TAG_TOO_LONG,
                f"a tag name of {start - name_start:,} characters (the cap is "
                f"{MAX_TAG_NAME_CHARS}); no HTML element is named like that",
            )
        attributes = _ATTRIBUTE.subn("", text[start:end])[1]
        attributes_on_page += attributes
        if attributes > MAX_ATTRIBUTES_PER_ELEMENT:
            raise _too_many_on_element(attributes, token.group("name"))
        if attributes_on_page > MAX_ATTRIBUTES_PER_PAGE:
            raise _too_many_on_page()
        if end - start > MAX_ATTRIBUTE_VALUE_CHARS:
            bounded = _without_long_values(text, start, end)
            if bounded is not None:
                pieces += (text[copied_to:start], bounded)
                copied_to = end
    if (
        attributes_on_page + uncounted_chars // _SHORTEST_ATTRIBUTE_CHARS > MAX_ATTRIBUTES_PER_PAGE
        and _attributes_on_page(text) > MAX_ATTRIBUTES_PER_PAGE
    ):
        raise _too_many_on_page()
    if not pieces:
        return text
    pieces.append(text[copied_to:])
    return "".join(pieces)


def _attributes_on_page(text: str) -> int:
    """Attributes in all start tags, counted without a Python call per tag (and no list)."""
    bodies = map(re.Match.group, _TOKEN.finditer(text), repeat("attributes"))
    return sum(map(itemgetter(1), map(_ATTRIBUTE.subn, repeat(""), bodies)))


def _too_many_on_element(attributes: int, name: str) -> Rejection:
    return Rejection(
        RejectionReason.TOO_MANY_ATTRIBUTES,
        f"a <{_display_name(name)}> element has {attributes:,} attributes, more than the "
        f"{MAX_ATTRIBUTES_PER_ELEMENT:,} cap; the HTML parser's time grows with the square "
        "of that number",
    )


def _too_many_on_page() -> Rejection:
    return Rejection(
        RejectionReason.TOO_MANY_ATTRIBUTES,
        f"the page has more than {MAX_ATTRIBUTES_PER_PAGE:,} attributes; its parse tree "
        "would outgrow the memory an article needs",
    )


def _without_long_values(text: str, start: int, end: int) -> str | None:
    """The attributes in ``text[start:end]`` with long values emptied and attributes with long
    names dropped (None if there was none)."""
    pieces: list[str] = []
    copied_to = start
    for attribute in _ATTRIBUTE.finditer(text, start, end):
        name_start, name_end = attribute.span("name")
        if name_end - name_start > MAX_ATTRIBUTE_VALUE_CHARS:
            pieces.append(text[copied_to : attribute.start()])
            copied_to = attribute.end()
            continue
        value_start, value_end = attribute.span("value")
        if value_end - value_start > MAX_ATTRIBUTE_VALUE_CHARS:
            pieces += (text[copied_to:value_start], '""')
            copied_to = value_end
    if not pieces:
        return None
    pieces.append(text[copied_to:end])
    return "".join(pieces)


def _display_name(name: str) -> str:
    """A tag name short enough to quote in a rejection's detail (page text, so kept tame)."""
    return name[:40] if name.isascii() and name.isprintable() else "?"
