"""Story merging: how often copies are missed and different stories merged, and what it costs.

Two sets. The labelled set (``tests/fixtures/stories/``, answer key ``groups.json``): copies of
one story on several site templates beside traps that must stay apart. aeb-dev's development
pages: all different stories, so every merge there is false.

Candidates are found as the story store finds them: an article is compared only with the
earlier articles that share one of its band keys, and joins the first whose ``same_story``
holds. Every pair is also judged directly, which shows the decision's margin apart from the
band lookup. The signature's time is set against the extraction's, page by page in turns and
each page's fastest run, since the machine is shared.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from itertools import combinations
from pathlib import Path
from typing import Any

from newswatch.extraction import extract_article
from newswatch.stories import Fingerprint, fingerprint, same_story
from newswatch.stories.fingerprint import containment, head_overlap, lead_overlap

from benchmarks.aeb import aeb_dir, load_pages

LABELLED_DIR = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "stories"
ROUNDS = 5


@dataclass(frozen=True, slots=True)
class StoryPage:
    """One page of a set: its name, its story (the answer key's group) and its HTML."""

    name: str
    story: str
    html: bytes


@dataclass(frozen=True, slots=True)
class Signed:
    """A page with its fingerprint (None when its body is too short to judge)."""

    page: StoryPage
    signature: Fingerprint | None


@dataclass(frozen=True, slots=True)
class Outcome:
    """What the band lookup and ``same_story`` did, page by page in arrival order.

    ``missed``: pages with an earlier copy of their story that joined none of them;
    ``false_merges``: (page, earlier page of another story) pairs that ``same_story`` accepted
    among the candidates; ``candidates``: comparisons made, i.e. band-sharing earlier pages.
    """

    missed: tuple[str, ...]
    false_merges: tuple[tuple[str, str], ...]
    candidates: int


def load_labelled(root: Path = LABELLED_DIR) -> list[StoryPage]:
    """The labelled set in the answer key's order (story by story). Names are paths from the
    key's folder: the reference story's pages are the demo's own, under ``samples/``."""
    groups: dict[str, list[str]] = json.loads((root / "groups.json").read_text(encoding="utf-8"))
    return [
        StoryPage(name, story, (root / name).read_bytes())
        for story, names in groups.items()
        for name in names
    ]


def load_aeb() -> list[StoryPage]:
    """aeb-dev's pages, each a story of its own; empty when the folder is not there."""
    folder = aeb_dir()
    if not (folder / "ground-truth.json").exists():
        return []
    return [StoryPage(page.page_id, page.page_id, page.html) for page in load_pages(folder)]


def sign(pages: Sequence[StoryPage]) -> list[Signed]:
    """Each page extracted and fingerprinted from ``article.text``, as the pipeline does."""
    return [Signed(page, fingerprint(extract_article(page.html).text)) for page in pages]


def simulate(signed: Sequence[Signed]) -> Outcome:
    """Pages arrive in order; each is compared with the earlier pages sharing a band key."""
    by_key: dict[str, list[Signed]] = {}
    missed: list[str] = []
    false_merges: list[tuple[str, str]] = []
    candidates = 0
    for index, item in enumerate(signed):
        story = item.page.story
        has_earlier_copy = any(
            earlier.page.story == story and earlier.signature is not None
            for earlier in signed[:index]
        )
        if item.signature is None:
            if has_earlier_copy:
                missed.append(item.page.name)
            continue
        keys = item.signature.band_keys()
        seen: dict[str, Signed] = {}
        for key in keys:
            for earlier in by_key.get(key, ()):
                seen.setdefault(earlier.page.name, earlier)
        candidates += len(seen)
        joined = [
            earlier
            for earlier in seen.values()
            if earlier.signature is not None and same_story(item.signature, earlier.signature)
        ]
        false_merges.extend(
            (item.page.name, other.page.name) for other in joined if other.page.story != story
        )
        if has_earlier_copy and not any(other.page.story == story for other in joined):
            missed.append(item.page.name)
        for key in keys:
            by_key.setdefault(key, []).append(item)
    return Outcome(tuple(missed), tuple(false_merges), candidates)


@dataclass(frozen=True, slots=True)
class PairJudgement:
    """One pair of fingerprinted pages as ``same_story`` sees it, with its two measures."""

    first: str
    second: str
    same: bool
    lead_overlap: float
    head_overlap: float
    containment: float
    decided_same: bool


def judge_pairs(signed: Sequence[Signed]) -> list[PairJudgement]:
    """Every pair of fingerprinted pages, whether or not they share a band key."""
    judged = []
    for a, b in combinations([item for item in signed if item.signature is not None], 2):
        assert a.signature is not None and b.signature is not None
        judged.append(
            PairJudgement(
                a.page.name,
                b.page.name,
                a.page.story == b.page.story,
                lead_overlap(a.signature, b.signature),
                head_overlap(a.signature, b.signature),
                max(containment(a.signature, b.signature), containment(b.signature, a.signature)),
                same_story(a.signature, b.signature),
            )
        )
    return judged


def _fastest(work: Callable[[], object]) -> float:
    best = float("inf")
    for _ in range(ROUNDS):
        start = time.perf_counter()
        work()
        best = min(best, time.perf_counter() - start)
    return best


def signature_cost(pages: Sequence[StoryPage]) -> tuple[float, float]:
    """Total seconds of extraction and of fingerprinting, each page's fastest of ROUNDS."""
    extraction = signing = 0.0
    for page in pages:
        text = extract_article(page.html).text
        extraction += _fastest(partial(extract_article, page.html))
        signing += _fastest(partial(fingerprint, text))
    return extraction, signing


def measure(name: str, pages: Sequence[StoryPage]) -> dict[str, Any]:
    """The figures of one set."""
    signed = sign(pages)
    outcome = simulate(signed)
    pairs = judge_pairs(signed)
    extraction, signing = signature_cost(pages)
    sizes = [len(item.signature.to_bytes()) for item in signed if item.signature is not None]
    keys = [len(item.signature.band_keys()) for item in signed if item.signature is not None]
    return {
        "set": name,
        "pages": len(pages),
        "stories": len({page.story for page in pages}),
        "unsigned": sum(item.signature is None for item in signed),
        "missed_merges": len(outcome.missed),
        "missed": list(outcome.missed),
        "false_merges": len(outcome.false_merges),
        "false": [list(pair) for pair in outcome.false_merges],
        "candidates_per_page": outcome.candidates / len(pages) if pages else 0.0,
        "pairs_same_story_apart": sum(p.same and not p.decided_same for p in pairs),
        "pairs_false_merged": sum(not p.same and p.decided_same for p in pairs),
        "extraction_ms_per_page": 1000 * extraction / len(pages) if pages else 0.0,
        "signature_ms_per_page": 1000 * signing / len(pages) if pages else 0.0,
        "signature_share": signing / extraction if extraction else 0.0,
        "max_bytes": max(sizes, default=0),
        "band_keys_per_page": sum(keys) / len(keys) if keys else 0.0,
    }


def format_table(rows: Sequence[dict[str, Any]]) -> str:
    header = (
        f"{'set':<10} {'pages':>5} {'stories':>7} {'missed':>6} {'false':>5} "
        f"{'cand/pg':>7} {'pairs apart':>11} {'pairs merged':>12} "
        f"{'extract ms':>10} {'sign ms':>7} {'sign/extract':>12} {'bytes':>5} {'keys':>4}"
    )
    lines = [header, "-" * len(header)]
    for row in rows:
        lines.append(
            f"{row['set']:<10} {row['pages']:>5} {row['stories']:>7} {row['missed_merges']:>6} "
            f"{row['false_merges']:>5} {row['candidates_per_page']:>7.2f} "
            f"{row['pairs_same_story_apart']:>11} {row['pairs_false_merged']:>12} "
            f"{row['extraction_ms_per_page']:>10.2f} {row['signature_ms_per_page']:>7.3f} "
            f"{row['signature_share']:>11.1%} {row['max_bytes']:>5} "
            f"{row['band_keys_per_page']:>4.1f}"
        )
    return "\n".join(lines)


def main() -> dict[str, Any]:
    """Print the story-merging table for the labelled set and aeb-dev; return its figures."""
    rows = [measure("labelled", load_labelled())]
    aeb = load_aeb()
    if aeb:
        rows.append(measure("aeb-dev", aeb))
    else:
        print(f"stories: aeb-dev skipped, no pages at {aeb_dir()} (set NEWSWATCH_AEB_DIR)")
    print("\nStory merging: band-key candidates, then same_story; times are each page's")
    print(f"fastest of {ROUNDS} runs. 'pairs' judge every pair, band keys aside.")
    print(format_table(rows))
    for row in rows:
        for name in row["missed"]:
            print(f"  {row['set']}: missed a copy: {name}")
        for first, second in row["false"]:
            print(f"  {row['set']}: FALSE MERGE: {first} with {second}")
    return {row["set"]: row for row in rows}


if __name__ == "__main__":
    main()
