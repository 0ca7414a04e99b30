"""Digest rules in memory: due windows, once per (watchlist, window) across a failed publish and
a crash before the window is recorded, held-only digests for instant subscribers, the 50-story
cap, empty windows. The DynamoDB adapters and the handler are tested against moto in
test_digest_aws.py."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from newswatch.alerting.delivery import (
    Acquired,
    DeliveryInFlight,
    DeliveryKey,
    DeliveryResult,
)
from newswatch.alerting.digests import (
    SETTLE,
    DigestPorts,
    Window,
    WindowStories,
    send_due_digests,
    window_due,
)
from newswatch.alerting.messages import OutgoingMessage
from newswatch.alerting.model import DigestEntry, MatchedTerm, WatchlistReason
from newswatch.alerting.schedule import DigestSchedule
from newswatch.article import ArticleSummary

DAILY = DigestSchedule.parse("daily 07:00 UTC")
HOURLY = DigestSchedule.parse("hourly")
OFF = DigestSchedule.parse("off")
SEVEN = datetime(2026, 12, 2, 7, 0, tzinfo=UTC)
RUN = SEVEN + timedelta(minutes=5)  # when the schedule fires


# --- in-memory adapters of the digest's Protocols ---------------------------------------------


@dataclass
class Claim:
    watchlist: str
    claimed_at: datetime
    held: bool
    entry: DigestEntry


@dataclass
class MemoryStories:
    claims: list[Claim] = field(default_factory=list)

    def add(self, watchlist: str, at: datetime, *, held: bool = False, story: str = "") -> None:
        story_id = story or f"story-{len(self.claims):03d}"
        article = ArticleSummary(
            article_id=f"a-{story_id}",
            title=f"Title of {story_id}",
            publisher="The Hindu",
            url=f"https://example.com/{story_id}",
            published="2024-10-30T12:28:00+05:30",
            authors=(),
            s3_uri=f"s3://bucket/incoming/{story_id}.html",
        )
        reason = WatchlistReason(watchlist, (MatchedTerm("Russia", "in **Russia**", 2),))
        entry = DigestEntry(story_id, article, reason, alerted_at=at.isoformat(), sites=2)
        self.claims.append(Claim(watchlist, at, held, entry))

    def in_window(
        self, watchlist: str, window: Window, *, held_only: bool, limit: int
    ) -> WindowStories:
        start, end = window
        found = sorted(
            (
                claim
                for claim in self.claims
                if claim.watchlist == watchlist
                and start <= claim.claimed_at < end
                and (claim.held or not held_only)
            ),
            key=lambda claim: claim.claimed_at,
            reverse=True,
        )
        return WindowStories(tuple(claim.entry for claim in found[:limit]), len(found))


@dataclass
class MemoryState:
    ends: dict[str, datetime] = field(default_factory=dict)
    crash_next_record: bool = False

    def last_window_ends(self, watchlists: Sequence[str]) -> Mapping[str, datetime]:
        return {name: self.ends[name] for name in watchlists if name in self.ends}

    def record_window(self, watchlist: str, window: Window) -> None:
        if self.crash_next_record:
            self.crash_next_record = False
            raise ConnectionError("the run died before recording the window")
        if watchlist not in self.ends or self.ends[watchlist] < window[1]:
            self.ends[watchlist] = window[1]


@dataclass
class MemoryLedger:
    """The delivery state machine's records, as DynamoDeliveryLedger keeps them."""

    records: dict[DeliveryKey, dict[str, Any]] = field(default_factory=dict)

    def decide(self, key: DeliveryKey, decision: Mapping[str, Any]) -> dict[str, Any]:
        record = self.records.setdefault(key, {"state": "PENDING", "decision": dict(decision)})
        return dict(record.get("decision") or decision)

    def acquire(self, key: DeliveryKey, owner: str, lease_seconds: int) -> Acquired:
        record = self.records.setdefault(key, {"state": "PENDING"})
        if record["state"] in ("SENT", "FAILED"):
            return Acquired.DONE
        if record["state"] == "SENDING" and record["owner"] != owner:
            raise DeliveryInFlight(f"{key} is being sent")
        record.update(state="SENDING", owner=owner)
        return Acquired.MINE

    def complete(self, key: DeliveryKey, owner: str, message_id: str) -> bool:
        record = self.records[key]
        if record.get("owner") != owner:
            return False
        record.update(state="SENT", message_id=message_id)
        return True

    def release(self, key: DeliveryKey, owner: str) -> None:
        if self.records[key].get("owner") == owner:
            self.records[key] = {"state": "PENDING"}

    def fail(self, key: DeliveryKey, owner: str, reason: str) -> None:
        if self.records[key].get("owner") == owner:
            self.records[key].update(state="FAILED", failure=reason)


