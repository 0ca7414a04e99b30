"""Digests against moto: the GSI1 window listing and the recorded window (adapters), and the
digest handler as Lambda calls it, after the real pipeline alerted and held stories. Messages
are read as an SQS subscriber of the topic receives them and validated against their schema."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import ModuleType
from typing import Any

import jsonschema
import pytest
from ingest_env import BUCKET, IngestEnv, LambdaContext, env_fixture, load_function  # noqa: F401
from newswatch.alerting.model import MatchedTerm, WatchlistReason
from newswatch.article import ArticleSummary
from newswatch.aws import keys
from newswatch.aws.digest_store import DynamoDigestState, WatchlistStoryIndex
from newswatch.aws.story_store import StoryRecords
from newswatch.digest_job import UnknownWatchlist
from newswatch.stories.membership import StoryCopy
from test_handler import REFERENCE

ROOT = Path(__file__).resolve().parent.parent
SCHEMA = json.loads((ROOT / "schemas" / "digest.schema.json").read_text())
TABLE = "newswatch-test"


def claim(records: StoryRecords, story_id: str, watchlist: str, *, held: bool = False) -> None:
    article = ArticleSummary(
        article_id=f"a-{story_id}",
        title=f"Story {story_id}",
        publisher="The Hindu",
        url=f"https://example.com/{story_id}",
        published="2024-10-30T12:28:00+05:30",
        authors=("Reuters",),
        s3_uri=f"s3://{BUCKET}/incoming/{story_id}.html",
    )
    copy = StoryCopy(article, datetime.now(UTC).isoformat())
    records.record_copy(story_id, copy)
    reason = WatchlistReason(watchlist, (MatchedTerm("Russia", "in **Russia**", 3),))
    records.claim(story_id, article, reason, datetime.now(UTC).isoformat())
    if held:
        records.hold(story_id, watchlist)


def test_a_window_lists_its_claims_newest_first_with_the_total(env: IngestEnv) -> None:
    records = StoryRecords(env.dynamodb, table_name=TABLE)
    before = datetime.now(UTC)
    for number in range(55):
        claim(records, f"s{number:02d}", "nk-russia", held=number % 10 == 0)
    claim(records, "other", "another-watchlist")
    after = datetime.now(UTC)
    index = WatchlistStoryIndex(env.dynamodb, table_name=TABLE)

    page = index.in_window("nk-russia", (before, after), held_only=False, limit=50)
    assert page.total == 55 and page.more == 5
    assert [entry.story_id for entry in page.entries[:2]] == ["s54", "s53"]
    assert page.entries[0].article.title == "Story s54"
    assert page.entries[0].reason.terms[0].term == "Russia"
    assert page.entries[0].sites == 1

    held = index.in_window("nk-russia", (before, after), held_only=True, limit=50)
    assert [entry.story_id for entry in held.entries] == ["s50", "s40", "s30", "s20", "s10", "s00"]
    assert held.total == 6
    # A window is [start, end): the stories claimed before it or after it are not in it.
    assert (
        index.in_window(
            "nk-russia", (after, after + timedelta(hours=1)), held_only=False, limit=50
        ).total
        == 0
    )


def test_the_recorded_window_end_only_moves_forward(env: IngestEnv) -> None:
    state = DynamoDigestState(env.dynamodb, table_name=TABLE)
    seven = datetime(2026, 12, 2, 7, tzinfo=UTC)
    assert state.last_window_ends(["nk-russia"]) == {}
    state.record_window("nk-russia", (seven - timedelta(days=1), seven))
    state.record_window("nk-russia", (seven - timedelta(days=2), seven - timedelta(days=1)))
    assert state.last_window_ends(["nk-russia", "other"]) == {"nk-russia": seven}
    item = state.window_item("nk-russia")
    assert item is not None and item["window_start"] == (seven - timedelta(days=1)).isoformat(
        timespec="microseconds"
    )


# --- the handler --------------------------------------------------------------------------------

WATCHLISTS = {
    "watchlists": [
        {"name": "nk-russia", "all": ["North Korea", "Russia"], "digest": "daily 07:00 UTC"},
        {"name": "quiet", "all": ["nothing-matches-this"], "digest": "off"},
    ]
}


def load_digest_app(env: IngestEnv, monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    monkeypatch.setenv("TABLE_NAME", env.settings.table_name)
    monkeypatch.setenv("TOPIC_ARN", env.settings.topic_arn)
    monkeypatch.setenv("ARTICLE_BUCKET", BUCKET)
    monkeypatch.setenv("POWERTOOLS_METRICS_NAMESPACE", "newswatch-test")
    return load_function("digest")


@pytest.fixture
def digest_app(env: IngestEnv, monkeypatch: pytest.MonkeyPatch) -> Iterator[ModuleType]:
    module = load_digest_app(env, monkeypatch)
    yield module
    module.digest_job.cache_clear()


def digests(envelopes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [e for e in envelopes if e["MessageAttributes"]["kind"]["Value"] == "digest"]


def attributes(envelope: dict[str, Any]) -> dict[str, str]:
    return {name: value["Value"] for name, value in envelope["MessageAttributes"].items()}


def test_the_handler_sends_one_digest_per_window_once(
    env: IngestEnv, digest_app: ModuleType, capsys: pytest.CaptureFixture[str]
) -> None:
    env.push_watchlists(WATCHLISTS)
    put = env.put("incoming/hindu.html", REFERENCE)
    assert env.pipeline().process(put).alerts_sent == ("nk-russia",)
    records = StoryRecords(env.dynamodb, table_name=TABLE)
    claim(records, "held-story", "nk-russia", held=True)
    env.alerts()  # the instant alert: not what this test is about

    response = digest_app.handler({"now": True}, LambdaContext())

    (full, held) = digests(env.alerts())
    assert attributes(full) == {
        "watchlist": '["nk-russia"]',
        "delivery": "digest",
        "kind": "digest",
    }
    assert attributes(held) == {
        "watchlist": '["nk-russia"]',
        "delivery": "instant",
        "kind": "digest",
    }
    full_json = json.loads(full["Message"])  # an SQS subscriber receives `default`
    validator = jsonschema.Draft202012Validator(
        SCHEMA, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )
    validator.validate(full_json)
    validator.validate(json.loads(held["Message"]))
    # Newest first: the held story was claimed after the reference article's alert.
    assert [story["id"] for story in full_json["stories"]][:1] == ["held-story"]
    reference = full_json["stories"][1]
    assert reference["article"]["title"].startswith("Ukraine and South Korea agree")
    assert reference["reason"]["name"] == "nk-russia"
    assert [story["id"] for story in json.loads(held["Message"])["stories"]] == ["held-story"]
    assert full["Subject"].startswith("newswatch digest [nk-russia] 2 stories")
    (line,) = [d for d in response["digests"] if d["watchlist"] == "nk-russia"]
    assert (line["digest"], line["held"], line["stories"], line["held_stories"]) == (
        "sent",
        "sent",
        2,
        1,
    )
    # The window's end is recorded, and the deliveries are in the watchlist's partition.
    state = env.item(keys.digest_pk("nk-russia"), keys.DIGEST_WINDOW_SK)
    assert state is not None and state["window_end"]["S"] == line["window"][1]
    delivered = [
        item
        for item in env.items()
        if item["PK"]["S"] == "DIGEST#nk-russia" and item["SK"]["S"].startswith("DELIVERY#")
    ]
    assert {item["state"]["S"] for item in delivered} == {"SENT"}
    assert len(delivered) == 2
    metrics = [json.loads(x) for x in capsys.readouterr().out.splitlines() if '"_aws"' in x]
    assert any(record.get("DigestsSent") == [2.0] for record in metrics)

    # A repeated run: its window starts where the last ended and holds nothing, so nothing
    # goes out; the scheduled run of the hour finds its window covered.
    digest_app.handler({"now": True}, LambdaContext())
    digest_app.handler({}, LambdaContext())
    assert digests(env.alerts()) == []


def test_the_handler_fails_when_a_digest_could_not_be_sent_and_its_retry_sends_it_once(
    env: IngestEnv, digest_app: ModuleType
) -> None:
    env.push_watchlists(WATCHLISTS)
    claim(StoryRecords(env.dynamodb, table_name=TABLE), "s1", "nk-russia")
    topic = env.settings.topic_arn
    env.sns.delete_topic(TopicArn=topic)  # SNS answers NotFound: transient, retried

    with pytest.raises(digest_app.DigestsFailed, match="nk-russia"):
        digest_app.handler({"now": True, "watchlist": "nk-russia"}, LambdaContext())
    assert env.item(keys.digest_pk("nk-russia"), keys.DIGEST_WINDOW_SK) is None

    recreated = env.sns.create_topic(Name=topic.rsplit(":", 1)[-1])["TopicArn"]
    queue_arn = env.sqs.get_queue_attributes(
        QueueUrl=env.alerts_queue_url, AttributeNames=["QueueArn"]
    )["Attributes"]["QueueArn"]
    env.sns.subscribe(TopicArn=recreated, Protocol="sqs", Endpoint=queue_arn)
    digest_app.handler({"now": True, "watchlist": "nk-russia"}, LambdaContext())
    digest_app.handler({"now": True, "watchlist": "nk-russia"}, LambdaContext())
    assert len(digests(env.alerts())) == 1


def test_an_unknown_watchlist_is_refused(env: IngestEnv, digest_app: ModuleType) -> None:
    env.push_watchlists(WATCHLISTS)
    with pytest.raises(UnknownWatchlist, match="no watchlist 'nope'"):
        digest_app.handler({"now": True, "watchlist": "nope"}, LambdaContext())


def test_the_handler_stops_before_its_timeout_and_fails_so_that_it_is_retried(
    env: IngestEnv, digest_app: ModuleType
) -> None:
    env.push_watchlists(WATCHLISTS)
    claim(StoryRecords(env.dynamodb, table_name=TABLE), "s1", "nk-russia")

    class NearlyOut(LambdaContext):
        def get_remaining_time_in_millis(self) -> int:
            return digest_app.RESERVE_MILLIS - 1

    with pytest.raises(digest_app.DigestsFailed, match="2 watchlist digest"):
        digest_app.handler({"now": True}, NearlyOut())
    assert digests(env.alerts()) == []
    digest_app.handler({"now": True}, LambdaContext())
    assert len(digests(env.alerts())) == 1
