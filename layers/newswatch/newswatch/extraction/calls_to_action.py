"""Calls to action and teasers inside the body, found by structure.

Three structures mark them whatever the language: a short box whose link goes to a support,
membership, subscription or newsletter page (or a quiz), a short box linking to two of the
site's legal pages (a comment policy, a sign-up's consent line), and a run of sibling cards
each headed by a link to another story (a paywalled page's blurbs, "more on this"). The body walk
notes the links as it passes them (no pass of its own over the page); these functions then
find the boxes and cards around them, whose blocks are left out.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from itertools import islice

import lxml.html

from newswatch.extraction.boilerplate_rules import CALL_TO_ACTION_HREF, SITE_NOTICE_HREF

_BOX_TAGS = frozenset({"div", "section", "aside", "p", "form", "figure", "li"})
_CARD_TAGS = frozenset({"article", "div", "li", "section"})
HEADING_TAGS = frozenset({"h2", "h3", "h4", "h5", "h6"})
_PROTECTED = frozenset({"html", "body", "main", "article"})
_MAX_BOX_CHARS = 400  # tuned (cta fixtures): a prompt is a sentence or two and a button
_LINE_TAGS = frozenset({"p", "li"})
_MAX_LINE_PROMPT_CHARS = 160  # tuned (cta fixtures): "Every contribution ... Donate now"
_MAX_BOX_LEVELS = 3  # how far above its link a prompt's box may begin
_MAX_LINKS = 5_000  # prompt links looked at on one page (a cost bound)
_MIN_NOTICE_LINKS = 2  # one legal link may be reporting; two in a short box are its notice
_MIN_CARDS = 2  # one linked heading is a subheading; two alike in a row are teaser cards
_MEASURE_CHARS = 2 * 1024 * 1024  # text measured around links (a cost bound)


def is_call_to_action_link(href: str) -> bool:
    """Whether a link goes where calls to action send the reader (support, subscribe...)."""
    return CALL_TO_ACTION_HREF.search(href) is not None


def is_site_notice_link(href: str | None) -> bool:
    """Whether a link goes to one of the site's legal pages (privacy, terms, community rules)."""
    return href is not None and SITE_NOTICE_HREF.search(href) is not None


def prompt_boxes(links: Iterable[lxml.html.HtmlElement]) -> set[lxml.html.HtmlElement]:
    """The largest short box (within a few levels) around each call-to-action link."""
    boxes = set()
    for short in _short_boxes(links):
        # A paragraph that links to a newsletter may be reporting; a prompt is one line.
        prompts = [
            box
            for box, size in short
            if box.tag not in _LINE_TAGS or size <= _MAX_LINE_PROMPT_CHARS
        ]
        if prompts:
            boxes.add(prompts[-1])
    return boxes


def notice_boxes(links: Iterable[lxml.html.HtmlElement]) -> set[lxml.html.HtmlElement]:
    """The smallest short box (within a few levels) around two or more links to the site's
    legal pages: a notice of the site, whatever its length as a line."""
    boxes = set()
    for short in _short_boxes(links):
        for box, _ in short:
            if (
                sum(1 for a in box.iter("a") if is_site_notice_link(a.get("href")))
                >= _MIN_NOTICE_LINKS
            ):
                boxes.add(box)
                break
    return boxes


def _short_boxes(
    links: Iterable[lxml.html.HtmlElement],
) -> Iterator[list[tuple[lxml.html.HtmlElement, int]]]:
    """For each link, its box-tag ancestors within a few levels and below the article, up to
    the first whose text is too long for a box, innermost first, each with its size; links
    and measured text are bounded."""
    budget = _MEASURE_CHARS
    for link in islice(links, _MAX_LINKS):
        short = []
        for ancestor in islice(link.iterancestors(), _MAX_BOX_LEVELS):
            if ancestor.tag in _PROTECTED or ancestor.get("itemprop") == "articleBody":
                break
            if ancestor.tag not in _BOX_TAGS:
                continue
            size = _visible_chars(ancestor)
            budget -= size
            if size > _MAX_BOX_CHARS:
                break
            short.append((ancestor, size))
        yield short
        if budget <= 0:
            return


def teaser_cards(
    headed_links: Iterable[tuple[lxml.html.HtmlElement, lxml.html.HtmlElement]],
) -> set[lxml.html.HtmlElement]:
    """Cards headed by a link to another page, where a sibling card alike (same tag and
    class) is headed so too. ``headed_links`` pairs a link with the heading it sits in."""
    runs: dict[tuple[lxml.html.HtmlElement, str, str | None], set[lxml.html.HtmlElement]] = {}
    for link, heading in headed_links:
        card = heading.getparent()
        parent = card.getparent() if card is not None else None
        if parent is None or card.tag not in _CARD_TAGS or not _is_whole(link, heading):
            continue
        runs.setdefault((parent, card.tag, card.get("class")), set()).add(card)
    return {card for run in runs.values() if len(run) >= _MIN_CARDS for card in run}


def _is_whole(link: lxml.html.HtmlElement, heading: lxml.html.HtmlElement) -> bool:
    """Whether the link is all the heading's text."""
    return _visible_chars(link) == _visible_chars(heading) > 0


def _visible_chars(element: lxml.html.HtmlElement) -> int:
    return len("".join(element.text_content().split()))
