"""The body fixtures (``tests/fixtures/{liveblog,cta,legacy}``) as a table: per kind, the body
fragments found of those expected (in order), calls to action or furniture leaked, and fields
right (title; number of live posts), from each kind's ``expected.json``.

Fixtures are hand-written pages of the layouts the development set barely has; the tests
assert every line of this table, so it shows at a glance what a rule change costs elsewhere.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import lxml.html
from newswatch.errors import Rejection
from newswatch.extraction import extract_article
from newswatch.extraction.body import extract_body

FIXTURES = Path(__file__).resolve().parent.parent / "tests" / "fixtures"
KINDS = ("liveblog", "cta", "legacy")


@dataclass(slots=True)
class KindScore:
    """One fixture kind's counts over its pages."""

    kind: str
    pages: int = 0
    found: int = 0
    expected: int = 0
    leaks: int = 0
    fields_right: int = 0
    fields: int = 0

    @property
    def perfect(self) -> bool:
        return self.found == self.expected and not self.leaks and self.fields_right == self.fields


def found_in_order(text: str, fragments: list[str]) -> int:
    """How many fragments appear in the text, each after the last one found."""
    position, found = 0, 0
    for fragment in fragments:
        index = text.find(fragment, position)
        if index >= 0:
            found += 1
            position = index + len(fragment)
    return found


def _fields_right(page: Path, text_title: str | None, fields: dict[str, Any]) -> int:
    right = 0
    if "title" in fields:
        right += text_title == fields["title"]
    if "posts" in fields:
        body = extract_body(lxml.html.document_fromstring(page.read_bytes()))
        right += len(body.posts) == fields["posts"]
    return right


def score_kind(kind: str) -> KindScore:
    entries = json.loads((FIXTURES / kind / "expected.json").read_text(encoding="utf-8"))
    score = KindScore(kind)
    for name, entry in entries.items():
        page = FIXTURES / kind / name
        try:
            article = extract_article(page.read_bytes())
            text, title = article.text, article.title
        except Rejection:
            text, title = "", None
        score.pages += 1
        score.expected += len(entry["fragments"])
        score.found += found_in_order(text, entry["fragments"])
        score.leaks += sum(leak in text for leak in entry.get("leaks", []))
        score.fields += len(entry.get("fields", {}))
        score.fields_right += _fields_right(page, title, entry.get("fields", {}))
    return score


def main() -> list[KindScore]:
    """Print the fixture table and one goal line per kind (fragments and leaks; fields apart,
    since titles are the metadata's)."""
    scores = [score_kind(kind) for kind in KINDS if (FIXTURES / kind / "expected.json").exists()]
    print("\nBody fixtures (tests/fixtures/KIND/expected.json)")
    header = f"{'kind':<10}{'pages':>6}{'fragments found':>17}{'leaks':>7}{'fields right':>14}"
    print(header)
    print("-" * len(header))
    for score in scores:
        print(
            f"{score.kind:<10}{score.pages:>6}{f'{score.found}/{score.expected}':>17}"
            f"{score.leaks:>7}{f'{score.fields_right}/{score.fields}':>14}"
        )
    for score in scores:
        met = score.found == score.expected and not score.leaks
        status = "met" if met else "MISSED"
        print(
            f"[{status}] {score.kind} fixtures, every fragment and no leak: "
            f"{score.found}/{score.expected} found, {score.leaks} leaked"
        )
    return scores


if __name__ == "__main__":
    main()
