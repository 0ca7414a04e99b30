"""The body fixtures' expectations (``expected.json`` beside each kind's pages), as test cases.

The same files feed the fixture table of ``python -m benchmarks extraction``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from newswatch.article import Article
from newswatch.extraction import extract_article

FIXTURES = Path(__file__).parent / "fixtures"


@dataclass(frozen=True, slots=True)
class Expectation:
    """What one fixture page must give: fragments in order, no leaks, some fields."""

    kind: str
    page: str
    fragments: list[str]
    leaks: list[str]
    once: list[str]
    fields: dict[str, Any]

    @property
    def path(self) -> Path:
        return FIXTURES / self.kind / self.page

    def article(self) -> Article:
        return extract_article(self.path.read_bytes())


def expectations(kind: str) -> list[Expectation]:
    """Every page of one fixture kind (``liveblog``, ``legacy``, ``cta``) with what it expects."""
    entries = json.loads((FIXTURES / kind / "expected.json").read_text(encoding="utf-8"))
    return [
        Expectation(
            kind,
            page,
            entry["fragments"],
            entry.get("leaks", []),
            entry.get("once", []),
            entry.get("fields", {}),
        )
        for page, entry in entries.items()
    ]


def assert_fragments_in_order(text: str, fragments: list[str]) -> None:
    """Each fragment is in the text, after the one before it."""
    position = 0
    for fragment in fragments:
        found = text.find(fragment, position)
        assert found >= 0, f"{fragment!r} missing or out of order after {text[:position][-80:]!r}"
        position = found + len(fragment)


def assert_no_leaks(text: str, leaks: list[str]) -> None:
    for leak in leaks:
        assert leak not in text, f"{leak!r} leaked into the body"
