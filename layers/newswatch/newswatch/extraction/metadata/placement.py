"""Where on the page an element sits: in the article, or in furniture whose names and dates
(a comment's author, a header clock, a teaser's date) are not the article's."""

from __future__ import annotations

import lxml.html

# How many ``<time>`` elements, or elements classed as bylines and dates, are looked at: each
# costs an ancestor walk, and a page's own come first.
MAX_VISIBLE_CANDIDATES = 200

_FURNITURE_TAGS = frozenset({"nav", "footer", "aside"})


def outside_article(element: lxml.html.HtmlElement) -> bool:
    """Whether an element sits in page furniture whose dates and names are not the article's.

    That is a comments section, a nav, footer or aside, or a header that is the site's (outside
    any ``<article>``) rather than the article's own.
    """
    nodes = (element, *element.iterancestors())
    # Each tag read once: lxml builds a new string at every read.
    tags = {node.tag for node in nodes}
    if not tags.isdisjoint(_FURNITURE_TAGS) or ("header" in tags and "article" not in tags):
        return True
    return any("comment" in (node.get("class") or node.get("id") or "").lower() for node in nodes)
