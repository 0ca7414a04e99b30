"""Source 4, a fallback: what a reader sees. The ``<h1>``, byline and dateline elements, a date
in a "published" line, the ``<title>`` without its site-name suffix. Heuristic, so last."""

from __future__ import annotations

import re

import lxml.etree
import lxml.html

from newswatch.extraction.credits import (
    PLACE_NAME,
    clean_authors,
    is_place,
)
from newswatch.extraction.dates import (
    date_from_match,
    date_match,
)
from newswatch.extraction.metadata.fields import Candidates
from newswatch.extraction.metadata.lines import MODIFIED_LABEL, Page
from newswatch.extraction.metadata.placement import MAX_VISIBLE_CANDIDATES, outside_article
from newswatch.extraction.text import clean_text, holds_any
from newswatch.extraction.vocabulary import BYLINE_HINTS, DATE_HINTS

# Class names are matched in Python on the class strings that one XPath collects: much cheaper
# than case-folding every class in XPath. By substring tests, a third of a search of the words'
# alternation, which every value of the page was given.
_HINT_WORDS = BYLINE_HINTS + DATE_HINTS
_CLASSES_AND_RELS = lxml.etree.XPath("//@class | //@rel")

# Spaced only: the longest part is the headline guess, and "Storm live: roads" is one part.
_TITLE_SEPARATORS = re.compile(r"\s+[|\-–—:»·]\s+")
# What follows the date in a "Published - <date> - Kyiv, Ukraine" line.
_PLACE_AFTER_DATE = re.compile(r"^\s*[-–—|,]\s*(?P<place>" + PLACE_NAME + r")\s*$")


def _hinted_elements(
    root: lxml.html.HtmlElement,
) -> tuple[list[lxml.html.HtmlElement], list[lxml.html.HtmlElement], list[lxml.html.HtmlElement]]:
    """Elements classed as bylines (or ``rel=author``), date lines and datelines.

    Those in page furniture are left out: a comment's author or a header clock is not the
    article's.
    """
    bylines: list[lxml.html.HtmlElement] = []
    dates: list[lxml.html.HtmlElement] = []
    datelines: list[lxml.html.HtmlElement] = []
    hinted = 0
    for value in _CLASSES_AND_RELS(root):
        hint = value.lower()
        if not holds_any(hint, _HINT_WORDS):
            continue
        hinted += 1
        if hinted > MAX_VISIBLE_CANDIDATES:
            break
        if value.attrname == "rel":
            is_byline, is_date, is_dateline = hint.strip() == "author", False, False
        else:
            is_dateline = "dateline" in hint
            is_byline = any(word in hint for word in BYLINE_HINTS)
            is_date = not is_dateline and any(word in hint for word in DATE_HINTS)
        if not (is_byline or is_date or is_dateline):
            continue
        element = value.getparent()
        if outside_article(element):
            continue
        if is_byline:
            bylines.append(element)
        if is_date:
            dates.append(element)
        if is_dateline:
            datelines.append(element)
    return bylines, dates, datelines


def candidates(root: lxml.html.HtmlElement) -> Candidates:
    """The headline, bylines, date line and dateline that the page shows."""
    result: Candidates = {}
    headings = [clean_text(h1.text_content()) for h1 in root.iter("h1")]
    result["title"] = next((h for h in headings if h and len(h) < 300), None)
    title_element = root.find(".//title")
    page_title = clean_text(title_element.text_content()) if title_element is not None else None
    if page_title:
        parts = _TITLE_SEPARATORS.split(page_title)
        result["title"] = result["title"] or max(parts, key=len)
        # A guess, unless the headline is the whole title ("Final – as it happened") or
        # that part of it.
        if (
            len(parts) > 1
            and len(parts[-1]) < 40
            and result["title"] not in (page_title, parts[-1])
        ):
            result["publisher"] = parts[-1]
    page = Page(root)
    bylines, dates, datelines = _hinted_elements(root)
    result["authors"] = clean_authors(
        text
        for element in bylines[:3]
        if (text := clean_text(element.text_content())) and len(text) < 200
    )
    for element in dates:
        text = clean_text(element.text_content())
        if not text or len(text) > 200:
            continue
        match = date_match(text)
        stamp = date_from_match(match, region=page.region_for(match)) if match else None
        if stamp is None or match is None:
            continue
        field_name = "modified" if MODIFIED_LABEL.search(text[: match.start()]) else "published"
        if field_name not in result:
            result[field_name] = stamp
            place = _PLACE_AFTER_DATE.match(text[match.end() :])
            if place and field_name == "published" and is_place(place.group("place")):
                result["dateline"] = place.group("place")
        if "published" in result:
            break
    for element in datelines[:1]:
        text = (clean_text(element.text_content()) or "").strip(" -–—:")
        if is_place(text):
            result["dateline"] = text
    return result
