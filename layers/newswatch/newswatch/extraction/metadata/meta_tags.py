"""Source 2: ``<meta>`` keys (OpenGraph, ``article:*``, Twitter cards, Parse.ly, Dublin Core,
``name=author``...): written for machines too, but untyped and often templated."""

from __future__ import annotations

from types import MappingProxyType

import lxml.html

from newswatch.extraction.metadata.fields import Candidates, combine
from newswatch.extraction.vocabulary import META_KEYS

_WANTED_META = frozenset(key for keys in META_KEYS.values() for key in keys)
_KEY_ATTRIBUTES = ("property", "name", "itemprop", "http-equiv")
# Attributes of ``<html>`` that state a field before any ``<meta>`` does: the language prefers
# ``<html lang>`` over ``og:locale``, which CMS templates often leave at ``en_US``.
_ROOT_ATTRIBUTES = MappingProxyType({"language": ("lang", "xml:lang")})


def candidates(root: lxml.html.HtmlElement) -> Candidates:
    """Each field's first usable ``<meta>`` value, in ``META_KEYS`` order (all, for lists)."""
    values: dict[str, list[str]] = {}
    for meta in root.iter("meta"):
        content = meta.get("content")
        if not content:
            continue
        for attribute in _KEY_ATTRIBUTES:
            key = meta.get(attribute)
            if key and (key := key.strip().lower()) in _WANTED_META:
                values.setdefault(key, []).append(content)
    result: Candidates = {}
    for name, keys in META_KEYS.items():
        found: list[str | None] = [
            root.get(attribute) for attribute in _ROOT_ATTRIBUTES.get(name, ())
        ]
        found.extend(value for key in keys for value in values.get(key, ()))
        if any(found):
            result[name] = combine(name, found)
    return result
