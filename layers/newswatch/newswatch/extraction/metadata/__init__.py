"""Article metadata from the page's structured data, then from what a reader sees.

Sources, most reliable first, one module each, each returning its candidates for every field:

1. :mod:`.jsonld`: JSON-LD ``NewsArticle`` and its kin.
2. :mod:`.meta_tags`: ``<meta>`` keys, OpenGraph, Twitter cards, Dublin Core...
3. :mod:`.microdata`: ``itemprop`` and ``<time datetime>``.
4. :mod:`.visible`: the ``<h1>``, byline, date line and dateline elements, ``<title>``.

:mod:`.merge` takes, for each field, the first source that has a usable value (its tables say
where a field ranks or chooses otherwise). Exceptions, each for a reason: the URL prefers
``<link rel=canonical>`` over JSON-LD; the language prefers ``<html lang>`` over
``og:locale``; a headline that JSON-LD truncated ("...") yields to a longer source that it
starts; a date completed by a later source with the same date and its time or offset takes it.
Dates are ISO-8601 as the page states them (:mod:`newswatch.extraction.dates`).
"""

from __future__ import annotations

import lxml.html

from newswatch.extraction.credits import clean_authors, closing_credit, lead_dateline, wire_agency
from newswatch.extraction.dates import find_date, normalize_date
from newswatch.extraction.language import language_from_script
from newswatch.extraction.metadata.fields import Metadata
from newswatch.extraction.metadata.merge import merge_sources
from newswatch.extraction.text import clean_text
from newswatch.extraction.vocabulary import ARTICLE_TYPES, WIRE_AGENCIES

__all__ = [
    "ARTICLE_TYPES",
    "WIRE_AGENCIES",
    "Metadata",
    "clean_authors",
    "clean_text",
    "closing_credit",
    "extract_metadata",
    "find_date",
    "language_from_script",
    "lead_dateline",
    "normalize_date",
    "wire_agency",
]


def extract_metadata(root: lxml.html.HtmlElement, *, url: str | None = None) -> Metadata:
    """The article's metadata from an unmodified tree; ``url`` resolves relative links.

    Reads only: call it before anything that mutates the tree (body extraction does).
    """
    return merge_sources(root, url=url)