@dataclass
class MemoryTopic:
    sent: list[OutgoingMessage] = field(default_factory=list)

    def publish(self, message: OutgoingMessage) -> str:
        self.sent.append(message)
        return f"message-{len(self.sent)}"


@dataclass
class Digests:
    stories: MemoryStories = field(default_factory=MemoryStories)
    state: MemoryState = field(default_factory=MemoryState)
    ledger: MemoryLedger = field(default_factory=MemoryLedger)
    topic: MemoryTopic = field(default_factory=MemoryTopic)

    def run(self, now: datetime, schedules: Mapping[str, DigestSchedule], **kwargs: Any) -> Any:
        ports = DigestPorts(self.stories, self.state, self.ledger, self.topic)
        return send_due_digests(
            ports, schedules.items(), now, owner="run", lease_seconds=330, **kwargs
        )


def body(message: OutgoingMessage) -> dict[str, Any]:
    return dict(json.loads(json.loads(message.message())["default"]))


def story_ids(message: OutgoingMessage) -> list[str]:
    return [story["id"] for story in body(message)["stories"]]


# --- when a window is due -----------------------------------------------------------------------


def test_a_daily_window_is_due_once_settled_and_then_not_again() -> None:
    yesterday = SEVEN - timedelta(days=1)
    assert window_due(DAILY, SEVEN + SETTLE - timedelta(seconds=1), yesterday) is None
    assert window_due(DAILY, RUN, yesterday) == (yesterday, SEVEN)
    assert window_due(DAILY, RUN, SEVEN) is None
    assert window_due(DAILY, RUN + timedelta(hours=23), SEVEN) is None
    assert window_due(DAILY, RUN + timedelta(days=1), SEVEN) == (SEVEN, SEVEN + timedelta(days=1))


def test_missed_runs_are_caught_up_by_one_window_spanning_the_gap() -> None:
    last = SEVEN - timedelta(days=3)
    assert window_due(DAILY, RUN, last) == (last, SEVEN)


def test_digest_off_still_has_the_hourly_window_of_held_stories() -> None:
    assert window_due(OFF, RUN, None) == (SEVEN - timedelta(hours=1), SEVEN)


def test_at_once_ends_the_current_window_now() -> None:
    now = SEVEN + timedelta(hours=3, minutes=12)
    assert window_due(DAILY, now, None, at_once=True) == (SEVEN, now)
    last = SEVEN + timedelta(hours=1)
    assert window_due(DAILY, now, last, at_once=True) == (last, now)
    assert window_due(DAILY, now, now, at_once=True) is None


# --- what is sent -------------------------------------------------------------------------------


def test_digest_subscribers_get_everything_and_instant_ones_only_what_was_held() -> None:
    digests = Digests()
    digests.stories.add("nk-russia", SEVEN - timedelta(hours=5), story="early")
    digests.stories.add("nk-russia", SEVEN - timedelta(hours=2), held=True, story="held")
    digests.stories.add("nk-russia", SEVEN - timedelta(hours=1), story="late")
    digests.stories.add("nk-russia", SEVEN + timedelta(minutes=1), story="next-window")
    digests.stories.add("other", SEVEN - timedelta(hours=1), story="other-watchlist")

    run = digests.run(RUN, {"nk-russia": DAILY})

    assert not run.failed
    full, held = digests.topic.sent
    assert (full.kind, full.delivery, full.watchlists) == ("digest", "digest", ("nk-russia",))
    assert story_ids(full) == ["late", "held", "early"]  # newest first, window only
    assert (held.kind, held.delivery) == ("digest", "instant")
    assert story_ids(held) == ["held"]
    attributes = {name: value["StringValue"] for name, value in held.attributes().items()}
    assert attributes == {"watchlist": '["nk-russia"]', "delivery": "instant", "kind": "digest"}
    assert body(full)["window"] == {
        "start": (SEVEN - timedelta(days=1)).isoformat(),
        "end": SEVEN.isoformat(),
    }
    assert digests.state.ends == {"nk-russia": SEVEN}


