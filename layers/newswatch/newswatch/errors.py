"""Errors that carry a reason a person can act on.

A :class:`Rejection` is not a crash: it is the recorded outcome for an object that cannot become
an article (too large, not HTML, undecodable, no article text). The pipeline stores it with its
reason so nothing that arrives is silently lost.
"""

from __future__ import annotations


class NewswatchError(Exception):
    """Base class of every error newswatch raises on purpose."""


class Rejection(NewswatchError):
    """An input that cannot become an article, with a stable machine-readable ``reason``.

    ``reason`` is a short kebab-case code (``too-large``, ``not-html``, ``undecodable``,
    ``empty``, ``no-article-text``, ``too-deep``...); ``detail`` says what exactly was wrong.
    """

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason = reason
        self.detail = detail
