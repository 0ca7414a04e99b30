"""Source 3: microdata (``itemprop`` on visible elements) and ``<time datetime>``: typed, but
tied to markup that may belong to a related-story teaser as well as to the article."""

from __future__ import annotations

from itertools import islice

import lxml.etree
import lxml.html

from newswatch.extraction.dates import normalize_date
from newswatch.extraction.metadata.fields import Candidates, normalise
from newswatch.extraction.metadata.placement import MAX_VISIBLE_CANDIDATES, outside_article
from newswatch.extraction.vocabulary import ARTICLE_TYPES, MICRODATA_FIELDS

# Longer element text is a container's, not a property's value.
_MAX_VALUE_CHARS = 500
# Elements found by their attribute and tested in Python: libxml2 reads "//@itemscope/.." in
# half the time of "//*[@itemscope][@itemtype]", whose predicates it evaluates on every element.
_ITEM_SCOPES = lxml.etree.XPath("//@itemscope/..")
_PROPERTIES = lxml.etree.XPath("descendant::*/@itemprop/..")


def candidates(root: lxml.html.HtmlElement) -> Candidates:
    """``itemprop`` values of the article's item (or of the page, if none is typed as one).

    Scoping to the article's ``itemscope`` keeps a related-story teaser's headline and date out.
    """
    scope = _article_scope(root)
    result: Candidates = {}
    for element in _PROPERTIES(scope):
        if element.tag == "meta":
            continue
        for prop in element.get("itemprop", "").lower().split():
            name = MICRODATA_FIELDS.get(prop)
            if name is None or result.get(name):
                continue
            if element.get("itemscope") is not None:
                inner = element.xpath(".//*[@itemprop='name'][1]")
                raw = _element_value(inner[0]) if inner else None
            else:
                raw = _element_value(element)
            result[name] = normalise(name, raw) if raw is not None else None
    if not result.get("published"):
        result["published"] = _time_element_date(scope)
    return result


def _article_scope(root: lxml.html.HtmlElement) -> lxml.html.HtmlElement:
    for scope in _ITEM_SCOPES(root):
        item_type = scope.get("itemtype")
        if item_type is None:
            continue
        types = {kind.rsplit("/", 1)[-1] for kind in item_type.split()}
        if types & ARTICLE_TYPES:
            return scope
    return root


def _time_element_date(scope: lxml.html.HtmlElement) -> str | None:
    """The first ``<time datetime>`` date, preferring one marked ``pubdate`` or in ``<article>``.

    A ``<time>`` in a comment, a site header or a footer is not the article's date.
    """
    ranked: list[tuple[int, str]] = []
    for position, time in enumerate(islice(scope.iter("time"), MAX_VISIBLE_CANDIDATES)):
        stamp = normalize_date(time.get("datetime"))
        if stamp is None or outside_article(time):
            continue
        in_article = any(ancestor.tag == "article" for ancestor in time.iterancestors())
        rank = 0 if time.get("pubdate") is not None else 1 if in_article else 2
        ranked.append((rank * 10_000 + position, stamp))
    return min(ranked)[1] if ranked else None


def _element_value(element: lxml.html.HtmlElement) -> str | None:
    for attribute in ("content", "datetime"):
        value = element.get(attribute)
        if value:
            return str(value)
    text = str(element.text_content())
    return text if len(text) < _MAX_VALUE_CHARS else None
