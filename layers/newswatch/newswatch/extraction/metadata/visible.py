"""Source 4, a fallback: what a reader sees. The ``<h1>``, byline and dateline elements, a date
in a "published" line, the ``<title>`` without its site-name suffix. Heuristic, so last."""

from __future__ import annotations

import re

import lxml.html
from lxml import etree

from newswatch.extraction.credits import (
    PLACE_NAME,
    clean_authors,
    filed_from,
    is_credit_line,
    is_place,
)
from newswatch.extraction.dates import (
    date_from_match,
    date_match,
    on_day,
    zone_is_ambiguous,
    zoned_clock,
)
from newswatch.extraction.metadata.fields import Candidates
from newswatch.extraction.metadata.placement import MAX_VISIBLE_CANDIDATES, outside_article
from newswatch.extraction.text import clean_text
from newswatch.extraction.vocabulary import BYLINE_HINTS, DATE_HINTS, PLACE_REGIONS

# Class names are matched in Python on the class strings that one XPath collects: much cheaper
# than case-folding every class in XPath.
_ANY_HINT = re.compile("|".join(BYLINE_HINTS + DATE_HINTS))
_MODIFIED_LABEL = re.compile(r"\b(?:updated|modified|last\s+updated|edited)\b", re.IGNORECASE)
TITLE_SEPARATORS = re.compile(r"\s+[|\-–—:»·]\s+")
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
    for value in root.xpath("//@class | //@rel"):
        hint = value.lower()
        if _ANY_HINT.search(hint) is None:
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
        parts = TITLE_SEPARATORS.split(page_title)
        result["title"] = result["title"] or max(parts, key=len)
        if len(parts) > 1 and len(parts[-1]) < 40:
            result["publisher"] = parts[-1]
    page = _Page(root)
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
        field_name = "modified" if _MODIFIED_LABEL.search(text[: match.start()]) else "published"
        if field_name not in result:
            result[field_name] = stamp
            place = _PLACE_AFTER_DATE.match(text[match.end() :])
            if place and field_name == "published" and is_place(place.group("place")):
                result["dateline"] = place.group("place")
        if "published" in result:
            break
    if not result["authors"] or "T" not in result.get("published", "T"):
        _read_unmarked_lines(page, result)
    for element in datelines[:1]:
        text = (clean_text(element.text_content()) or "").strip(" -–—:")
        if is_place(text):
            result["dateline"] = text
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
_SKIPPED_TAGS = frozenset(
    {"script", "style", "noscript", "template", "select", "nav", "footer", "aside"}
)


def _read_unmarked_lines(page: _Page, result: Candidates) -> None:
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
        if match is None or _MODIFIED_LABEL.search(line[: match.start()]):
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
                if timed and _MODIFIED_LABEL.search(near[: clock.start()]):
                    result.setdefault("modified", timed)  # "Updated: 10:05 CST"
                elif timed:
                    stamp = timed
                break
        if stamp.startswith(result.get("published", "")):
            result["published"] = stamp


class _Page:
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
    body = root.find("body")
    lines: list[str] = []
    parts: list[str] = []
    long_lines = 0

    def end_line() -> None:
        nonlocal long_lines
        line = " ".join(" ".join(parts).split())
        parts.clear()
        if line:
            lines.append(line)
            long_lines += len(line) >= _LONG_LINE_CHARS

    walk = etree.iterwalk(body if body is not None else root, events=("start", "end", "comment"))
    for event, element in walk:
        if len(lines) >= _MAX_LINES or long_lines >= _MAX_LONG_LINES:
            break
        if event == "comment":
            parts.append(element.tail or "")
            continue
        tag = element.tag
        if event == "start":
            if tag in _SKIPPED_TAGS or outside_article(element):
                walk.skip_subtree()
                continue
            if tag in _BLOCK_TAGS or tag == "br":
                end_line()
            parts.append(element.text or "")
        else:
            if tag in _BLOCK_TAGS:
                end_line()
            parts.append(element.tail or "")
    end_line()
    return lines


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
