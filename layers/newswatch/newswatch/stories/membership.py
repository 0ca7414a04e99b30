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


@dataclass(frozen=True, slots=True)
class StoryCopy:
    """One article of a story, as the story lists it."""

    article_id: str
    title: str | None
    publisher: str | None
    url: str | None
    published: str | None
    s3_uri: str
    ingested_at: str

    @property
    def site(self) -> str:
        """The site that carried it: the URL's host, else the publisher's name, else the
        article itself (so two unknown copies still count as two)."""
        host = ""
        if self.url:
            try:
                host = (urlsplit(self.url).hostname or "").removeprefix("www.")
            except ValueError:
                host = ""
        return host or (self.publisher or "").strip().lower() or f"article:{self.article_id}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "article_id": self.article_id,
            "title": self.title,
            "publisher": self.publisher,
            "url": self.url,
            "published": self.published,
            "s3_uri": self.s3_uri,
            "ingested_at": self.ingested_at,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> StoryCopy:
        return cls(
            article_id=str(data["article_id"]),
            title=data.get("title"),
            publisher=data.get("publisher"),
            url=data.get("url"),
            published=data.get("published"),
            s3_uri=str(data.get("s3_uri", "")),
            ingested_at=str(data.get("ingested_at", "")),
        )


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
