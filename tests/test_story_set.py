"""The labelled story set (tests/fixtures/stories/groups.json) as the tests' answer key.

Every pair of pages is decided as the key says (copies the same story, traps apart), and pages
arriving one by one through ``assign_story`` end as one story per group and never one story for
two groups: with an in-memory band index, in the key's order and in the reverse order (a teaser
or a trimmed copy first), and with the DynamoDB band index on moto.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import combinations

import pytest
from ingest_env import TABLE, IngestEnv, env_fixture  # noqa: F401
from newswatch.aws.story_store import StoryBands
from newswatch.extraction import extract_article
from newswatch.stories import Fingerprint, fingerprint, same_story
from newswatch.stories.assign import BandEntry, BandIndex, assign_story

from benchmarks.stories import StoryPage, load_labelled

WINDOW_SECONDS = 7 * 24 * 3600


@dataclass(frozen=True, slots=True)
class Signed:
    page: StoryPage
    signature: Fingerprint


class MemoryBands:
    """The band index's contract (:class:`~newswatch.stories.assign.BandIndex`) in a dict:
    a live entry of another article wins a claim; entries expire after the window."""

    def __init__(self) -> None:
        self._entries: dict[str, BandEntry] = {}

    def entries(self, band_keys: tuple[str, ...]) -> dict[str, BandEntry]:
        return {key: self._entries[key] for key in band_keys if key in self._entries}

    def claim(self, band_key: str, entry: BandEntry) -> BandEntry | None:
        held = self._entries.get(band_key)
        live = held is not None and held.claimed_at + WINDOW_SECONDS > entry.claimed_at
        if held is not None and live and held.article_id != entry.article_id:
            return held
        self._entries[band_key] = entry
        return None


@pytest.fixture(scope="module", name="signed")
def signed_fixture() -> list[Signed]:
    pages = []
    for page in load_labelled():
        signature = fingerprint(extract_article(page.html).text)
        assert signature is not None, f"{page.name}: body too short to fingerprint"
        pages.append(Signed(page, signature))
    return pages


def test_the_set_is_as_large_as_the_issue_asks(signed: list[Signed]) -> None:
    stories = {item.page.story for item in signed}
    assert len(signed) >= 40 and len(stories) >= 12


def test_every_pair_is_decided_as_the_answer_key_says(signed: list[Signed]) -> None:
    wrong = [
        (a.page.name, b.page.name, "missed" if a.page.story == b.page.story else "merged")
        for a, b in combinations(signed, 2)
        if same_story(a.signature, b.signature) != (a.page.story == b.page.story)
    ]
    assert wrong == []


def assign_all(index: BandIndex, pages: Sequence[Signed], start: float) -> dict[str, set[str]]:
    """Each page assigned in turn, a second apart from ``start``; the story ids each group
    ended in."""
    stories: dict[str, set[str]] = {}
    for arrival, item in enumerate(pages):
        story_id = assign_story(index, item.page.name, item.signature, start + arrival)
        stories.setdefault(item.page.story, set()).add(story_id)
    return stories


def assert_one_story_per_group(stories: dict[str, set[str]]) -> None:
    split = {group: ids for group, ids in stories.items() if len(ids) != 1}
    assert split == {}, "copies of one story ended in several stories"
    owners: dict[str, str] = {}
    for group, (story_id,) in stories.items():
        assert story_id not in owners, f"{group} and {owners[story_id]} merged"
        owners[story_id] = group


@pytest.mark.parametrize("order", ["as listed", "reversed"])
def test_assignment_gives_each_group_one_story(signed: list[Signed], order: str) -> None:
    pages = signed if order == "as listed" else signed[::-1]
    assert_one_story_per_group(assign_all(MemoryBands(), pages, start=1_000_000.0))


def test_assignment_through_dynamodb_gives_each_group_one_story(
    env: IngestEnv, signed: list[Signed]
) -> None:
    bands = StoryBands(env.dynamodb, table_name=TABLE, window_seconds=WINDOW_SECONDS)
    # StoryBands reads the clock for expiry, so these claims are made now.
    assert_one_story_per_group(assign_all(bands, signed, start=time.time()))
