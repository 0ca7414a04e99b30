"""The Lambda handler as Lambda calls it: an SQS batch, a direct S3 event, an EventBridge event."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from ingest_env import BUCKET, IngestEnv, LambdaContext, env_fixture, load_function  # noqa: F401
from newswatch.config import ConfigurationError, Settings

ROOT = Path(__file__).resolve().parent.parent
REFERENCE = (ROOT / "samples" / "thehindu-2024-10-30-ukraine-south-korea.html").read_bytes()


def load_app(env: IngestEnv, monkeypatch: pytest.MonkeyPatch, *, tracing: bool) -> ModuleType:
    """The handler module, loaded as Lambda loads it, configured from the environment."""
    monkeypatch.setenv("TABLE_NAME", env.settings.table_name)
    monkeypatch.setenv("TOPIC_ARN", env.settings.topic_arn)
    monkeypatch.setenv("ARTICLE_BUCKET", BUCKET)
    monkeypatch.setenv("WATCHLIST_REFRESH_SECONDS", "0")
    monkeypatch.setenv("POWERTOOLS_TRACE_DISABLED", "false" if tracing else "true")
    monkeypatch.setenv("POWERTOOLS_METRICS_NAMESPACE", "newswatch-test")
    return load_function("ingest")


@pytest.fixture
def app(env: IngestEnv, monkeypatch: pytest.MonkeyPatch) -> Iterator[ModuleType]:
    module = load_app(env, monkeypatch, tracing=False)
    yield module
    module.ingest_pipeline.cache_clear()


def s3_notification(key: str, version_id: str | None = None) -> dict[str, Any]:
    obj: dict[str, Any] = {"key": key.replace(" ", "+"), "size": 100}
    if version_id:
        obj["versionId"] = version_id
    return {
        "Records": [
            {
                "eventSource": "aws:s3",
                "eventName": "ObjectCreated:Put",
                "s3": {"bucket": {"name": BUCKET}, "object": obj},
            }
        ]
    }


def sqs_record(message_id: str, body: dict[str, Any] | str) -> dict[str, Any]:
    return {
        "messageId": message_id,
        "receiptHandle": f"handle-{message_id}",
        "body": body if isinstance(body, str) else json.dumps(body),
        "attributes": {"ApproximateReceiveCount": "1"},
        "messageAttributes": {},
        "eventSource": "aws:sqs",
        "eventSourceARN": "arn:aws:sqs:us-east-1:123456789012:ingest",
        "awsRegion": "us-east-1",
    }


def emf_records(output: str) -> list[dict[str, Any]]:
    """The CloudWatch embedded-metric records among the handler's stdout lines."""
    return [json.loads(line) for line in output.splitlines() if line.startswith('{"_aws"')]


def test_sqs_batch_reports_only_the_bad_record(
    env: IngestEnv, app: ModuleType, capsys: pytest.CaptureFixture[str]
) -> None:
    env.push_watchlists()
    good = env.put("incoming/the hindu.html", REFERENCE)
    png = env.put("incoming/photo.html", b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4)
    event = {
        "Records": [
            sqs_record("test-event", {"Service": "Amazon S3", "Event": "s3:TestEvent"}),
            sqs_record("good", s3_notification(good.key, good.version_id)),
            sqs_record("not-s3", {"hello": "world"}),
            sqs_record("png", s3_notification(png.key, png.version_id)),
            sqs_record("missing-bucket", {**s3_notification("incoming/x.html")}),
        ]
    }
    event["Records"][4]["body"] = event["Records"][4]["body"].replace(BUCKET, "no-such-bucket")

    response = app.handler(event, LambdaContext())

    # Malformed and transient failures go back to SQS (retry, then the dead-letter queue);
    # the rejected PNG is an outcome, not a failure.
    assert response == {
        "batchItemFailures": [{"itemIdentifier": "not-s3"}, {"itemIdentifier": "missing-bucket"}]
    }
    assert env.articles.get_article(good.article_id) is not None
    assert [r.reason for r in env.articles.rejections()] == ["not-html"]
    assert len(env.alerts()) == 1
    metrics = emf_records(capsys.readouterr().out)
    (rejected,) = [record for record in metrics if "Rejections" in record]
    assert (rejected["reason"], rejected["Rejections"]) == ("not-html", [1.0])
    assert rejected["_aws"]["CloudWatchMetrics"][0]["Dimensions"] == [["reason"]]
    (invocation,) = [record for record in metrics if "ArticlesStored" in record]
    assert (invocation["ArticlesStored"], invocation["AlertsSent"]) == ([1.0], [1.0])
    # Lambda's Errors metric misses partial batch failures: the handler counts them itself.
    assert invocation["RecordFailures"] == [1.0, 1.0]


