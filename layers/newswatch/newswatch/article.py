"""The extracted article: the one record that extraction produces and everything else reads."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class Article:
    """An article as a reader sees it, without the page's boilerplate.

    ``text`` holds the main body only, paragraphs separated by one blank line; watchlists match
    ``title`` and ``text`` and never see menus, related-story links or comments.
    Dates are ISO-8601 strings with their UTC offset, exactly as the page states them.
    """

    text: str
    title: str | None = None
    subtitle: str | None = None
    published: str | None = None
    modified: str | None = None
    authors: tuple[str, ...] = ()
    publisher: str | None = None
    url: str | None = None
    language: str | None = None
    section: str | None = None
    tags: tuple[str, ...] = ()
    dateline: str | None = None
    image: str | None = None
    image_caption: str | None = None
    word_count: int = field(default=-1)

    def __post_init__(self) -> None:
        if self.word_count < 0:
            object.__setattr__(self, "word_count", len(self.text.split()))

    @property
    def paragraphs(self) -> list[str]:
        """The body's paragraphs, in order."""
        return [p for p in self.text.split("\n\n") if p.strip()]

    @property
    def lead(self) -> str:
        """The first paragraph of the body (the ``lead:`` field of a watchlist query)."""
        paragraphs = self.paragraphs
        return paragraphs[0] if paragraphs else ""

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready mapping; tuples become lists."""
        data = asdict(self)
        data["authors"] = list(self.authors)
        data["tags"] = list(self.tags)
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Article:
        """The inverse of :meth:`to_dict`; unknown keys are ignored."""
        known = {name: data[name] for name in cls.__dataclass_fields__ if name in data}
        known["authors"] = tuple(known.get("authors") or ())
        known["tags"] = tuple(known.get("tags") or ())
        return cls(**known)


@dataclass(frozen=True, slots=True)
class ArticleSummary:
    """An article as alerts and stories show it: who, what, when and where it is stored,
    never its text."""

    article_id: str
    title: str | None
    publisher: str | None
    url: str | None
    published: str | None
    authors: tuple[str, ...]
    s3_uri: str

    @classmethod
    def of(cls, article_id: str, article: Article, s3_uri: str) -> ArticleSummary:
        return cls(
            article_id=article_id,
            title=article.title,
            publisher=article.publisher,
            url=article.url,
            published=article.published or article.modified,
            authors=article.authors,
            s3_uri=s3_uri,
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "article_id": self.article_id,
            "title": self.title,
            "publisher": self.publisher,
            "url": self.url,
            "published": self.published,
            "authors": list(self.authors),
            "s3_uri": self.s3_uri,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ArticleSummary:
        return cls(
            article_id=str(data["article_id"]),
            title=data.get("title"),
            publisher=data.get("publisher"),
            url=data.get("url"),
            published=data.get("published"),
            authors=tuple(data.get("authors") or ()),
            s3_uri=str(data.get("s3_uri", "")),
        )
