"""The ingest pipeline against moto: every object ends stored, rejected with a reason, or raised
for a retry; redeliveries and retries never duplicate a record or an alert."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError, EndpointConnectionError
from ingest_env import BUCKET, IngestEnv, env_fixture  # noqa: F401
from newswatch.events import ObjectRef, object_refs_from_message
from newswatch.pipeline import Status
from newswatch.watchlists import WatchlistsUnavailable

SAMPLES = Path(__file__).resolve().parent.parent / "samples"
REFERENCE = (SAMPLES / "thehindu-2024-10-30-ukraine-south-korea.html").read_bytes()
DECOY = (SAMPLES / "decoy-kent-coast-storm-warning.html").read_bytes()


def article_items(env: IngestEnv) -> list[dict[str, Any]]:
    return [item for item in env.items() if item["SK"]["S"] == "ARTICLE"]


def test_reference_article_is_stored_and_alerted(env: IngestEnv) -> None:
    env.push_watchlists()
    ref = env.put("incoming/thehindu.html", REFERENCE)

    outcome = env.pipeline().process(ref)

    assert outcome.status is Status.STORED
    assert outcome.matched == outcome.alerts_sent == ("nk-russia",)
    stored = env.articles.get_article(ref.article_id)
    assert stored is not None
    assert stored.article.title == "Ukraine and South Korea agree to deepen security cooperation"
    assert stored.watchlists == ("nk-russia",)
    assert (stored.bucket, stored.key, stored.version_id) == (BUCKET, ref.key, ref.version_id)
    (match,) = env.articles.matches_of_article(ref.article_id)
    assert {hit["term"] for hit in match.hits} == {"North Korea", "Russia"}
    assert stored.story_id == outcome.story_id is not None
    delivery = env.item(f"STORY#{stored.story_id}", f"DELIVERY#ALERT#{ref.article_id}#0")
    assert delivery is not None and delivery["state"]["S"] == "SENT"

    (alert,) = env.alerts()
    assert alert["MessageAttributes"]["watchlist"] == {
        "Type": "String.Array",
        "Value": '["nk-russia"]',
    }
    assert alert["MessageAttributes"]["delivery"]["Value"] == "instant"
    assert alert["Subject"].startswith("newswatch [nk-russia] ")
    assert alert["MessageId"] == delivery["message_id"]["S"]
    body = json.loads(alert["Message"])
    assert body["article"]["id"] == ref.article_id
    assert body["article"]["s3_uri"] == f"s3://{BUCKET}/incoming/thehindu.html"
    assert {t["term"] for t in body["watchlists"][0]["terms"]} == {"North Korea", "Russia"}
    receipt = env.item(f"ARTICLE#{ref.article_id}", "RECEIPT")
    assert receipt is not None and int(receipt["expires_at"]["N"]) > 0


def test_decoy_is_stored_without_alerts(env: IngestEnv) -> None:
    env.push_watchlists()
    outcome = env.pipeline().process(env.put("incoming/decoy.html", DECOY))
    assert outcome.status is Status.STORED
    assert outcome.matched == ()
    assert env.articles.matches_of_article(outcome.article_id) == []
    assert env.alerts() == []


def test_an_article_that_matched_nothing_is_finished_by_its_one_write(env: IngestEnv) -> None:
    # No receipt (a write unit on nearly every article): the article item is the end state,
    # so a redelivery is a duplicate without reading the object again, even once it is gone.
    env.push_watchlists()
    ref = env.put("incoming/decoy.html", DECOY)
    assert env.pipeline().process(ref).status is Status.STORED
    assert env.item(f"ARTICLE#{ref.article_id}", "RECEIPT") is None
    env.s3.delete_object(Bucket=BUCKET, Key=ref.key, VersionId=ref.version_id)

    again = env.pipeline().process(ref)

    assert (again.status, again.reason) == (Status.DUPLICATE, "stored")
    assert env.articles.outcome(ref.article_id) == "stored"
    assert len(article_items(env)) == 1


def test_a_rejection_is_finished_by_its_one_write(env: IngestEnv) -> None:
    ref = env.put("incoming/photo.html", b"\x89PNG\r\n\x1a\n" + bytes(256), "image/png")
    assert env.pipeline().process(ref).status is Status.REJECTED
    assert env.item(f"ARTICLE#{ref.article_id}", "RECEIPT") is None

    again = env.pipeline().process(ref)

    assert (again.status, again.reason) == (Status.DUPLICATE, "rejected")
    assert env.articles.outcome(ref.article_id) == "rejected"
    assert len(list(env.articles.rejections())) == 1


def test_same_notification_twice_gives_one_record_and_one_alert(env: IngestEnv) -> None:
    env.push_watchlists()
    ref = env.put("incoming/thehindu.html", REFERENCE)
    pipeline = env.pipeline()

    first, second = pipeline.process(ref), pipeline.process(ref)

    assert (first.status, second.status) == (Status.STORED, Status.DUPLICATE)
    assert len(article_items(env)) == 1
    assert len(env.alerts()) == 1


def test_redelivery_after_the_receipt_expired_still_sends_nothing_twice(
    env: IngestEnv,
) -> None:
    env.push_watchlists()
    ref = env.put("incoming/thehindu.html", REFERENCE)
    env.pipeline().process(ref)
    env.dynamodb.delete_item(  # what the TTL does after 15 days
        TableName=env.settings.table_name,
        Key={"PK": {"S": f"ARTICLE#{ref.article_id}"}, "SK": {"S": "RECEIPT"}},
    )

    again = env.pipeline().process(ref)

    assert again.status is Status.STORED and again.alerts_sent == ()
    assert len(article_items(env)) == 1
    assert len(env.alerts()) == 1


def test_sns_failing_once_then_succeeding_sends_exactly_one_alert(env: IngestEnv) -> None:
    env.push_watchlists()
    ref = env.put("incoming/thehindu.html", REFERENCE)
    failures = []

    def fail_first_publish(**_: Any) -> None:
        if not failures:
            failures.append(1)
            raise EndpointConnectionError(endpoint_url="https://sns.us-east-1.amazonaws.com")

    env.sns.meta.events.register("before-call.sns.Publish", fail_first_publish)
    pipeline = env.pipeline()

    with pytest.raises(EndpointConnectionError):
        pipeline.process(ref)
    stored = env.articles.get_article(ref.article_id)
    assert stored is not None and stored.story_id
    pending = env.item(f"STORY#{stored.story_id}", f"DELIVERY#ALERT#{ref.article_id}#0")
    assert pending is not None and pending["state"]["S"] == "PENDING"  # handed back
    assert env.alerts() == []

    retried = pipeline.process(ref)

    assert retried.alerts_sent == ("nk-russia",)
    assert len(env.alerts()) == 1
    assert len(article_items(env)) == 1
    assert pipeline.process(ref).status is Status.DUPLICATE
    assert env.alerts() == []


def test_object_deleted_between_attempts_still_gets_its_alert(env: IngestEnv) -> None:
    """The first attempt stored the article and failed at SNS; by the retry the object is
    gone. The stored article stands and its alert goes out: no rejection on top of it."""
    env.push_watchlists()
    ref = env.put("incoming/thehindu.html", REFERENCE)

    def sns_down(**_: Any) -> None:
        raise EndpointConnectionError(endpoint_url="https://sns.us-east-1.amazonaws.com")

    env.sns.meta.events.register("before-call.sns.Publish", sns_down)
    pipeline = env.pipeline()
    with pytest.raises(EndpointConnectionError):
        pipeline.process(ref)
    env.sns.meta.events.unregister("before-call.sns.Publish", sns_down)
    env.s3.delete_object(Bucket=BUCKET, Key=ref.key, VersionId=ref.version_id)

    retried = pipeline.process(ref)

    assert (retried.status, retried.alerts_sent) == (Status.STORED, ("nk-russia",))
    assert len(env.alerts()) == 1
    assert list(env.articles.rejections()) == []
    assert env.articles.outcome(ref.article_id) == "stored"


def test_dynamodb_failing_after_the_article_is_stored_is_retried_cleanly(
    env: IngestEnv,
) -> None:
    env.push_watchlists()
    ref = env.put("incoming/thehindu.html", REFERENCE)
    failures = []

    def throttle_first_alert_claim(**_: Any) -> None:
        if not failures:
            failures.append(1)
            raise ClientError(
                {"Error": {"Code": "ThrottlingException", "Message": "Rate exceeded"}},
                "UpdateItem",
            )

    env.dynamodb.meta.events.register("before-call.dynamodb.UpdateItem", throttle_first_alert_claim)
    pipeline = env.pipeline()
    with pytest.raises(ClientError, match="ThrottlingException"):
        pipeline.process(ref)
    assert len(article_items(env)) == 1

    assert pipeline.process(ref).alerts_sent == ("nk-russia",)
    assert len(article_items(env)) == 1
    assert len(env.alerts()) == 1


@pytest.mark.parametrize("slash", ["/", "%2F"], ids=["real-s3", "moto"])
def test_key_with_spaces_plus_and_non_ascii(env: IngestEnv, slash: str) -> None:
    env.push_watchlists()
    key = "incoming/Ukraine + Korea/Северная Корея été.html"
    put = env.put(key, REFERENCE)
    encoded = (
        "incoming/Ukraine+%2B+Korea/"
        "%D0%A1%D0%B5%D0%B2%D0%B5%D1%80%D0%BD%D0%B0%D1%8F+%D0%9A%D0%BE%D1%80%D0%B5%D1%8F"
        "+%C3%A9t%C3%A9.html"
    ).replace("/", slash)
    notification = {
        "Records": [
            {
                "eventSource": "aws:s3",
                "eventName": "ObjectCreated:Put",
                "s3": {
                    "bucket": {"name": BUCKET},
                    "object": {"key": encoded, "size": len(REFERENCE), "versionId": put.version_id},
                },
            }
        ]
    }
    (ref,) = object_refs_from_message(json.dumps(notification))

    outcome = env.pipeline().process(ref)

    assert ref.key == key
    assert outcome.status is Status.STORED and outcome.alerts_sent == ("nk-russia",)
    stored = env.articles.get_article(ref.article_id)
    assert stored is not None and stored.key == key


def test_the_notified_version_is_read_not_the_latest(env: IngestEnv) -> None:
    env.push_watchlists()
    first = env.put("incoming/page.html", REFERENCE)
    env.put("incoming/page.html", DECOY)
    outcome = env.pipeline().process(first)
    assert outcome.matched == ("nk-russia",)


def test_object_deleted_before_it_is_read_is_a_stored_rejection(env: IngestEnv) -> None:
    ref = env.put("incoming/gone.html", REFERENCE)
    env.s3.delete_object(Bucket=BUCKET, Key=ref.key, VersionId=ref.version_id)

    outcome = env.pipeline().process(ref)

    assert (outcome.status, outcome.reason) == (Status.REJECTED, "object-missing")
    (rejection,) = env.articles.rejections()
    assert (rejection.reason, rejection.key, rejection.version_id) == (
        "object-missing",
        "incoming/gone.html",
        ref.version_id,
    )
    assert "NoSuchVersion" in rejection.detail
    assert article_items(env) == []


def test_unversioned_object_overwritten_before_it_is_read(env: IngestEnv) -> None:
    put = env.put("incoming/page.html", REFERENCE)
    env.put("incoming/page.html", DECOY)
    ref = ObjectRef(BUCKET, put.key, etag=put.etag)  # as an unversioned bucket notifies
    outcome = env.pipeline().process(ref)
    assert (outcome.status, outcome.reason) == (Status.REJECTED, "object-missing")
    assert "overwritten" in (outcome.detail or "")


def test_oversized_object_is_refused_unread(env: IngestEnv) -> None:
    page = b"<html><body>" + b"<p>North Korea and Russia.</p>" * 100 + b"</body></html>"
    sized = env.put("incoming/big.html", page)  # the notification states the size
    put = env.put("incoming/big-too.html", page)
    unsized = ObjectRef(BUCKET, put.key, version_id=put.version_id)  # Content-Length tells
    pipeline = env.pipeline(max_object_bytes=1000)

    outcomes = [pipeline.process(sized), pipeline.process(unsized)]

    assert [(o.status, o.reason) for o in outcomes] == [(Status.REJECTED, "too-large")] * 2
    rejections = list(env.articles.rejections())
    assert len(rejections) == 2
    assert all(f"{len(page)} bytes; the limit is 1000 bytes" in r.detail for r in rejections)
    assert article_items(env) == []


def test_non_html_object_is_a_stored_rejection(env: IngestEnv) -> None:
    png = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8
    outcome = env.pipeline().process(env.put("incoming/photo.html", png, "image/png"))
    assert outcome.status is Status.REJECTED
    assert outcome.reason == "not-html"
    assert [r.reason for r in env.articles.rejections()] == ["not-html"]


def test_objects_outside_incoming_are_skipped(env: IngestEnv) -> None:
    outcome = env.pipeline().process(env.put("extracted/loop.html", REFERENCE))
    assert outcome.status is Status.SKIPPED
    assert env.items() == []


def test_a_watchlist_push_reaches_the_running_pipeline(env: IngestEnv) -> None:
    pipeline = env.pipeline()  # refresh after 0 s: re-reads the version pointer each article
    env.push_watchlists()
    assert pipeline.process(env.put("incoming/a.html", REFERENCE)).matched == ("nk-russia",)

    env.push_watchlists({"watchlists": [{"name": "korea-china", "all": ["Korea", "China"]}]})
    assert pipeline.process(env.put("incoming/b.html", REFERENCE)).matched == ()


def test_without_stored_watchlists_the_record_is_retried_not_stored_as_matching_nothing(
    env: IngestEnv,
) -> None:
    """Issue 9, defect 9: no receipt for an article matched against no watchlists."""
    ref = env.put("incoming/a.html", REFERENCE)
    with pytest.raises(WatchlistsUnavailable):
        env.pipeline().process(ref)
    assert article_items(env) == [] and env.articles.outcome(ref.article_id) is None
    env.push_watchlists()
    assert env.pipeline().process(ref).matched == ("nk-russia",)


def test_repo_watchlists_one_message_for_every_matched_watchlist_filterable(
    env: IngestEnv,
) -> None:
    """A subscriber of several matched watchlists gets one message, not one per watchlist."""
    env.push_watchlists(SAMPLES.parent / "watchlists.yaml")
    nk_only = env.sqs.create_queue(QueueName="nk-russia-only")["QueueUrl"]
    nk_only_arn = env.sqs.get_queue_attributes(QueueUrl=nk_only, AttributeNames=["QueueArn"])[
        "Attributes"
    ]["QueueArn"]
    env.sns.subscribe(
        TopicArn=env.settings.topic_arn,
        Protocol="sqs",
        Endpoint=nk_only_arn,
        Attributes={"FilterPolicy": json.dumps({"watchlist": ["nk-russia"]})},
    )
    pipeline = env.pipeline()

    reference = pipeline.process(env.put("incoming/thehindu.html", REFERENCE))
    decoy = pipeline.process(env.put("incoming/decoy.html", DECOY))

    assert "nk-russia" in reference.matched
    assert decoy.matched == ()
    (alert,) = env.alerts()
    assert sorted(json.loads(alert["MessageAttributes"]["watchlist"]["Value"])) == sorted(
        reference.matched
    )
    assert len(reference.matched) > 1
    (filtered,) = env.sqs.receive_message(QueueUrl=nk_only, MaxNumberOfMessages=10)["Messages"]
    assert json.loads(filtered["Body"])["MessageId"] == alert["MessageId"]