def test_no_held_story_means_no_message_for_instant_subscribers() -> None:
    digests = Digests()
    digests.stories.add("nk-russia", SEVEN - timedelta(hours=1))
    digests.run(RUN, {"nk-russia": DAILY})
    assert [message.delivery for message in digests.topic.sent] == ["digest"]


def test_digest_off_sends_held_stories_hourly_and_nothing_to_digest_subscribers() -> None:
    digests = Digests()
    digests.stories.add("quiet", SEVEN - timedelta(minutes=30), story="alerted")
    digests.stories.add("quiet", SEVEN - timedelta(minutes=20), held=True, story="held")
    digests.run(RUN, {"quiet": OFF})
    (message,) = digests.topic.sent
    assert message.delivery == "instant"
    assert story_ids(message) == ["held"]


def test_a_digest_lists_at_most_50_stories_and_says_how_many_more() -> None:
    digests = Digests()
    for minute in range(57):
        digests.stories.add("nk-russia", SEVEN - timedelta(hours=2) + timedelta(minutes=minute))
    digests.run(RUN, {"nk-russia": DAILY})
    (message,) = digests.topic.sent
    assert len(body(message)["stories"]) == 50
    assert body(message)["more"] == 7
    assert story_ids(message)[0] == "story-056"  # the newest
    assert "... and 7 more" in message.email
    assert "57 stories" in message.subject


def test_an_empty_window_sends_nothing_and_is_recorded() -> None:
    digests = Digests()
    run = digests.run(RUN, {"nk-russia": DAILY})
    assert digests.topic.sent == []
    assert [outcome.window for outcome in run.outcomes] == [(SEVEN - timedelta(days=1), SEVEN)]
    assert digests.state.ends == {"nk-russia": SEVEN}
    # The next window starts where the empty one ended.
    digests.stories.add("nk-russia", SEVEN + timedelta(hours=3))
    digests.run(RUN + timedelta(days=1), {"nk-russia": DAILY})
    (message,) = digests.topic.sent
    assert body(message)["window"]["start"] == SEVEN.isoformat()


# --- once per (watchlist, window) ---------------------------------------------------------------


def test_a_repeated_run_sends_nothing_twice() -> None:
    digests = Digests()
    digests.stories.add("nk-russia", SEVEN - timedelta(hours=1), held=True)
    digests.run(RUN, {"nk-russia": DAILY})
    digests.run(RUN + timedelta(minutes=10), {"nk-russia": DAILY})
    assert len(digests.topic.sent) == 2


def test_a_retry_after_a_failed_publish_sends_the_rest_once() -> None:
    digests = Digests()
    digests.stories.add("nk-russia", SEVEN - timedelta(hours=1), held=True)
    digests.stories.add("calm", SEVEN - timedelta(hours=1))

    # The digest goes out, the held-only one is throttled: that watchlist fails, others go on.
    original = digests.topic.publish
    calls: list[str] = []

    def flaky(message: OutgoingMessage) -> str:
        calls.append(message.delivery)
        if len(calls) == 2:
            raise ConnectionError("SNS throttled the publish")
        return original(message)

    digests.topic.publish = flaky  # type: ignore[method-assign]
    first = digests.run(RUN, {"nk-russia": DAILY, "calm": DAILY})
    assert [name for name, _ in first.failed] == ["nk-russia"]
    assert "nk-russia" not in digests.state.ends  # not recorded: the retry must finish it
    assert digests.state.ends == {"calm": SEVEN}

    second = digests.run(RUN + timedelta(minutes=1), {"nk-russia": DAILY, "calm": DAILY})
    assert not second.failed
    sent = [(m.watchlists[0], m.delivery.value) for m in digests.topic.sent]
    assert sorted(sent) == [("calm", "digest"), ("nk-russia", "digest"), ("nk-russia", "instant")]
    (outcome,) = second.outcomes
    assert (outcome.digest, outcome.held) == (DeliveryResult.ALREADY, DeliveryResult.SENT)


