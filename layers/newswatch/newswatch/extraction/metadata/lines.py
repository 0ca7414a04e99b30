"""Source 5, asked last and only when the others leave the credit or the time unset: the
first lines of a page that marks no byline or date element (a 2000s table-and-``<font>``
layout), split at ``<br>`` and block elements. A credit line ("By NAME | Title", "Name, Staff
Writer") and the first date line, completed by a zoned time on it or on the next lines
("Tuesday, March 4, 2008" <br> "4:20 pm EDT"); an ambiguous zone is read by the page's
region."""

from __future__ import annotations

import re

import lxml.html
from lxml import etree

from newswatch.extraction.credits import clean_authors, filed_from, is_credit_line
from newswatch.extraction.dates import (
    date_from_match,
    date_match,
    on_day,
    zone_is_ambiguous,
    zoned_clock,
)
from newswatch.extraction.metadata.fields import Candidates
from newswatch.extraction.vocabulary import PLACE_REGIONS

MODIFIED_LABEL = re.compile(r"\b(?:updated|modified|last\s+updated|edited)\b", re.IGNORECASE)


def candidates(root: lxml.html.HtmlElement) -> Candidates:
    """The credit, date and filing place that the page's first lines state."""
    result: Candidates = {"authors": []}
    _read_unmarked_lines(Page(root), result)
    return result


# Lines of a page that marks no byline or date element (a 2000s table-and-<font> layout):
# how many are read, how long a credit or date line may be, and how many lines after a date
# line may hold its time ("Tuesday, March 4, 2008" <br> "4:20 pm EDT").
_MAX_LINES = 150
_MAX_META_LINE_CHARS = 150
_CLOCK_LINES_AFTER_DATE = 2
# Body text has begun after this many long lines: a credit or date line further down is a
# quotation's or a teaser's.
_LONG_LINE_CHARS = 200
_MAX_LONG_LINES = 3
_BLOCK_TAGS = frozenset(
    {"p", "div", "td", "th", "tr", "table", "li", "ul", "ol", "dl", "dd", "dt", "hr", "form"}
    | {"h1", "h2", "h3", "h4", "h5", "h6", "center", "blockquote", "section", "article"}
    | {"main", "header"}
)
# Walk events at most: a page of thousands of empty elements before any text costs no more.
_MAX_WALKED = 5000
_SKIPPED_TAGS = frozenset(
    {"script", "style", "noscript", "template", "select", "nav", "footer", "aside"}
)


def _read_unmarked_lines(page: Page, result: Candidates) -> None:
    """A credit line and the first date line (with its time, perhaps on a line of its own)
    among the first lines of the page, for what the marked elements did not give."""
    lines = page.lines
    dated = "T" in result.get("published", "")
    for index, line in enumerate(lines):
        if len(line) > _MAX_META_LINE_CHARS:
            continue
        if not result["authors"] and is_credit_line(line):
            result["authors"] = clean_authors([line])
            if result["authors"] and not result.get("dateline"):
                result["dateline"] = filed_from(line)
        match = None if dated else date_match(line)
        if match is None or MODIFIED_LABEL.search(line[: match.start()]):
            continue
        stamp = date_from_match(match, region=page.region_for(match))
        if stamp is None:
            continue
        dated = True
        if "T" not in stamp:
            following = lines[index + 1 : index + 1 + _CLOCK_LINES_AFTER_DATE]
            for near in (line[match.end() :], *following):
                clock = zoned_clock(near)
                if clock is None:
                    continue
                timed = on_day(stamp, clock, region=page.region_for(clock))
                if timed and MODIFIED_LABEL.search(near[: clock.start()]):
                    result.setdefault("modified", timed)  # "Updated: 10:05 CST"
                elif timed:
                    stamp = timed
                break
        if stamp.startswith(result.get("published", "")):
            result["published"] = stamp


