"""Calls to action and teasers inside the body, found by structure before the walk.

Two structures mark them whatever the language: a short box whose link goes to a support,
membership, subscription or newsletter page (or a quiz), and a run of sibling cards each
headed by a link to another story (a paywalled page's blurbs, "more on this"). Both are
collected in one pass over the page's links and one over its headings; the walk skips them whole.
"""

from __future__ import annotations

from itertools import islice

import lxml.html

from newswatch.extraction.boilerplate_rules import CALL_TO_ACTION_HREF

_BOX_TAGS = frozenset({"div", "section", "aside", "p", "form", "figure", "li"})
_CARD_TAGS = frozenset({"article", "div", "li", "section"})
_HEADINGS = ("h2", "h3", "h4", "h5", "h6")
_PROTECTED = frozenset({"html", "body", "main", "article"})
_MAX_BOX_CHARS = 400  # tuned (cta fixtures): a prompt is a sentence or two and a button
_LINE_TAGS = frozenset({"p", "li"})
_MAX_LINE_PROMPT_CHARS = 160  # tuned (cta fixtures): "Every contribution ... Donate now"
_MAX_BOX_LEVELS = 3  # how far above its link a prompt's box may begin
_MAX_LINKS = 5_000  # links looked at on one page (a cost bound)
_MIN_CARDS = 2  # one linked heading is a subheading; two alike in a row are teaser cards
_MEASURE_BUDGET_PAGES = 2  # text measured around links, in page lengths (a cost bound)


def call_to_action_elements(tree: lxml.html.HtmlElement) -> set[lxml.html.HtmlElement]:
    """Elements that are prompts or teaser cards: skipped, with their subtrees, by the walk."""
    found: set[lxml.html.HtmlElement] = set()
    budget = [_MEASURE_BUDGET_PAGES * _visible_chars(tree)]
    for link in islice(tree.iter("a"), _MAX_LINKS):
        if budget[0] <= 0:
            break
        if CALL_TO_ACTION_HREF.search(link.get("href") or ""):
            box = _prompt_box(link, budget)
            if box is not None:
                found.add(box)
    cards: dict[tuple[lxml.html.HtmlElement, str, str | None], list[lxml.html.HtmlElement]] = {}
    for heading in tree.iter(*_HEADINGS):
        card = heading.getparent()
        parent = card.getparent() if card is not None else None
        if parent is None or card.tag not in _CARD_TAGS or not _links_away(heading):
            continue
        cards.setdefault((parent, card.tag, card.get("class")), []).append(card)
    for run in cards.values():
        if len(set(run)) >= _MIN_CARDS:
            found.update(run)
    return found


def _prompt_box(link: lxml.html.HtmlElement, budget: list[int]) -> lxml.html.HtmlElement | None:
    """The largest short box (within a few levels) around a call-to-action link.

    ``budget`` (one mutable count) bounds the text measured over the page's links.
    """
    box = None
    for ancestor in islice(link.iterancestors(), _MAX_BOX_LEVELS):
        if ancestor.tag in _PROTECTED or ancestor.get("itemprop") == "articleBody":
            break
        if ancestor.tag not in _BOX_TAGS:
            continue
        size = _visible_chars(ancestor)
        budget[0] -= size
        if size > _MAX_BOX_CHARS:
            break
        # A paragraph that links to a newsletter may be reporting; a prompt is one line.
        if ancestor.tag in _LINE_TAGS and size > _MAX_LINE_PROMPT_CHARS:
            continue
        box = ancestor
    return box


def _links_away(heading: lxml.html.HtmlElement) -> bool:
    """Whether a heading's text is all one link to another page (not an anchor on this one)."""
    links = list(heading.iter("a"))
    if len(links) != 1 or (links[0].get("href") or "#").startswith("#"):
        return False
    return _visible_chars(links[0]) == _visible_chars(heading) > 0


def _visible_chars(element: lxml.html.HtmlElement) -> int:
    return len("".join(element.text_content().split()))
