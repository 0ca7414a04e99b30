"""newswatch dlq list / redrive against the local stack: a real object fails in the real
handler until SQS dead-letters it, the list shows it with the error the handler recorded, and
a redrive after the fix stores it and sends its one alert; redriving it again alerts nobody."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from ingest_env import TABLE, IngestEnv, env_fixture  # noqa: F401
from newswatch.aws.dead_letters import DeadLetterLog, DeadLetterQueue
from newswatch.cli import main
from newswatch.local.runner import LocalStack
from newswatch.local.template import load_template
from test_handler import LambdaContext, load_app, sqs_record

ROOT = Path(__file__).resolve().parents[1]
TEMPLATE_PATH = ROOT / "template.yaml"
REFERENCE = ROOT / "samples" / "thehindu-2024-10-30-ukraine-south-korea.html"
KEY = "incoming/thehindu.html"


@pytest.fixture(scope="module")
def local(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalStack]:
    # No watchlists pushed yet: the pipeline refuses to store an article matched against
    # nothing, so every attempt fails until `watchlists push`.
    stack = LocalStack(
        TEMPLATE_PATH,
        port=0,
        outbox_dir=tmp_path_factory.mktemp("outbox"),
        # ERROR, not quieter: the runner records a failed message's last error from what the
        # handler logs about it (a CRITICAL level drops it before any handler sees it, and the
        # test passed only after another module's stack had left the shared logger lower).
        parameters={"LogLevel": "ERROR"},
        retry_delay_seconds=0,
    )
    stack.start()
    yield stack
    stack.stop()


def dlq(local: LocalStack, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    capsys.readouterr()
    code = main(["dlq", *args, "--endpoint-url", local.endpoint_url])
    return code, capsys.readouterr().out


def listed(local: LocalStack, capsys: pytest.CaptureFixture[str]) -> list[dict[str, Any]]:
    code, out = dlq(local, capsys, "list", "--json")
    assert code == 0
    return [json.loads(line) for line in out.splitlines()]


def poll_until_dead_lettered(local: LocalStack, count: int) -> int:
    failures = 0
    for _ in range(20):
        failures += local.poll(wait_seconds=0).failed_messages
        if local.dead_letters() >= count:
            break
    assert local.dead_letters() == count
    return failures


def test_list_redrive_and_redrive_again(
    local: LocalStack, capsys: pytest.CaptureFixture[str]
) -> None:
    assert listed(local, capsys) == []
    upload = local.stack.s3().put_object(
        Bucket=local.stack.bucket, Key=KEY, Body=REFERENCE.read_bytes()
    )
    poll_until_dead_lettered(local, 1)

    (entry,) = listed(local, capsys)
    assert entry["objects"] == [
        {"bucket": local.stack.bucket, "key": KEY, "version_id": upload["VersionId"]}
    ]
    assert entry["error_recorded_by"] == "local runner"
    assert "watchlist" in entry["last_error"].lower()
    max_receives = load_template(TEMPLATE_PATH)["Resources"]["IngestQueue"]["Properties"][
        "RedrivePolicy"
    ]["maxReceiveCount"]
    assert entry["failed_receive_count"] == max_receives
    assert entry["receive_count"] >= max_receives
    assert entry["first_received_at"] and entry["last_failed_at"]
    # Listing gave it back: it is still there, and listed again.
    assert local.dead_letters() == 1
    code, text = dlq(local, capsys, "list")
    assert code == 0 and entry["message_id"] in text and f"s3://{local.stack.bucket}/{KEY}" in text
    assert "recorded by the local runner" in text and text.endswith(
        "1 message(s) in the dead-letter queue\n"
    )

    (letter,) = DeadLetterQueue(
        local.stack.sqs(), dlq_url=local.stack.dlq_url, queue_url=local.stack.queue_url
    ).messages()
    # Fixed: the watchlists are there now. Redrive by id, and the object goes through.
    local.push_watchlists(ROOT / "watchlists.yaml")
    code, text = dlq(local, capsys, "redrive", entry["message_id"])
    assert code == 0 and "1 message(s) redriven" in text
    assert local.dead_letters() == 0
    result = local.poll(wait_seconds=1)
    assert [ref.key for ref in result.succeeded] == [KEY]
    assert result.alerts and {alert.kind for alert in result.alerts} == {"alert"}
    stored = local.stack.article_store().get_article(result.succeeded[0].article_id)
    assert stored is not None

    # The same notification dead-lettered again (a redrive repeated after a crash): a
    # duplicate, no second alert.
    local.stack.sqs().send_message(QueueUrl=local.stack.dlq_url, MessageBody=letter.body)
    code, text = dlq(local, capsys, "redrive", "--all")
    assert code == 0 and "1 message(s) redriven" in text
    again = local.poll(wait_seconds=1)
    assert [ref.key for ref in again.succeeded] == [KEY] and again.alerts == []
    assert listed(local, capsys) == []


def test_redriving_an_unknown_id_says_so(
    local: LocalStack, capsys: pytest.CaptureFixture[str]
) -> None:
    code, text = dlq(local, capsys, "redrive", "no-such-id")
    assert code == 1 and "not in the dead-letter queue: no-such-id" in text


def test_a_body_that_is_no_notification_is_listed_cleaned(
    local: LocalStack, capsys: pytest.CaptureFixture[str]
) -> None:
    local.stack.sqs().send_message(
        QueueUrl=local.stack.dlq_url, MessageBody="not json\x1b[2J\nforged line"
    )
    (entry,) = listed(local, capsys)
    assert entry["objects"] == [] and "not JSON" in entry["unreadable"]
    assert "\x1b" not in entry["body"] and "\n" not in entry["body"]
    assert entry["last_error"] is None
    assert "no error recorded" in dlq(local, capsys, "list")[1]
    assert dlq(local, capsys, "redrive", "--all")[0] == 0
    local.stack.sqs().purge_queue(QueueUrl=local.stack.queue_url)


def test_the_deployed_handler_records_why_a_record_failed(
    env: IngestEnv, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On AWS nobody but the handler sees the error: it records it itself."""
    app = load_app(env, monkeypatch, tracing=False)
    event = {
        "Records": [
            # One that succeeds: with all failing, the batch processor fails the invocation.
            sqs_record("test-event", {"Service": "Amazon S3", "Event": "s3:TestEvent"}),
            sqs_record("broken", {"hello": "world"}),
        ]
    }

    response = app.handler(event, LambdaContext())

    assert response == {"batchItemFailures": [{"itemIdentifier": "broken"}]}
    failures = DeadLetterLog(env.dynamodb, table_name=TABLE).last_failures(["broken"])
    assert failures["broken"].recorded_by == "ingest handler"
    assert failures["broken"].error.startswith("UnrecognisedEvent: ")
    assert failures["broken"].receive_count == 1
