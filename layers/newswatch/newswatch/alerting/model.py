"""What an alert is about, as plain values: the article shown, and why each watchlist fired.

These are what the ledger stores and what messages render, so a retry or a digest hours later
renders from the same facts as the first attempt did.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from newswatch.article import ArticleSummary


@dataclass(frozen=True, slots=True)
class MatchedTerm:
    term: str
    snippet: str
    mentions: int


@dataclass(frozen=True, slots=True)
class WatchlistReason:
    """Why one watchlist fired: its matched terms in order of first hit, each with its first
    snippet and how often it occurs in the article."""

    watchlist: str
    terms: tuple[MatchedTerm, ...] = ()

    @classmethod
    def from_hits(
        cls, watchlist: str, hits: Sequence[Mapping[str, Any]], mentions: Mapping[str, int]
    ) -> WatchlistReason:
        """From a match's quoted hits (the first few) and its true mention counts."""
        first: dict[str, str] = {}
        quoted: dict[str, int] = {}
        for hit in hits:
            term = str(hit.get("term", ""))
            first.setdefault(term, str(hit.get("snippet") or hit.get("matched") or ""))
            quoted[term] = quoted.get(term, 0) + 1
        terms = tuple(
            MatchedTerm(term, snippet, int(mentions.get(term, quoted[term])))
            for term, snippet in first.items()
        )
        return cls(watchlist, terms)

    def to_dict(self) -> dict[str, Any]:
        return {
            "watchlist": self.watchlist,
            "terms": [[t.term, t.snippet, t.mentions] for t in self.terms],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> WatchlistReason:
        terms = tuple(MatchedTerm(str(t[0]), str(t[1]), int(t[2])) for t in data.get("terms", ()))
        return cls(str(data["watchlist"]), terms)


@dataclass(frozen=True, slots=True)
class StoryAlert:
    """An instant alert: a story's first article for these watchlists, and how widely it ran."""

    story_id: str
    article: ArticleSummary
    reasons: tuple[WatchlistReason, ...]
    copies: int = 1
    sites: int = 1


@dataclass(frozen=True, slots=True)
class DigestEntry:
    """One story in a digest: the article that alerted the watchlist, and why."""

    story_id: str
    article: ArticleSummary
    reason: WatchlistReason
    alerted_at: str
    sites: int = 1
