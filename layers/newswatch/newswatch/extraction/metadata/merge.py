"""One record from the sources' candidates: each field's precedence and choice, as tables.

For each field the sources are asked in ``PRECEDENCE`` order (most reliable first) and
``CHOICES`` says how the usable candidates become the value (by default: the first). Then the
``FINISHERS`` run in order, for rules that read more than one field or the tree itself.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from types import MappingProxyType
from typing import Any
from urllib.parse import urljoin, urlsplit

import lxml.html

from newswatch.extraction.dates import most_precise_date
from newswatch.extraction.metadata import jsonld, lines, meta_tags, microdata, visible
from newswatch.extraction.metadata.fields import FIELDS, Candidates, Metadata
from newswatch.extraction.metadata.site_name import title_without_site_name
from newswatch.extraction.text import clean_text

Source = Callable[[lxml.html.HtmlElement], Candidates]
Choice = Callable[[list[Any]], Any]
Finisher = Callable[[Metadata, lxml.html.HtmlElement, str | None], None]

# The sources, most reliable first: typed data written for search engines, then untyped
# <meta> keys, then markup tied to visible elements, then what a reader sees (marked
# elements, then, as a fallback, unmarked lines).
SOURCES: Mapping[str, Source] = MappingProxyType(
    {
        "json-ld": jsonld.candidates,
        "meta": meta_tags.candidates,
        "microdata": microdata.candidates,
        "visible": visible.candidates,
    }
)


def _lacks_credit_or_time(found: Mapping[str, Candidates]) -> bool:
    """Whether no source so far credits anyone, or none gives the publication's time."""
    has_authors = any(candidates.get("authors") for candidates in found.values())
    has_time = any("T" in (candidates.get("published") or "") for candidates in found.values())
    return not (has_authors and has_time)


# Sources asked last, and only when the ones before leave what they give unset (each is a
# page walk that a page with structured data need not pay).
FALLBACK_SOURCES: Mapping[str, tuple[Source, Callable[[Mapping[str, Candidates]], bool]]] = (
    MappingProxyType({"lines": (lines.candidates, _lacks_credit_or_time)})
)
_DEFAULT_PRECEDENCE = (*SOURCES, *FALLBACK_SOURCES)
# Fields whose sources rank otherwise than ``SOURCES`` (none today; the canonical link's
# precedence over JSON-LD for the URL is a finisher, since it may be refused).
PRECEDENCE: Mapping[str, Sequence[str]] = MappingProxyType(
    {name: _DEFAULT_PRECEDENCE for name in FIELDS}
)


def _first(candidates: list[Any]) -> Any:
    return candidates[0]


def untruncated_title(candidates: list[str]) -> str:
    """The most reliable headline, unless it ends "..." and a later one is the whole of it."""
    best = candidates[0]
    stem = best.rstrip(".… ")
    if stem != best:
        for other in candidates[1:]:
            if len(other) > len(stem) and other.startswith(stem):
                return other
    return best


CHOICES: Mapping[str, Choice] = MappingProxyType(
    {"published": most_precise_date, "modified": most_precise_date, "title": untruncated_title}
)


def merge_sources(root: lxml.html.HtmlElement, *, url: str | None) -> Metadata:
    """The metadata of an unmodified tree; ``url`` (where the page came from) resolves links."""
    found = {name: source(root) for name, source in SOURCES.items()}
    for name, (source, needed) in FALLBACK_SOURCES.items():
        found[name] = source(root) if needed(found) else {}
    merged = Metadata()
    for name in FIELDS:
        candidates = [found[source][name] for source in PRECEDENCE[name] if found[source].get(name)]
        if candidates:
            setattr(merged, name, CHOICES.get(name, _first)(candidates))
    for finish in FINISHERS:
        finish(merged, root, url)
    return merged


def parseable_url(url: str | None) -> str | None:
    """``url``, or None when urllib cannot parse it ("http://[x", an unclosed IPv6 host).

    Such a link resolves nowhere, and urljoin and urlsplit raise ValueError on it.
    """
    if url is None:
        return None
    try:
        urlsplit(url)
    except ValueError:
        return None
    return url


# The link is found by lxml's iteration over <link> and its rel compared in Python (folded as
# XPath's translate(@rel, 'CANONIL', 'canonil') folded it): cheaper than an XPath with that
# predicate, evaluated on every element of the page.
_FOLD_REL = str.maketrans("CANONIL", "canonil")


def _canonical_url(merged: Metadata, root: lxml.html.HtmlElement, url: str | None) -> None:
    """``<link rel=canonical>`` (its sole purpose) over every source, resolved against ``url``.

    Unless it names a site's home page while a source does not: misconfigured templates point
    every page's canonical link at the home page.
    """
    fallback = parseable_url(merged.url)
    href = next(
        (
            href
            for link in root.iter("link")
            if (link.get("rel") or "").translate(_FOLD_REL) == "canonical"
            and (href := link.get("href")) is not None
        ),
        None,
    )
    canonical = parseable_url(clean_text(href)) if href is not None else None
    if canonical is None or (
        fallback
        and urlsplit(canonical).path in ("", "/")
        and urlsplit(fallback).path not in ("", "/")
    ):
        canonical = fallback
    base = parseable_url(url)
    if canonical and base:
        canonical = urljoin(base, canonical)
    merged.url = canonical or base


def _absolute_image(merged: Metadata, root: lxml.html.HtmlElement, url: str | None) -> None:
    merged.image = parseable_url(merged.image)
    if merged.image and merged.url:
        merged.image = urljoin(merged.url, merged.image)


FINISHERS: Sequence[Finisher] = (title_without_site_name, _canonical_url, _absolute_image)
