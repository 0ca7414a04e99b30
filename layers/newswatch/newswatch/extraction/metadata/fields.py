"""The metadata record, and how a raw value a source found becomes a field's value."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, fields
from itertools import chain
from types import MappingProxyType
from typing import Any

from newswatch.extraction.credits import clean_authors
from newswatch.extraction.dates import normalize_date
from newswatch.extraction.language import language_code
from newswatch.extraction.text import clean_text, unique


@dataclass(slots=True)
class Metadata:
    """Everything about an article except its body text; fields as in :class:`Article`."""

    title: str | None = None
    subtitle: str | None = None
    published: str | None = None
    modified: str | None = None
    authors: list[str] = field(default_factory=list)
    publisher: str | None = None
    url: str | None = None
    language: str | None = None
    section: str | None = None
    tags: list[str] = field(default_factory=list)
    dateline: str | None = None
    image: str | None = None
    image_caption: str | None = None
    # Set by the merge, not by a source: the title found is only the site's name and section
    # (:mod:`.site_name`), so a heading opening the body is the better headline.
    title_names_site: bool = False


# The fields sources give.
FIELDS = tuple(f.name for f in fields(Metadata) if f.name != "title_names_site")
# What one source found: a field's name and its value; an empty value means "not found".
Candidates = dict[str, Any]

# CMS-internal keywords that are no topic: "@post-id:123", "ctp_video", a lone quote mark.
_INTERNAL_TAG = re.compile(r"^(?:@.*|[a-z0-9]+_[a-z0-9_]+|\W*)$")


def split_keywords(value: object) -> list[str]:
    """Tags from a keyword string or list ("a, b; c"), without CMS-internal ones."""
    items: list[object] = value if isinstance(value, list) else [value]
    tags: list[str] = []
    for item in items:
        text = clean_text(item)
        if text is None:
            continue
        tags.extend(
            tag
            for part in re.split(r"[,;]", text)
            if (tag := part.strip()) and not _INTERNAL_TAG.match(tag)
        )
    return unique(tags)


def _authors(raw: object) -> list[str]:
    return clean_authors([raw])


# How a raw string becomes each field's value; a field not named here is cleaned text.
NORMALISERS: Mapping[str, Callable[[object], Any]] = MappingProxyType(
    {
        "authors": _authors,
        "tags": split_keywords,
        "published": normalize_date,
        "modified": normalize_date,
        "language": language_code,
    }
)
# Fields that hold every value their sources state, not only the first.
LIST_FIELDS = frozenset({"authors", "tags"})


def normalise(name: str, raw: object) -> Any:
    """A raw value as field ``name`` holds it, or an empty value when it is unusable."""
    return NORMALISERS.get(name, clean_text)(raw)


def combine(name: str, raws: Iterable[object]) -> Any:
    """Several raw values for one field: all of them for a list field, else the first usable."""
    values = (normalise(name, raw) for raw in raws)
    if name in LIST_FIELDS:
        return unique(chain.from_iterable(values))
    return next(filter(None, values), None)
