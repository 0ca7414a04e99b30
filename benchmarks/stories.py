"""Story merging: how often copies are missed and different stories merged, and what it costs.

Two sets. The labelled set (``tests/fixtures/stories/``, answer key ``groups.json``): copies of
one story on several site templates beside traps that must stay apart. aeb-dev's development
pages: all different stories, so every merge there is false.

Candidates are found as the story store finds them: an article is compared only with the
earlier articles that share one of its band keys, and joins the first whose ``same_story``
holds. Every pair is also judged directly, which shows the decision's margin apart from the
band lookup. The signature's time is set against the extraction's, page by page in turns and
each page's fastest run, since the machine is shared.

DynamoDB cost per matched article, for the cost model: every page of a set goes, in order,
through the real story store (boto3 against moto's in-process DynamoDB, the table with its
GSI1) as the pipeline sends a matched article: ``assign_story`` on :class:`StoryBands`, then
``record_copy`` and one watchlist claim on :class:`StoryRecords`. A botocore event hook counts
each call, and its write units as DynamoDB bills them: per item written, the larger of its size
before and after, in 1 KB units (at least one), a failed conditional write included, twice in a
transaction, and once more (at the standard rate) for the GSI1 entry of an item with GSI1 keys
that the write changed (the index projects every attribute, so any change rewrites it). moto
reports a fixed ConsumedCapacity, so the sizes are read back (by an uncounted client).
"""

from __future__ import annotations

import json
import math
import time
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from itertools import combinations
from pathlib import Path
from typing import Any

import boto3
from moto import mock_aws
from newswatch.alerting.model import WatchlistReason
from newswatch.article import ArticleSummary
from newswatch.aws.dynamo import item_bytes
from newswatch.aws.story_store import StoryBands, StoryRecords
from newswatch.extraction import extract_article
from newswatch.stories import Fingerprint, fingerprint, same_story
from newswatch.stories.assign import assign_story, story_id_for
from newswatch.stories.fingerprint import (
    BODY_BANDS,
    OPENING_PARAGRAPHS,
    containment,
    head_overlap,
    lead_overlap,
)
from newswatch.stories.membership import StoryCopy

from benchmarks.aeb import aeb_dir, load_pages
from benchmarks.results import goal

LABELLED_DIR = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "stories"
ROUNDS = 5
SIGNATURE_BUDGET = 0.10  # issue 7: the signature costs at most 10% of the article's extraction
TABLE = "newswatch-bench-stories"
REGION = "us-east-1"
WRITE_UNIT_BYTES = 1024
WRITES = {"PutItem", "UpdateItem", "DeleteItem"}
# The design's bound on assign_story's calls, whatever the number of stored articles: one
# BatchGetItem, then per band key at most a conditional PutItem and, when it lost, a GetItem.
MAX_ASSIGN_CALLS = 1 + 2 * (OPENING_PARAGRAPHS + BODY_BANDS)


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


@dataclass
class DynamoCount:
    """DynamoDB calls (by operation), write units and strongly consistent read units."""

    calls: Counter[str] = field(default_factory=Counter)
    write_units: int = 0
    read_units: int = 0

    @property
    def total_calls(self) -> int:
        return sum(self.calls.values())


class DynamoMeter:
    """Counts a boto3 DynamoDB client's calls and the units they bill, by botocore hooks.

    Before a write it reads (with its own, unhooked client) the size of every item the write
    touches, and again after it; the larger size is billed (DynamoDB's rule for updates).
    """

    def __init__(self, counted: Any, reader: Any) -> None:
        self.count = DynamoCount()
        self._reader = reader
        self._before: list[tuple[dict[str, Any], dict[str, Any], int]] = []
        counted.meta.events.register("provide-client-params.dynamodb", self._on_params)
        counted.meta.events.register("after-call.dynamodb", self._on_done)

    def _on_params(self, params: dict[str, Any], model: Any, **_: Any) -> None:
        operation = model.name
        self.count.calls[operation] += 1
        self._before = [
            (item_key, self._item(item_key), factor)
            for item_key, factor in _touched(operation, params)
        ]
        if operation == "GetItem":
            self.count.read_units += 1  # every item here is under 4 KB, read consistently
        elif operation == "BatchGetItem":
            self.count.read_units += sum(len(r["Keys"]) for r in params["RequestItems"].values())

    def _on_done(self, **_: Any) -> None:
        for item_key, before, factor in self._before:
            after = self._item(item_key)
            size = max(item_bytes(before), item_bytes(after))
            units = max(1, math.ceil(size / WRITE_UNIT_BYTES))
            indexed = before != after and ("GSI1PK" in before or "GSI1PK" in after)
            self.count.write_units += factor * units + (units if indexed else 0)
        self._before = []

    def _item(self, item_key: dict[str, Any]) -> dict[str, Any]:
        found = self._reader.get_item(TableName=TABLE, Key=item_key, ConsistentRead=True)
        item: dict[str, Any] = found.get("Item", {})
        return item


def _touched(operation: str, params: Mapping[str, Any]) -> Iterator[tuple[dict[str, Any], int]]:
    """The keys of the items a write touches, with its billing factor (2 in a transaction)."""
    if operation in WRITES:
        source = params.get("Item") or params.get("Key") or {}
        yield {"PK": source["PK"], "SK": source["SK"]}, 1
    elif operation == "TransactWriteItems":
        for entry in params["TransactItems"]:
            ((_, request),) = entry.items()
            source = request.get("Item") or request.get("Key")
            yield {"PK": source["PK"], "SK": source["SK"]}, 2
    elif operation == "BatchWriteItem":
        for requests in params["RequestItems"].values():
            for entry in requests:
                ((_, request),) = entry.items()
                source = request.get("Item") or request.get("Key")
                yield {"PK": source["PK"], "SK": source["SK"]}, 1


