"""Live blogs: the posts of a page that reports as it goes, found by markup or by JSON-LD.

A live blog is a dozen or a hundred short timestamped posts, each in its own card, so the
article scorer in :mod:`.body` sees one card as the article and the rest as its siblings that
score too little. Here the cards are found as a whole: a run of sibling elements sharing a tag
and class, most of them stamped with a time, under markup that names a live feed (or on a page
whose JSON-LD declares a ``LiveBlogPosting``). Cards of the same signature elsewhere on the
page (a pinned copy, a collapsed "load more" remainder) belong to the same feed. The JSON-LD's
``liveBlogUpdate`` list fills in posts the markup holds no card for (those behind "load more").
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import islice
from typing import Any

import lxml.html

from newswatch.extraction.boilerplate_rules import (
    LIVE_FEED_WORDS,
    NOT_A_FEED_WORDS,
    TIME_CLASS_WORDS,
)

_POST_TAGS = frozenset({"article", "div", "li", "section"})
_MIN_POSTS = 3  # tuned on the liveblog fixtures: fewer sibling cards is an article's sections
_MIN_DECLARED_POSTS = 2  # with a LiveBlogPosting declared, two cards already make a feed
_STAMPED_SHARE = 0.6  # most cards of a feed carry a time; a pinned or promo card may not
_MIN_POST_PROSE = 60  # characters outside links that make a card a post, not a link tile
_ANCESTOR_LEVELS = 4  # how far above the cards the feed's name may be written
_MAX_JSONLD_CHARS = 2_000_000  # JSON-LD beyond this is not read (a cost bound)
_MAX_UPDATES = 500
_MAX_UPDATE_CHARS = 20_000
_MEASURE_CHARS = 4 * 1024 * 1024  # text measured while judging candidate feeds (a cost bound)
_MAX_FEED_PARENTS = 2_000  # elements searched for cards inside one feed-named element
# A clock time opening a card: "16:20 Uhr", "4:05 p.m.", "11.47 GMT", "9h30".
_CLOCK = re.compile(r"(?<!\d)\d{1,2}[:.h]\d\d(?!\d)")
_CLOCK_WINDOW = 40  # characters at a card's start that may hold its time


@dataclass(frozen=True, slots=True)
class JsonLdUpdate:
    """One ``liveBlogUpdate`` entry: what a post without a card on the page says."""

    headline: str | None
    body: str
    published: str | None
    anchor: str | None  # the URL fragment that names the post's card, when given


def jsonld_updates(tree: lxml.html.HtmlElement) -> list[JsonLdUpdate] | None:
    """The page's ``LiveBlogPosting`` updates in their order; None when it declares none.

    Read before the body walk strips scripts. Bounded: only the first scripts up to
    :data:`_MAX_JSONLD_CHARS`, and only :data:`_MAX_UPDATES` updates.
    """
    budget = _MAX_JSONLD_CHARS
    declared: list[JsonLdUpdate] | None = None
    for script in tree.iter("script"):
        if (script.get("type") or "").strip().lower() != "application/ld+json" or not script.text:
            continue
        budget -= len(script.text)
        if budget < 0:
            break
        if "LiveBlogPosting" not in script.text:
            continue
        try:
            data = json.loads(script.text, strict=False)
        except ValueError:
            continue
        for node in _nodes(data):
            if "LiveBlogPosting" in _types(node):
                declared = (declared or []) + _updates(node.get("liveBlogUpdate"))
    return declared


def _nodes(data: Any) -> Iterator[dict[str, Any]]:
    """Top-level objects of a JSON-LD document: a list, an ``@graph`` or one object."""
    items = data if isinstance(data, list) else [data]
    for item in items[:_MAX_UPDATES]:
        if isinstance(item, dict):
            yield item
            graph = item.get("@graph")
            if isinstance(graph, list):
                yield from (node for node in graph[:_MAX_UPDATES] if isinstance(node, dict))


def _types(node: dict[str, Any]) -> list[str]:
    kind = node.get("@type")
    if isinstance(kind, str):
        return [kind]
    return [k for k in kind if isinstance(k, str)] if isinstance(kind, list) else []


def _updates(value: Any) -> list[JsonLdUpdate]:
    entries = value if isinstance(value, list) else [value]
    updates = []
    for entry in entries[:_MAX_UPDATES]:
        if not isinstance(entry, dict):
            continue
        body = _plain(entry.get("articleBody") or entry.get("text"))
        headline = _plain(entry.get("headline")) or None
        if not body and not headline:
            continue
        url = entry.get("url") or entry.get("@id")
        anchor = url.partition("#")[2] or None if isinstance(url, str) else None
        published = entry.get("datePublished")
        updates.append(
            JsonLdUpdate(
                headline=headline,
                body=body,
                published=published if isinstance(published, str) else None,
                anchor=anchor,
            )
        )
    return updates


def _plain(value: Any) -> str:
    """A JSON-LD text as plain lines: markup some sites leave in it removed, length bounded."""
    if not isinstance(value, str):
        return ""
    text = value[:_MAX_UPDATE_CHARS]
    if "<" in text:
        text = lxml.html.fragment_fromstring(text, create_parent="div").text_content()
    return "\n".join(" ".join(line.split()) for line in text.splitlines() if line.strip())


def post_elements(
    tree: lxml.html.HtmlElement, *, declared: bool, named: list[lxml.html.HtmlElement]
) -> list[lxml.html.HtmlElement]:
    """The cards of the page's live feed in page order, outermost only; [] if it has none.

    Unless the page declares a live blog, only the subtrees around ``named`` (elements whose
    class or id matches :data:`LIVE_FEED_WORDS`, noted by the body walk as it passes) are
    searched: most pages have none and pay nothing more.
    """
    budget = _MEASURE_CHARS
    best: tuple[int, tuple[str, str]] | None = None
    minimum = _MIN_DECLARED_POSTS if declared else _MIN_POSTS
    for parent in _feed_parents(tree, declared=declared, named=named):
        if len(parent) < minimum:
            continue
        signatures = Counter(_signature(child) for child in parent if child.tag in _POST_TAGS)
        for signature, count in signatures.items():
            if count < minimum or budget <= 0:
                continue
            members = [child for child in parent if _signature(child) == signature]
            prose = [_prose_chars(member) for member in members]
            budget -= sum(prose)
            if not _is_feed(parent, members, prose, declared=declared):
                continue
            if best is None or sum(prose) > best[0]:
                best = (sum(prose), signature)
    if best is None:
        return []
    tag, first_class = best[1]
    posts: list[lxml.html.HtmlElement] = []
    seen: set[lxml.html.HtmlElement] = set()
    for element in tree.iter(tag):
        if _signature(element) == (tag, first_class) and seen.isdisjoint(element.iterancestors()):
            posts.append(element)
            seen.add(element)
    return posts


def _feed_parents(
    tree: lxml.html.HtmlElement, *, declared: bool, named: list[lxml.html.HtmlElement]
) -> Iterator[lxml.html.HtmlElement]:
    """Elements whose children may be a feed's cards: every element on a declared live blog,
    else those in, around or just above an element named like a feed."""
    if declared:
        yield from tree.iter()
        return
    seen: set[lxml.html.HtmlElement] = set()
    for element in named:
        around = [element.getparent(), *islice(element.iter(), _MAX_FEED_PARENTS)]
        for candidate in around:
            if candidate is not None and candidate not in seen:
                seen.add(candidate)
                yield candidate


def _is_feed(
    parent: lxml.html.HtmlElement,
    members: list[lxml.html.HtmlElement],
    prose: list[int],
    *,
    declared: bool,
) -> bool:
    """Whether sibling cards are a live feed: stamped, prose-bearing, named (or declared) live."""
    if sum(1 for chars in prose if chars >= _MIN_POST_PROSE) < _MIN_DECLARED_POSTS:
        return False
    stamped = sum(1 for member in members if _is_stamped(member))
    if stamped < _STAMPED_SHARE * len(members):
        return False
    names = [_attributes(members[0]), _attributes(parent)]
    names += [
        _attributes(a)
        for a, _ in zip(parent.iterancestors(), range(_ANCESTOR_LEVELS), strict=False)
    ]
    if any(NOT_A_FEED_WORDS.search(name) for name in names):
        return False
    return declared or any(LIVE_FEED_WORDS.search(name) for name in names)


def _is_stamped(card: lxml.html.HtmlElement) -> bool:
    """Whether a card carries its time: a ``<time>``, a time-named element or a leading clock."""
    for element in card.iter():
        if element.tag == "time" or (
            element is not card and TIME_CLASS_WORDS.search(_attributes(element))
        ):
            return True
    return bool(
        _CLOCK.search(" ".join(card.text_content()[: _CLOCK_WINDOW * 4].split())[:_CLOCK_WINDOW])
    )


def post_time(card: lxml.html.HtmlElement) -> tuple[str | None, str | None]:
    """A card's visible time text and its machine-readable time (``datetime``), when shown."""
    for element in card.iter("time"):
        text = " ".join(element.text_content().split())
        return text or None, element.get("datetime")
    for element in card.iter():
        if element is not card and TIME_CLASS_WORDS.search(_attributes(element)):
            text = " ".join(element.text_content().split())
            if text and _CLOCK.search(text):
                return text, None
    return None, None


def _signature(element: lxml.html.HtmlElement) -> tuple[str, str]:
    tag = element.tag if isinstance(element.tag, str) else ""
    classes = (element.get("class") or "").split()
    return tag, classes[0] if classes else ""


def _prose_chars(element: lxml.html.HtmlElement) -> int:
    text = len("".join(element.text_content().split()))
    links = sum(len("".join(link.text_content().split())) for link in element.iter("a"))
    return max(text - links, 0)


def _attributes(element: lxml.html.HtmlElement) -> str:
    return f"{element.get('class', '')} {element.get('id', '')}"


def anchors(cards: list[lxml.html.HtmlElement]) -> dict[str, int]:
    """Each ``id`` inside the cards (the card's own included), mapped to its card's index."""
    found: dict[str, int] = {}
    for index, card in enumerate(cards):
        for element in card.iter():
            name = element.get("id")
            if name:
                found.setdefault(name, index)
    return found