def test_direct_s3_event(env: IngestEnv, app: ModuleType) -> None:
    env.push_watchlists()
    put = env.put("incoming/direct.html", REFERENCE)
    response = app.handler(s3_notification(put.key, put.version_id), LambdaContext())
    (outcome,) = response["outcomes"]
    assert outcome["status"] == "stored"
    assert outcome["alerts_sent"] == ["nk-russia"]


def test_eventbridge_event(env: IngestEnv, app: ModuleType) -> None:
    env.push_watchlists()
    put = env.put("incoming/eventbridge.html", REFERENCE)
    event = {
        "version": "0",
        "detail-type": "Object Created",
        "source": "aws.s3",
        "detail": {
            "bucket": {"name": BUCKET},
            "object": {"key": put.key, "size": len(REFERENCE), "version-id": put.version_id},
        },
    }
    (outcome,) = app.handler(event, LambdaContext())["outcomes"]
    assert (outcome["status"], outcome["matched"]) == ("stored", ["nk-russia"])
    assert len(env.alerts()) == 1


def test_a_failing_direct_event_fails_the_invocation(env: IngestEnv, app: ModuleType) -> None:
    event = s3_notification("incoming/x.html")
    event["Records"][0]["s3"]["bucket"]["name"] = "no-such-bucket"
    with pytest.raises(Exception, match="NoSuchBucket"):
        app.handler(event, LambdaContext())


def test_with_tracing_enabled_the_handler_still_runs(
    env: IngestEnv, monkeypatch: pytest.MonkeyPatch
) -> None:
    env.push_watchlists()
    put = env.put("incoming/traced.html", REFERENCE)
    traced = load_app(env, monkeypatch, tracing=True)
    try:
        response = traced.handler(s3_notification(put.key, put.version_id), LambdaContext())
    finally:
        traced.ingest_pipeline.cache_clear()
    assert [o["status"] for o in response["outcomes"]] == ["stored"]


@dataclass
class CountdownContext(LambdaContext):
    """A Lambda context whose invocation runs out: every record the handler asks about costs
    ``per_record_ms`` of its remaining time (as if each took that long)."""

    remaining_ms: int = 60_000
    per_record_ms: int = 20_000

    def get_remaining_time_in_millis(self) -> int:
        remaining = self.remaining_ms
        self.remaining_ms = max(0, remaining - self.per_record_ms)
        return remaining