def test_a_crash_between_sending_and_recording_sends_nothing_again() -> None:
    digests = Digests()
    digests.stories.add("nk-russia", SEVEN - timedelta(hours=1), held=True)
    digests.state.crash_next_record = True
    first = digests.run(RUN, {"nk-russia": DAILY})
    assert first.failed and not digests.state.ends
    assert len(digests.topic.sent) == 2

    second = digests.run(RUN + timedelta(minutes=1), {"nk-russia": DAILY})
    assert len(digests.topic.sent) == 2
    assert digests.state.ends == {"nk-russia": SEVEN}
    (outcome,) = second.outcomes
    assert (outcome.digest, outcome.held) == (DeliveryResult.ALREADY, DeliveryResult.ALREADY)


def test_a_story_is_in_exactly_one_window_across_daylight_saving() -> None:
    """Daily 07:00 London over the spring change: each story goes out once, in order."""
    london = DigestSchedule.parse("daily 07:00 Europe/London")
    digests = Digests()
    start = datetime(2026, 3, 27, 6, 30, tzinfo=UTC)
    for hour in range(0, 24 * 4, 5):
        digests.stories.add("uk", start + timedelta(hours=hour))
    now = start
    while now < start + timedelta(days=5):
        digests.run(now, {"uk": london})
        now += timedelta(hours=1)
    listed = [story for message in digests.topic.sent for story in story_ids(message)]
    assert sorted(listed) == sorted(claim.entry.story_id for claim in digests.stories.claims)
    assert len(listed) == len(set(listed))
    ends = [datetime.fromisoformat(body(m)["window"]["end"]) for m in digests.topic.sent]
    # 07:00 GMT before the change (29 March 2026), 07:00 BST (06:00 UTC) after it.
    assert [end.hour for end in ends] == [7, 7, 6, 6, 6]


def test_a_run_that_meets_another_runs_lease_fails_and_leaves_the_window_open() -> None:
    digests = Digests()
    digests.stories.add("nk-russia", SEVEN - timedelta(hours=1))
    (key,) = _keys(digests, RUN)
    digests.ledger.records[key] = {"state": "SENDING", "owner": "another-run"}
    run = digests.run(RUN, {"nk-russia": DAILY})
    assert run.failed and digests.topic.sent == [] and not digests.state.ends


def _keys(digests: Digests, now: datetime) -> list[DeliveryKey]:
    """The delivery keys a run at ``now`` uses, found by doing it on a copy."""
    probe = Digests(stories=digests.stories)
    probe.run(now, {"nk-russia": DAILY})
    return list(probe.ledger.records)


def test_a_run_out_of_time_leaves_the_watchlists_not_reached_to_its_retry() -> None:
    digests = Digests()
    for name in ("a", "b", "c"):
        digests.stories.add(name, SEVEN - timedelta(hours=1))
    checks: list[int] = []

    def out_of_time() -> bool:
        checks.append(1)
        return len(checks) > 1  # time is up after the first watchlist

    schedules = {"a": DAILY, "b": DAILY, "c": DAILY}
    first = digests.run(RUN, schedules, out_of_time=out_of_time)
    assert [o.watchlist for o in first.outcomes] == ["a"]
    assert [name for name, _ in first.failed] == ["b", "c"]
    retry = digests.run(RUN + timedelta(minutes=1), schedules)
    assert [o.watchlist for o in retry.outcomes] == ["b", "c"]
    assert sorted(m.watchlists[0] for m in digests.topic.sent) == ["a", "b", "c"]
