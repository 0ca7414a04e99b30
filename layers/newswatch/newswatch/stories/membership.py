"""A story's records: the articles that carried it, and how widely it ran.

The protocol the pipeline writes through; :mod:`newswatch.aws.story_store` is its DynamoDB
adapter. Recording a copy is idempotent per (story, article): a redelivered or retried message
never changes a story's membership or its counts.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol
from urllib.parse import urlsplit

from newswatch.article import ArticleSummary


@dataclass(frozen=True, slots=True)
class StoryCopy:
    """One article of a story, as the story lists it, and when it arrived."""

    article: ArticleSummary
    ingested_at: str

    @property
    def site(self) -> str:
        """The site that carried it: the URL's host, else the publisher's name, else the
        article itself (so two unknown copies still count as two)."""
        article = self.article
        host = ""
        if article.url:
            try:
                host = (urlsplit(article.url).hostname or "").removeprefix("www.")
            except ValueError:
                host = ""
        return host or (article.publisher or "").strip().lower() or f"article:{article.article_id}"

    def to_dict(self) -> dict[str, Any]:
        return {**self.article.to_dict(), "ingested_at": self.ingested_at}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> StoryCopy:
        return cls(ArticleSummary.from_dict(data), str(data.get("ingested_at", "")))


@dataclass(frozen=True, slots=True)
class StoryCounts:
    copies: int
    sites: int


class StoryMembership(Protocol):
    def record_copy(self, story_id: str, copy: StoryCopy) -> None:
        """Add ``copy`` to the story (creating the story with it as the first article); a
        second call for the same article changes nothing."""

    def counts(self, story_id: str) -> StoryCounts:
        """How many articles and distinct sites carried the story so far."""
