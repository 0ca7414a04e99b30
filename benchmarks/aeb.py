"""The article-extraction benchmark (aeb): its pages and its metric, exactly as its README states.

Published extractor scores are computed with this metric, so ours must compute the same numbers
for the comparison to mean anything: 4-token shingles counted as a multiset, per-page
precision/recall with fixed edge rules, and F1 taken from the two means (not a mean of F1s).
"""

from __future__ import annotations

import gzip
import json
import os
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

# The benchmark lives beside the repository (``../shared/aeb-dev``); NEWSWATCH_AEB_DIR overrides.
DEFAULT_AEB_DIR = Path(__file__).resolve().parents[2] / "shared" / "aeb-dev"
SHINGLE_SIZE = 4
_TOKEN = re.compile(r"\w+")


@dataclass(frozen=True, slots=True)
class Page:
    """One benchmark page: its decompressed HTML bytes and the human-written article body."""

    page_id: str
    url: str
    html: bytes
    truth: str


def aeb_dir() -> Path:
    """The benchmark folder to read: NEWSWATCH_AEB_DIR if set, else ``../shared/aeb-dev``."""
    return Path(os.environ.get("NEWSWATCH_AEB_DIR", DEFAULT_AEB_DIR))


def load_pages(root: Path | None = None) -> list[Page]:
    """Every page that has both an HTML file and a ground truth, sorted by id for stable runs."""
    folder = root if root is not None else aeb_dir()
    truth = json.loads((folder / "ground-truth.json").read_text(encoding="utf-8"))
    pages = []
    for page_id in sorted(truth):
        path = folder / "html" / f"{page_id}.html.gz"
        if not path.exists():
            continue
        entry = truth[page_id]
        pages.append(
            Page(
                page_id,
                entry.get("url", ""),
                gzip.decompress(path.read_bytes()),
                entry["articleBody"],
            )
        )
    return pages


def load_paired_pages(folder: Path) -> list[Page]:
    """Pages kept as ``html/NAME.html`` beside their expected text ``txt/NAME.txt``.

    That is how newspaper4k's source distribution ships its test pages, the "other sites" set:
    real news pages from sites aeb-dev does not have, so it can be read as it comes. An HTML
    file without a text file (a home page, a feed) is not an article and is left out.
    """
    pages = []
    for path in sorted((folder / "html").glob("*.html")):
        truth = folder / "txt" / f"{path.stem}.txt"
        if truth.exists():
            pages.append(Page(path.stem, "", path.read_bytes(), truth.read_text(encoding="utf-8")))
    return pages


def shingles(text: str) -> Counter[tuple[str, ...]]:
    """The multiset of 4-token runs; fewer than 4 tokens give one shorter run, none give none."""
    tokens = _TOKEN.findall(text)
    if not tokens:
        return Counter()
    count = max(1, len(tokens) - SHINGLE_SIZE + 1)
    return Counter(tuple(tokens[i : i + SHINGLE_SIZE]) for i in range(count))


@dataclass(frozen=True, slots=True)
class PageScore:
    """Normalised true positives, false positives and false negatives of one page."""

    tp: float
    fp: float
    fn: float

    @property
    def precision(self) -> float:
        if self.fp == self.fn == 0:
            return 1.0
        if self.tp == self.fp == 0:
            return 0.0
        return self.tp / (self.tp + self.fp)

    @property
    def recall(self) -> float:
        if self.fp == self.fn == 0:
            return 1.0
        if self.tp == self.fn == 0:
            return 0.0
        return self.tp / (self.tp + self.fn)


def score_page(truth: str, predicted: str) -> PageScore:
    """Compare one prediction with its ground truth, normalised so that tp + fp + fn = 1."""
    expected, got = shingles(truth), shingles(predicted)
    tp = sum((expected & got).values())
    fp = sum((got - expected).values())
    fn = sum((expected - got).values())
    total = tp + fp + fn
    if total == 0:
        return PageScore(0.0, 0.0, 0.0)
    return PageScore(tp / total, fp / total, fn / total)


@dataclass(frozen=True, slots=True)
class Score:
    """The benchmark's aggregate: mean precision, mean recall and the F1 of those two means."""

    precision: float
    recall: float

    @property
    def f1(self) -> float:
        total = self.precision + self.recall
        return 2 * self.precision * self.recall / total if total else 0.0


def aggregate(scores: Iterable[PageScore]) -> Score:
    """Mean precision over pages that predicted something, mean recall over pages with truth."""
    precisions, recalls = [], []
    for page in scores:
        if page.tp + page.fp > 0:
            precisions.append(page.precision)
        if page.tp + page.fn > 0:
            recalls.append(page.recall)
    return Score(
        sum(precisions) / len(precisions) if precisions else 0.0,
        sum(recalls) / len(recalls) if recalls else 0.0,
    )
