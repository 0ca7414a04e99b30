"""The headline in a title that carries the site's name: "Harbor Gazette: Fishing fleet...",
"Story | Site", or a small paper's ``<title>`` that is only "The Courier - Local News".

A part of a title is taken for the site's name or section only when the page says so elsewhere
(the publisher a source names, then the rules in ``SITE_NAME_EVIDENCE``, asked of short parts
only): the copyright line, the masthead (the page's first visible text) or, for a short last
part, a navigation link's text.
Uncorroborated parts stay, so a headline with a colon ("Storm live: roads closed") is kept
whole. A title whose every part is the site's is flagged, for the body's own heading to
replace it (:func:`newswatch.extraction.body.without_lead_heading`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import lxml.etree
import lxml.html

from newswatch.extraction.metadata.fields import Metadata
from newswatch.extraction.text import clean_text, count_words

# What separates a headline from the site's name or section: "A | B", "A - B", "Site: A".
TITLE_SEPARATORS = re.compile(r"\s+[|\-–—:»·]\s+|(?<=\w):\s+")
# Tuned (tests/fixtures/legacy, aeb-dev): a section name is a word or a few ("Local News",
# "Lokales"); a site's name a few more ("The Millbrook Courier", "中国日报网": one word a Han
# character).
_MAX_SECTION_WORDS = 4
_MAX_SITE_NAME_WORDS = 6
# Tuned: the first text nodes that may hold a copyright notice (a page has one or two).
_MAX_COPYRIGHT_LINES = 5
# Tuned: a copyright notice is a line; longer text that mentions one is prose or data.
_MAX_COPYRIGHT_CHARS = 200
_COPYRIGHT_TEXT = (
    "//body//text()[contains(., '©') or contains(., 'Copyright') or contains(., 'copyright')]"
    f"[string-length() <= {_MAX_COPYRIGHT_CHARS}][not(ancestor::script or ancestor::style)]"
)
_NOT_SHOWN = frozenset({"script", "style", "noscript", "template"})


@dataclass(slots=True)
class _Page:
    """What the page says besides its title, read once and only when a title has parts."""

    root: lxml.html.HtmlElement
    publisher: str | None
    _copyright: list[str] | None = field(default=None)
    _masthead: str | None = field(default=None)

    def copyright_lines(self) -> list[str]:
        if self._copyright is None:
            nodes = self.root.xpath(_COPYRIGHT_TEXT)[:_MAX_COPYRIGHT_LINES]
            self._copyright = [str(node).casefold() for node in nodes]
        return self._copyright

    def masthead(self) -> str:
        """The page's first visible text, folded ("" when the page opens with its h1).

        Walked in Python, stopping at the first text: an XPath for it reads every text node.
        """
        if self._masthead is None:
            self._masthead = ""
            body = self.root.find("body")
            for element in body.iter(lxml.etree.Element) if body is not None else ():
                if element.tag in _NOT_SHOWN or not (element.text and element.text.strip()):
                    continue
                if element.tag != "h1" and next(element.iterancestors("h1"), None) is None:
                    self._masthead = (clean_text(element.text) or "").casefold()
                break
        return self._masthead

    def links_reading(self, text: str) -> bool:
        return bool(self.root.xpath("//a[normalize-space()=$text]", text=text))


Evidence = Callable[[str, "_Page", bool], bool]


def _is_publisher(part: str, page: _Page, last: bool) -> bool:
    return page.publisher is not None and part.casefold() == page.publisher.casefold()


def _in_copyright_line(part: str, page: _Page, last: bool) -> bool:
    folded = part.casefold()
    return any(_holds_words(line, folded) for line in page.copyright_lines())


def _holds_words(line: str, words: str) -> bool:
    """Whether ``words`` occur in ``line`` as whole words ("news" is not in "© Newsday")."""
    start = line.find(words)
    while start >= 0:
        end = start + len(words)
        if not (start and line[start - 1].isalnum()) and not (
            end < len(line) and line[end].isalnum()
        ):
            return True
        start = line.find(words, start + 1)
    return False


def _is_masthead(part: str, page: _Page, last: bool) -> bool:
    return part.casefold() == page.masthead()


def _is_section_link(part: str, page: _Page, last: bool) -> bool:
    return last and count_words(part) <= _MAX_SECTION_WORDS and page.links_reading(part)


# What on the page makes a short title part the site's name or section, cheapest first.
SITE_NAME_EVIDENCE: Sequence[Evidence] = (
    _is_masthead,
    _in_copyright_line,
    _is_section_link,
)


def _names_site(part: str, page: _Page, last: bool) -> bool:
    if _is_publisher(part, page, last):
        return True
    # A longer part is a headline: asking the page (XPaths over all its text, 12 % of
    # extraction when every title was asked) is only for parts a name could be.
    if count_words(part) > _MAX_SITE_NAME_WORDS:
        return False
    return any(rule(part, page, last) for rule in SITE_NAME_EVIDENCE)


def title_without_site_name(merged: Metadata, root: lxml.html.HtmlElement, url: str | None) -> None:
    """Take the site's name and section off either end of the title (a merge finisher)."""
    title = merged.title
    if not title:
        return
    page = _Page(root, merged.publisher)
    # Parts as (start, end) offsets into the title, so what is left keeps its own separators.
    bounds, start = [], 0
    for separator in TITLE_SEPARATORS.finditer(title):
        bounds.append((start, separator.start()))
        start = separator.end()
    bounds.append((start, len(title)))
    first, last = 0, len(bounds) - 1
    # Only a title's last part, of several, may be a section.
    ends = len(bounds) - 1 if len(bounds) > 1 else None
    while first <= last and _names_site(title[slice(*bounds[first])], page, first == ends):
        first += 1
    while last > first and _names_site(title[slice(*bounds[last])], page, last == ends):
        last -= 1
    if first > last:
        merged.title_names_site = True
    elif (first, last) != (0, len(bounds) - 1):
        merged.title = title[bounds[first][0] : bounds[last][1]]
    # A site's name found leading the title names the publisher, when no source does or the
    # one named is a section guessed from the title's end ("Local News").
    publisher = merged.publisher
    if first and (publisher is None or _is_section_link(publisher, page, True)):
        merged.publisher = title[slice(*bounds[0])]