def test_records_the_invocation_cannot_finish_go_back_to_sqs_unstarted(
    env: IngestEnv, app: ModuleType, capsys: pytest.CaptureFixture[str]
) -> None:
    env.push_watchlists()
    puts = [env.put(f"incoming/story-{n}.html", REFERENCE) for n in range(4)]
    event = {
        "Records": [
            sqs_record(f"m{n}", s3_notification(put.key, put.version_id))
            for n, put in enumerate(puts)
        ]
    }
    # A record needs the 15 s extraction deadline plus 10 s: 60 s and 40 s left start one,
    # 20 s and 0 s do not.
    assert app.settings().record_start_seconds == 25

    response = app.handler(event, CountdownContext())

    assert response == {"batchItemFailures": [{"itemIdentifier": "m2"}, {"itemIdentifier": "m3"}]}
    assert [env.articles.get_article(put.article_id) is not None for put in puts] == [
        True,
        True,
        False,
        False,
    ]
    assert list(env.articles.rejections()) == []
    (invocation,) = [r for r in emf_records(capsys.readouterr().out) if "RecordsDeferred" in r]
    assert invocation["RecordsDeferred"] == [1.0, 1.0]
    assert "RecordFailures" not in invocation  # deferred records are not failures

    # SQS redelivers them to a fresh invocation, which finishes them.
    retry = {"Records": event["Records"][2:]}
    assert app.handler(retry, LambdaContext()) == {"batchItemFailures": []}
    assert all(env.articles.get_article(put.article_id) is not None for put in puts)


def test_a_batch_deferred_whole_is_answered_not_raised(env: IngestEnv, app: ModuleType) -> None:
    put = env.put("incoming/late.html", REFERENCE)
    event = {"Records": [sqs_record("late", s3_notification(put.key, put.version_id))]}
    response = app.handler(event, CountdownContext(remaining_ms=5_000))
    assert response == {"batchItemFailures": [{"itemIdentifier": "late"}]}
    assert env.articles.get_article(put.article_id) is None


def test_the_record_start_margin_follows_the_deadline_setting(
    env: IngestEnv, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OBJECT_DEADLINE_SECONDS", "40")
    app = load_app(env, monkeypatch, tracing=False)
    put = env.put("incoming/roomy.html", REFERENCE)
    event = {"Records": [sqs_record("roomy", s3_notification(put.key, put.version_id))]}
    # 49 s left: enough for the default 25 s, not for 40 + 10.
    response = app.handler(event, CountdownContext(remaining_ms=49_000))
    assert response == {"batchItemFailures": [{"itemIdentifier": "roomy"}]}


def test_the_object_deadline_is_a_share_of_the_function_timeout_unless_set() -> None:
    base = {"TABLE_NAME": "t", "TOPIC_ARN": "arn:aws:sns:us-east-1:1:t", "ARTICLE_BUCKET": "b"}
    assert Settings.from_env({**base, "FUNCTION_TIMEOUT_SECONDS": "120"}).deadline_seconds == 30
    configured = Settings.from_env({**base, "OBJECT_DEADLINE_SECONDS": "12.5"})
    assert (configured.deadline_seconds, configured.record_start_seconds) == (12.5, 22.5)
    for bad in ("60", "0", "soon"):
        with pytest.raises(ConfigurationError, match="OBJECT_DEADLINE_SECONDS"):
            Settings.from_env({**base, "OBJECT_DEADLINE_SECONDS": bad})


def test_each_object_is_logged_once_with_what_became_of_it_and_nothing_empty(
    env: IngestEnv, app: ModuleType
) -> None:
    # CloudWatch Logs bills every byte: an article that matched nothing logs its outcome only.
    env.push_watchlists()
    decoy = (ROOT / "samples" / "decoy-kent-coast-storm-warning.html").read_bytes()
    ref = env.put("incoming/decoy.html", decoy)
    logged = io.StringIO()
    app.logger.registered_handler.setStream(logged)

    app.handler(s3_notification(ref.key, ref.version_id), LambdaContext())

    lines = [json.loads(line) for line in logged.getvalue().splitlines()]
    (line,) = [line for line in lines if line.get("message") == "object processed"]
    assert (line["status"], line["article_id"]) == ("stored", ref.article_id)
    assert line["s3_uri"] == f"s3://{BUCKET}/incoming/decoy.html"
    assert not {"matched", "story_id", "alerts_sent", "reason"} & line.keys()
    # Nor what every line of the log group would repeat; what finds the invocation stays.
    assert not {"function_name", "function_arn", "function_memory_size", "location"} & line.keys()
    assert line["function_request_id"] == LambdaContext().aws_request_id
    assert "cold_start" in line
