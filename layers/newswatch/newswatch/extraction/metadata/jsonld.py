"""Source 1, the most reliable: JSON-LD (``NewsArticle`` and its kin, in ``@graph``, in arrays
or nested in a ``WebPage``), written by the publisher for search engines, typed, and checked
by their validators."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from itertools import islice
from typing import Any

import lxml.etree
import lxml.html

from newswatch.extraction.credits import clean_authors
from newswatch.extraction.dates import earliest, latest, normalize_date
from newswatch.extraction.language import language_code
from newswatch.extraction.metadata.fields import Candidates, split_keywords
from newswatch.extraction.text import clean_text
from newswatch.extraction.vocabulary import ARTICLE_TYPES, PAGE_TYPES, PUBLISHER_TYPES

_MAX_JSON_NODES = 2000
_MAX_JSON_DEPTH = 8
_TRAILING_COMMA = re.compile(r",\s*([}\]])")
# The scripts are found by lxml's iteration over <script> and their type compared in Python
# (folded as XPath's translate(@type, 'JSONLDAPIC', 'jsonldapic') folded it): an XPath with
# that predicate cost twice as much, evaluating it on every element of the page.
_JSON_LD_TYPE = "application/ld+json"
_FOLD_TYPE = str.maketrans("JSONLDAPIC", "jsonldapic")
_TEXT_NODES = lxml.etree.XPath("text()")


def candidates(root: lxml.html.HtmlElement) -> Candidates:
    """The fields of the page's article node (or of its page node, when none is an article)."""
    scripts = [
        text
        for script in root.iter("script")
        if (script.get("type") or "").translate(_FOLD_TYPE) == _JSON_LD_TYPE
        for text in _TEXT_NODES(script)
    ]
    nodes: list[tuple[int, dict[str, Any]]] = []
    for script in scripts:
        data = _load_json(str(script))
        if data is not None:
            nodes.extend(_typed_nodes(data))
    if not nodes:
        return {}
    by_id = {node["@id"]: node for _, node in nodes if isinstance(node.get("@id"), str)}
    articles = [(depth, node) for depth, node in nodes if _types(node) & ARTICLE_TYPES]
    pages = [(depth, node) for depth, node in nodes if _types(node) & PAGE_TYPES]
    chosen = min(articles or pages, key=lambda item: item[0], default=None)
    result: Candidates = {}
    if chosen is not None:
        result = _article_fields(chosen[1], by_id)
    if not result.get("publisher"):
        for _, node in nodes:
            if _types(node) & PUBLISHER_TYPES and (name := clean_text(node.get("name"))):
                result["publisher"] = name
                break
    return result


def _load_json(raw: str) -> Any:
    """Parsed JSON-LD, tolerating HTML comment/CDATA wrappers, trailing commas and concatenation."""
    # Whatever wraps the JSON (<!--, //<![CDATA[, ...) lies outside its outermost brackets; a
    # "[" of a CDATA marker may come first, so each opening bracket is a candidate start.
    end = max(raw.rfind("}"), raw.rfind("]"))
    starts = sorted(index for index in (raw.find("{"), raw.find("[")) if 0 <= index < end)
    for start in starts:
        value = _parse_lenient(raw[start : end + 1])
        if value is not None:
            return value
    return None


def _parse_lenient(text: str) -> Any:
    """The JSON value(s) in ``text``, or None.

    RecursionError is caught with ValueError: the json module parses nested arrays and objects
    recursively, so a script of a few thousand nested ``{"a":`` exceeds the interpreter's depth.
    """
    try:
        return json.loads(text, strict=False)
    except (ValueError, RecursionError):
        pass
    text = _TRAILING_COMMA.sub(r"\1", text)
    decoder = json.JSONDecoder(strict=False)
    values: list[Any] = []
    position = 0
    while position < len(text) and len(values) < 20:
        while position < len(text) and text[position] in " \t\r\n,;":
            position += 1
        if position >= len(text):
            break
        try:
            value, position = decoder.raw_decode(text, position)
        except (ValueError, RecursionError):
            break
        values.append(value)
    if not values:
        return None
    return values[0] if len(values) == 1 else values


