"""Every shape in which S3 announces an object becomes the same ObjectRef, with the real key."""

from __future__ import annotations

import json

import boto3
import pytest
from moto import mock_aws
from newswatch.events import ObjectRef, UnrecognisedEvent, object_refs, object_refs_from_message

AWKWARD_KEY = "incoming/2024 10/Ukraine+Korea é 北朝鮮.html"


def s3_record(key: str, *, event_name: str = "ObjectCreated:Put", **obj: object) -> dict:
    return {
        "eventVersion": "2.1",
        "eventSource": "aws:s3",
        "eventName": event_name,
        "s3": {"bucket": {"name": "articles"}, "object": {"key": key, "size": 1234, **obj}},
    }


def eventbridge_event(key: str, detail_type: str = "Object Created") -> dict:
    return {
        "version": "0",
        "detail-type": detail_type,
        "source": "aws.s3",
        "detail": {
            "bucket": {"name": "articles"},
            "object": {
                "key": key,
                "size": 1234,
                "etag": "abc",
                "version-id": "v2",
                "sequencer": "0062",
            },
            "reason": "PutObject",
        },
    }


def test_real_s3_encoding_is_decoded() -> None:
    # Real S3 keeps '/' and encodes a space as '+', a literal '+' as %2B.
    raw = "incoming/2024+10/Ukraine%2BKorea+%C3%A9+%E5%8C%97%E6%9C%9D%E9%AE%AE.html"
    (ref,) = object_refs({"Records": [s3_record(raw, versionId="v1", eTag="e", sequencer="01")]})
    assert ref == ObjectRef("articles", AWKWARD_KEY, "v1", 1234, "e", "01")


def test_moto_encoding_of_slash_gives_the_same_key_and_id() -> None:
    real = "incoming/2024+10/Ukraine%2BKorea+%C3%A9+%E5%8C%97%E6%9C%9D%E9%AE%AE.html"
    moto_form = real.replace("/", "%2F")
    (from_real,) = object_refs({"Records": [s3_record(real, versionId="v1")]})
    (from_moto,) = object_refs({"Records": [s3_record(moto_form, versionId="v1")]})
    assert from_moto.key == from_real.key == AWKWARD_KEY
    assert from_moto.article_id == from_real.article_id


def test_notification_from_moto_round_trips_to_a_readable_key() -> None:
    with mock_aws():
        s3 = boto3.client("s3", region_name="us-east-1")
        sqs = boto3.client("sqs", region_name="us-east-1")
        queue_url = sqs.create_queue(QueueName="ingest")["QueueUrl"]
        queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])[
            "Attributes"
        ]["QueueArn"]
        s3.create_bucket(Bucket="articles")
        s3.put_bucket_notification_configuration(
            Bucket="articles",
            NotificationConfiguration={
                "QueueConfigurations": [{"QueueArn": queue_arn, "Events": ["s3:ObjectCreated:*"]}]
            },
        )
        s3.put_object(Bucket="articles", Key=AWKWARD_KEY, Body=b"<html></html>")
        bodies = [
            m["Body"]
            for m in sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10)["Messages"]
        ]
        refs = [ref for body in bodies for ref in object_refs_from_message(body)]
        assert len(bodies) == 2  # moto's s3:TestEvent, then the object
        assert [ref.key for ref in refs] == [AWKWARD_KEY]
        assert s3.get_object(Bucket="articles", Key=refs[0].key)["Body"].read() == b"<html></html>"


def test_s3_test_event_announces_nothing() -> None:
    body = json.dumps({"Service": "Amazon S3", "Event": "s3:TestEvent", "Bucket": "articles"})
    assert object_refs_from_message(body) == []


def test_eventbridge_object_created() -> None:
    (ref,) = object_refs(eventbridge_event("incoming/a+b%2Bc.html"))
    assert ref == ObjectRef("articles", "incoming/a b+c.html", "v2", 1234, "abc", "0062")


def test_an_eventbridge_event_in_an_sqs_body() -> None:
    (ref,) = object_refs_from_message(json.dumps(eventbridge_event("incoming/x.html")))
    assert ref.key == "incoming/x.html"


def test_events_that_create_no_object_announce_nothing() -> None:
    assert object_refs(eventbridge_event("incoming/x.html", "Object Deleted")) == []
    removed = s3_record("incoming/x.html", event_name="ObjectRemoved:Delete")
    assert object_refs({"Records": [removed]}) == []


def test_the_same_version_has_one_id_and_another_version_another() -> None:
    first = ObjectRef("articles", "incoming/x.html", version_id="v1", sequencer="01")
    again = ObjectRef("articles", "incoming/x.html", version_id="v1", sequencer="01", size=9)
    second = ObjectRef("articles", "incoming/x.html", version_id="v2", sequencer="02")
    unversioned = ObjectRef("articles", "incoming/x.html", sequencer="03")
    assert first.article_id == again.article_id
    assert len({first.article_id, second.article_id, unversioned.article_id}) == 3


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("not json", "not JSON"),
        ("[1, 2]", "not a JSON object"),
        (json.dumps({"hello": "world"}), "not an S3 notification"),
        (json.dumps({"Records": [{"eventSource": "aws:sns"}]}), "not aws:s3"),
        (json.dumps({"Records": [{"eventSource": "aws:s3"}]}), "malformed"),
        (json.dumps({"Records": [{**s3_record("k"), "s3": {}}]}), "malformed"),
        (json.dumps({"Records": [s3_record("k", size="big")]}), "malformed"),
        (
            json.dumps({"source": "aws.s3", "detail-type": "Object Created", "detail": {}}),
            "malformed",
        ),
    ],
)
def test_anything_else_is_refused_loudly(body: str, message: str) -> None:
    with pytest.raises(UnrecognisedEvent, match=message):
        object_refs_from_message(body)
