"""Errors that carry a reason a person can act on.

A :class:`Rejection` is not a crash: it is the recorded outcome for an object that cannot become
an article (too large, not HTML, undecodable, no article text). The pipeline stores it with its
reason so nothing that arrives is silently lost.
"""

from __future__ import annotations

from enum import StrEnum


class NewswatchError(Exception):
    """Base class of every error newswatch raises on purpose."""


class RejectionReason(StrEnum):
    """Why an object is no article: the stable codes that stored rejections and metrics carry.

    The values are stored (DynamoDB items, metric dimensions, CLI output), so never rename one.
    """

    EMPTY = "empty"
    NOT_HTML = "not-html"
    UNDECODABLE = "undecodable"
    TOO_LARGE = "too-large"
    TOO_DEEP = "too-deep"
    NO_ARTICLE_TEXT = "no-article-text"
    OBJECT_MISSING = "object-missing"
    UNREADABLE = "unreadable"
    # Hostile markup refused before the HTML parser, whose time grows with their square.
    TOO_MANY_ATTRIBUTES = "too-many-attributes"
    TAG_TOO_LONG = "tag-too-long"
    # Extraction ran past the per-object deadline: as slow on every retry, so not retried.
    TOO_SLOW = "too-slow"


class Rejection(NewswatchError):
    """An input that cannot become an article, with a stable machine-readable ``reason``.

    ``reason`` is one of :class:`RejectionReason` (its code, such as ``"too-large"``, is
    accepted and checked); ``detail`` says what exactly was wrong.
    """

    def __init__(self, reason: RejectionReason | str, detail: str) -> None:
        self.reason = RejectionReason(reason)
        self.detail = detail
        super().__init__(f"{self.reason}: {detail}")