def _typed_nodes(data: Any) -> Iterator[tuple[int, dict[str, Any]]]:
    """Every JSON object with an ``@type``, with its nesting depth, walked iteratively."""
    stack: list[tuple[int, Any]] = [(0, data)]
    seen = 0
    while stack and seen < _MAX_JSON_NODES:
        depth, value = stack.pop()
        seen += 1
        if isinstance(value, list):
            stack.extend((depth, item) for item in reversed(value))
        elif isinstance(value, dict):
            if "@type" in value:
                yield depth, value
            if depth < _MAX_JSON_DEPTH:
                stack.extend(
                    (depth + 1, child)
                    for key, child in reversed(value.items())
                    if isinstance(child, (dict, list)) and key != "@context"
                )


def _types(node: dict[str, Any]) -> set[str]:
    raw = node.get("@type")
    names = raw if isinstance(raw, list) else [raw]
    return {name.rsplit("/", 1)[-1].rsplit(":", 1)[-1] for name in names if isinstance(name, str)}


# How many of a live blog's ``liveBlogUpdate`` posts are read for its latest update.
_MAX_LIVE_UPDATES = 1000


def _dates(node: dict[str, Any]) -> Candidates:
    """``published`` and ``modified`` of an article node.

    A live blog's own time is its first publication (``coverageStartTime``, or
    ``datePublished`` when earlier: some CMSs move that to each update), and ``modified`` its
    latest update (``dateModified`` or the newest ``liveBlogUpdate``), since a watchlist alert
    on a live blog is about what was added last.
    """
    if "LiveBlogPosting" not in _types(node):
        return {
            "published": normalize_date(node.get("datePublished") or node.get("dateCreated")),
            "modified": normalize_date(node.get("dateModified")),
        }
    updates = node.get("liveBlogUpdate")
    posts = updates if isinstance(updates, list) else [updates]
    post_dates = (
        post.get(key)
        for post in islice(posts, _MAX_LIVE_UPDATES)
        if isinstance(post, dict)
        for key in ("dateModified", "datePublished")
    )
    starts = (node.get(key) for key in ("coverageStartTime", "datePublished", "dateCreated"))
    return {
        "published": earliest(filter(None, map(normalize_date, starts))),
        "modified": latest(
            filter(None, map(normalize_date, (node.get("dateModified"), *post_dates)))
        ),
    }


def _article_fields(node: dict[str, Any], by_id: dict[str, dict[str, Any]]) -> Candidates:
    def resolve(value: Any) -> Any:
        reference = value.get("@id") if isinstance(value, dict) else None
        if isinstance(reference, str) and set(value) <= {"@id", "@type"} and reference in by_id:
            return by_id[reference]
        return value

    def first(value: Any) -> Any:
        return value[0] if isinstance(value, list) and value else value

    def name_of(value: Any) -> str | None:
        value = resolve(first(value))
        if isinstance(value, dict):
            name = value.get("name")
            if isinstance(name, list):
                name = first(name)
            if not name and (value.get("givenName") or value.get("familyName")):
                name = f"{value.get('givenName', '')} {value.get('familyName', '')}"
            return clean_text(name)
        return clean_text(value)

    def url_of(value: Any) -> str | None:
        value = resolve(first(value))
        if isinstance(value, dict):
            return clean_text(value.get("url") or value.get("contentUrl") or value.get("@id"))
        return clean_text(value)

    authors_raw = node.get("author") or node.get("creator") or []
    authors_list = authors_raw if isinstance(authors_raw, list) else [authors_raw]
    image = resolve(first(node.get("image")))
    language = resolve(node.get("inLanguage"))
    if isinstance(language, dict):
        language = language.get("alternateName") or language.get("name")
    section = first(node.get("articleSection"))
    return {
        "title": clean_text(node.get("headline")) or clean_text(node.get("name")),
        "subtitle": clean_text(node.get("description"))
        or clean_text(node.get("alternativeHeadline")),
        **_dates(node),
        "authors": clean_authors(name_of(author) for author in authors_list),
        "publisher": name_of(node.get("publisher")),
        "url": url_of(node.get("url")) or url_of(node.get("mainEntityOfPage")),
        "language": language_code(language),
        "section": clean_text(section),
        "tags": split_keywords(node.get("keywords")),
        "dateline": clean_text(node.get("dateline")),
        "image": url_of(image),
        "image_caption": clean_text(image.get("caption")) if isinstance(image, dict) else None,
    }