@contextmanager
def story_table() -> Iterator[tuple[Any, Any]]:
    """moto's DynamoDB with the stack's table (PK/SK and GSI1); a client to count, one to read."""
    from tests.ingest_env import create_table

    with mock_aws():
        counted = boto3.client("dynamodb", region_name=REGION)
        reader = boto3.client("dynamodb", region_name=REGION)
        create_table(counted, TABLE)
        yield counted, reader


def _difference(after: DynamoCount, before: DynamoCount) -> DynamoCount:
    return DynamoCount(
        after.calls - before.calls,
        after.write_units - before.write_units,
        after.read_units - before.read_units,
    )


def _copy(count: DynamoCount) -> DynamoCount:
    return DynamoCount(Counter(count.calls), count.write_units, count.read_units)


def dynamodb_cost(pages: Sequence[StoryPage]) -> dict[str, Any]:
    """Calls and units per matched article: story assignment alone, and the whole story path
    (assignment, the copy recorded on its story, one watchlist claim)."""
    assignment: list[DynamoCount] = []
    path: list[DynamoCount] = []
    with story_table() as (counted, reader):
        meter = DynamoMeter(counted, reader)
        bands = StoryBands(counted, table_name=TABLE)
        records = StoryRecords(counted, table_name=TABLE)
        for number, page in enumerate(pages):
            article = extract_article(page.html)
            article_id = f"bench{number:04d}"
            print_ = fingerprint(article.text)
            start = _copy(meter.count)
            if print_ is None:
                story_id = story_id_for(article_id)
            else:
                story_id = assign_story(bands, article_id, print_, time.time())
            assigned = _copy(meter.count)
            summary = ArticleSummary.of(article_id, article, f"s3://bench/{page.name}")
            at = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
            records.record_copy(story_id, StoryCopy(summary, at))
            records.claim(story_id, summary, WatchlistReason("bench"), at)
            assignment.append(_difference(assigned, start))
            path.append(_difference(meter.count, start))
    return {
        "assign_calls_mean": _mean(c.total_calls for c in assignment),
        "assign_calls_max": max(c.total_calls for c in assignment),
        "assign_write_units_mean": _mean(c.write_units for c in assignment),
        "assign_write_units_max": max(c.write_units for c in assignment),
        "assign_read_units_mean": _mean(c.read_units for c in assignment),
        "story_path_calls_mean": _mean(c.total_calls for c in path),
        "story_path_calls_max": max(c.total_calls for c in path),
        "story_path_write_units_mean": _mean(c.write_units for c in path),
        "story_path_write_units_max": max(c.write_units for c in path),
        "calls_by_operation": dict(sum((c.calls for c in path), Counter())),
    }


def _mean(values: Iterator[int] | Sequence[int]) -> float:
    listed = list(values)
    return sum(listed) / len(listed) if listed else 0.0


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
        "dynamodb": dynamodb_cost(pages),
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


def format_dynamodb(rows: Sequence[dict[str, Any]]) -> str:
    header = (
        f"{'set':<10} {'assign calls':>12} {'max':>4} {'assign WCU':>10} {'max':>4} "
        f"{'assign RCU':>10} {'path calls':>10} {'max':>4} {'path WCU':>8} {'max':>4}"
    )
    lines = [header, "-" * len(header)]
    for row in rows:
        cost = row["dynamodb"]
        lines.append(
            f"{row['set']:<10} {cost['assign_calls_mean']:>12.2f} {cost['assign_calls_max']:>4} "
            f"{cost['assign_write_units_mean']:>10.2f} {cost['assign_write_units_max']:>4} "
            f"{cost['assign_read_units_mean']:>10.2f} {cost['story_path_calls_mean']:>10.2f} "
            f"{cost['story_path_calls_max']:>4} {cost['story_path_write_units_mean']:>8.2f} "
            f"{cost['story_path_write_units_max']:>4}"
        )
    return "\n".join(lines)


def goals(rows: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Issue 7's goals, per set."""
    found = []
    for row in rows:
        name = row["set"]
        found.append(
            goal(f"{name}: 0 false merges", str(row["false_merges"]), row["false_merges"] == 0)
        )
        if name == "labelled":
            found.append(
                goal(
                    "labelled: no missed copy", str(row["missed_merges"]), not row["missed_merges"]
                )
            )
        share = row["signature_share"]
        found.append(
            goal(
                f"{name}: signature <= {SIGNATURE_BUDGET:.0%} of extraction",
                f"{share:.1%}",
                share <= SIGNATURE_BUDGET,
            )
        )
        calls = row["dynamodb"]["assign_calls_max"]
        found.append(
            goal(
                f"{name}: story assignment <= {MAX_ASSIGN_CALLS} DynamoDB calls per article",
                f"max {calls}, mean {row['dynamodb']['assign_calls_mean']:.2f}",
                calls <= MAX_ASSIGN_CALLS,
            )
        )
    return found


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
    print("\nDynamoDB per matched article (boto3 on moto, counted by a botocore hook). 'assign':")
    print("assign_story's band lookup and claims; 'path': also the copy on its story and one")
    print("watchlist claim. WCU as billed: larger item size in 1 KB units, x2 in a transaction,")
    print("plus the GSI1 entry's write; failed conditional writes included.")
    print(format_dynamodb(rows))
    return {**{row["set"]: row for row in rows}, "goals": goals(rows)}


if __name__ == "__main__":
    main()