class Page:
    """What the unmarked-line rules read of a page, each computed once and only if needed."""

    def __init__(self, root: lxml.html.HtmlElement) -> None:
        self._root = root
        self._lines: list[str] | None = None
        self._region: str | None = None
        self._region_known = False

    @property
    def lines(self) -> list[str]:
        """The first visible lines of the body, split at ``<br>`` and block elements."""
        if self._lines is None:
            self._lines = _visible_lines(self._root)
        return self._lines

    def region_for(self, match: re.Match[str]) -> str | None:
        """The page's region when ``match`` has an ambiguous zone (else None: not needed)."""
        if not zone_is_ambiguous(match):
            return None
        if not self._region_known:
            self._region = _page_region(self._root, self.lines)
            self._region_known = True
        return self._region


def _visible_lines(root: lxml.html.HtmlElement) -> list[str]:
    """The first visible lines of the body, without page furniture.

    Furniture is judged on the element itself as the walk enters it (its tag; a class or id
    naming comments; a ``<header>`` outside any ``<article>``), so its subtree is skipped
    whole: an ancestor walk per element would cost the page's size times its depth.
    """
    body = root.find("body")
    lines: list[str] = []
    parts: list[str] = []
    long_lines = 0
    articles = 0  # how many <article> elements the walk is inside
    skipped: set[lxml.html.HtmlElement] = set()

    def end_line() -> None:
        nonlocal long_lines
        line = " ".join(" ".join(parts).split())
        parts.clear()
        if line:
            lines.append(line)
            long_lines += len(line) >= _LONG_LINE_CHARS

    walk = etree.iterwalk(body if body is not None else root, events=("start", "end", "comment"))
    for walked, (event, element) in enumerate(walk):
        if len(lines) >= _MAX_LINES or long_lines >= _MAX_LONG_LINES or walked > _MAX_WALKED:
            break
        if event == "comment":
            parts.append(element.tail or "")
            continue
        tag = element.tag
        if event == "start":
            if _is_furniture(element, inside_article=articles > 0):
                walk.skip_subtree()  # its end event still comes, with its tail
                skipped.add(element)
                continue
            articles += tag == "article"
            if tag in _BLOCK_TAGS or tag == "br":
                end_line()
            if element.text:
                parts.append(element.text)
        else:
            if element not in skipped:
                articles -= tag == "article"
                if tag in _BLOCK_TAGS:
                    end_line()
            if element.tail:
                parts.append(element.tail)
    end_line()
    return lines


def _is_furniture(element: lxml.html.HtmlElement, *, inside_article: bool) -> bool:
    tag = element.tag
    if tag in _SKIPPED_TAGS or (tag == "header" and not inside_article):
        return True
    return "comment" in (element.get("class") or element.get("id") or "").lower()


_COUNTRY_DOMAIN = re.compile(r"^https?://[^/?#]*\.([a-z]{2})(?:[:/?#]|$)", re.IGNORECASE)
_LANGUAGE_REGION = re.compile(r"^[a-z]{2,3}[-_]([a-z]{2})\b", re.IGNORECASE)


def _page_region(root: lxml.html.HtmlElement, lines: list[str]) -> str | None:
    """The region (ISO 3166, lower case) the page states: by ``lang="en-IE"``, by its canonical
    URL's country domain, or by a place its first lines name ("DUBLIN --", "in Dublin")."""
    declared = _LANGUAGE_REGION.match(root.get("lang") or "")
    if declared:
        return declared.group(1).lower()
    links = root.xpath(
        "//link[translate(@rel, 'CANONIL', 'canonil')='canonical']/@href"
        " | //meta[@property='og:url']/@content"
    )
    for link in links[:2]:
        domain = _COUNTRY_DOMAIN.match(str(link))
        if domain:
            return domain.group(1).lower()
    for line in lines:
        for place, region in PLACE_REGIONS.items():
            if place in line.lower():
                return region
    return None
