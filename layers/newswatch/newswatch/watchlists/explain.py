"""What a match shows its reader: each hit's term, field, offsets and a marked snippet."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, NamedTuple

SNIPPET_LIMIT = 160
_ELLIPSIS = "…"
_WHITESPACE = re.compile(r"\s+")


class Hit(NamedTuple):
    """One place where a watchlist term was found.

    ``start``/``end`` are character offsets into ``article.title`` for the title field and into
    ``article.text`` for ``lead`` and ``body``; ``matched`` is the article's own spelling.
    ``source`` is that field's text, kept so that the snippet is built only when read. A named
    tuple, because a large article can produce thousands and they must be cheap to make.
    """

    term: str
    field: str
    start: int
    end: int
    matched: str
    source: str

    def __repr__(self) -> str:
        return f"Hit({self.term!r}, {self.field}, {self.start}:{self.end}, {self.matched!r})"

    @property
    def snippet(self) -> str:
        """At most 160 characters around the hit, the hit marked as ``**hit**``."""
        return snippet(self.source, self.start, self.end)

    def to_dict(self) -> dict[str, Any]:
        return {
            "term": self.term,
            "field": self.field,
            "start": self.start,
            "end": self.end,
            "matched": self.matched,
            "snippet": self.snippet,
        }


class Clause(NamedTuple):
    """One top-level part of a rule (an ``all`` entry, the ``any`` group, a ``NOT``...), with
    the terms written in it, so an explanation can say which parts were satisfied by what."""

    text: str
    negative: bool
    terms: frozenset[str]


@dataclass(frozen=True, slots=True)
class Match:
    """A watchlist that fired on an article, with its rule and the hits that made it fire."""

    watchlist: str
    hits: tuple[Hit, ...]
    rule: str = ""
    clauses: tuple[Clause, ...] = ()
    # How often each term that fired occurs in the article: ``hits`` quote at most a few.
    mentions: tuple[tuple[str, int], ...] = ()

    def explain(self) -> str:
        """A few lines for a person: the rule, what satisfied each of its parts, then every hit
        with its field, offsets and context."""
        lines = [f"{self.watchlist}: {self.rule}" if self.rule else self.watchlist]
        mentions = dict(self.mentions)
        for clause in self.clauses:
            if clause.negative:
                lines.append(f"  + {clause.text}: none of it present")
                continue
            found = ", ".join(
                f"{term} ({mentions[term]}x)" for term in sorted(clause.terms & mentions.keys())
            )
            lines.append(f"  + {clause.text}: found {found}")
        for hit in self.hits:
            shown = hit.term if hit.matched == hit.term else f"{hit.term} (as {hit.matched!r})"
            lines.append(f"  - {shown} in {hit.field} [{hit.start}:{hit.end}]: {hit.snippet}")
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        return {
            "watchlist": self.watchlist,
            "rule": self.rule,
            "mentions": dict(self.mentions),
            "hits": [hit.to_dict() for hit in self.hits],
        }


def snippet(text: str, start: int, end: int, limit: int = SNIPPET_LIMIT) -> str:
    """``text[start:end]`` marked as ``**hit**`` in as much context as fits in ``limit`` chars.

    Whitespace runs (paragraph breaks) collapse to one space; cuts fall between words where
    possible and are shown with an ellipsis.
    """
    hit = _WHITESPACE.sub(" ", text[start:end])
    room = limit - len(hit) - 4  # the two "**" markers
    if room < 0:
        return f"**{hit[: limit - 5]}{_ELLIPSIS}**"
    before = _WHITESPACE.sub(" ", text[max(0, start - limit) : start]).lstrip()
    after = _WHITESPACE.sub(" ", text[end : end + limit]).rstrip()
    before_cut = start - limit > 0
    after_cut = end + limit < len(text)
    half = room // 2
    before_room = max(half, room - len(after))
    after_room = room - min(len(before), before_room)
    if len(before) > before_room:
        before = _cut_left(before, before_room - 1)
        before_cut = True
    if len(after) > after_room:
        after = _cut_right(after, after_room - 1)
        after_cut = True
    if before_cut:
        before = _ELLIPSIS + before
    if after_cut:
        after = after + _ELLIPSIS
    return f"{before}**{hit}**{after}"


def _cut_left(text: str, keep: int) -> str:
    """The last ``keep`` characters of ``text``, starting at a word if one starts close by."""
    if keep <= 0:
        return ""
    tail = text[-keep:]
    space = tail.find(" ")
    return tail[space + 1 :] if 0 <= space < keep // 3 else tail


def _cut_right(text: str, keep: int) -> str:
    """The first ``keep`` characters of ``text``, ending at a word if one ends close by."""
    if keep <= 0:
        return ""
    head = text[:keep]
    space = head.rfind(" ")
    return head[:space] if space > keep * 2 // 3 else head
