"""Which story an article belongs to: find candidates by band key, decide, claim the bands.

Costs a fixed number of index calls whatever the number of stored articles: one batch read of
the article's band entries, then one conditional write per band the article claims. No scan
and no list of recent articles. A band entry names a story and carries the fingerprint of the
article that claimed it, so the decision needs no second read; entries expire at the end of
the story window, so copies further apart than the window are different stories.

Two copies processed at the same moment by two workers: both read no candidate, both try to
claim their bands in the same (sorted) order; the first claim on a shared band wins, and the
loser, whose conditional write fails, reads the winner's entry, sees the same story and joins
it before it has written anything else. A retry of the same article finds its own entries and
therefore its own story again: the story id is derived from the first article's id.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Protocol

from newswatch.stories.fingerprint import Fingerprint, same_story


@dataclass(frozen=True, slots=True)
class BandEntry:
    story_id: str
    article_id: str
    fingerprint: Fingerprint
    claimed_at: float


class BandIndex(Protocol):
    def entries(self, band_keys: tuple[str, ...]) -> dict[str, BandEntry]:
        """The live (unexpired) entries of these bands, in one read."""

    def claim(self, band_key: str, entry: BandEntry) -> BandEntry | None:
        """Write ``entry`` unless a live entry of another article holds the band; returns that
        entry when the write lost, ``None`` when it won (an entry of the same article is
        overwritten, so a retry or a re-pointed claim succeeds)."""


def story_id_for(article_id: str) -> str:
    """A new story is named after its first article, so a retry names it the same."""
    return hashlib.sha256(f"story\0{article_id}".encode()).hexdigest()[:24]


def assign_story(index: BandIndex, article_id: str, print_: Fingerprint, now: float) -> str:
    """The id of the story ``article_id`` (with fingerprint ``print_``) belongs to; the
    earliest live story it is the same as, else a new one."""
    bands = tuple(sorted(print_.band_keys()))
    live = index.entries(bands)
    same = sorted(
        (entry for entry in live.values() if same_story(print_, entry.fingerprint)),
        key=lambda entry: (entry.claimed_at, entry.story_id),
    )
    story_id = same[0].story_id if same else story_id_for(article_id)
    joined = bool(same)
    claimed: list[str] = []
    for band in bands:
        if band in live:
            continue  # held by a story already: the first claimant keeps its fingerprint
        lost_to = index.claim(band, BandEntry(story_id, article_id, print_, now))
        if lost_to is None:
            claimed.append(band)
        elif not joined and same_story(print_, lost_to.fingerprint):
            # Another worker made this story a moment ago: join it, and point the bands this
            # article claimed for its own new story at that one instead.
            story_id, joined = lost_to.story_id, True
            for own in claimed:
                index.claim(own, BandEntry(story_id, article_id, print_, now))
    return story_id
