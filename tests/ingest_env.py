"""The ingest path's AWS resources in moto, shared by the pipeline, adapter and handler tests.

Alerts are observed as a subscriber sees them: an SQS queue subscribed to the topic (moto
delivers nothing to email or SMS).
"""

from __future__ import annotations

import importlib.util
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import boto3
import pytest
from moto import mock_aws
from newswatch.aws.article_store import ArticleStore
from newswatch.aws.watchlist_store import WatchlistStore
from newswatch.config import Settings
from newswatch.events import ObjectRef
from newswatch.pipeline import IngestPipeline
from newswatch.watchlists import load_watchlists

REGION = "us-east-1"
BUCKET = "newswatch-articles-test"
TABLE = "newswatch-test"
NK_RUSSIA = {"watchlists": [{"name": "nk-russia", "all": ["North Korea", "Russia"]}]}


@dataclass
class IngestEnv:
    s3: Any
    dynamodb: Any
    sns: Any
    sqs: Any
    settings: Settings
    alerts_queue_url: str

    def pipeline(self, **overrides: Any) -> IngestPipeline:
        settings = Settings(**{**_fields(self.settings), **overrides})
        return IngestPipeline.from_clients(
            settings, s3=self.s3, dynamodb=self.dynamodb, sns=self.sns
        )

    @property
    def articles(self) -> ArticleStore:
        return ArticleStore(self.dynamodb, self.s3, table_name=TABLE, bucket=BUCKET)

    def watchlist_store(self, refresh_seconds: float = 0) -> WatchlistStore:
        return WatchlistStore(
            self.dynamodb,
            self.s3,
            table_name=TABLE,
            bucket=BUCKET,
            refresh_seconds=refresh_seconds,
        )

    def push_watchlists(self, source: Any = None) -> str:
        return self.watchlist_store().replace(load_watchlists(source or NK_RUSSIA))

    def put(self, key: str, body: bytes, content_type: str = "text/html") -> ObjectRef:
        """Upload an object and return the reference its notification carries."""
        response = self.s3.put_object(Bucket=BUCKET, Key=key, Body=body, ContentType=content_type)
        return ObjectRef(
            bucket=BUCKET,
            key=key,
            version_id=response["VersionId"],
            size=len(body),
            etag=response["ETag"].strip('"'),
        )

    def alerts(self) -> list[dict[str, Any]]:
        """Every alert delivered so far to the subscribed queue (SNS envelopes), consumed."""
        delivered: list[dict[str, Any]] = []
        for _ in range(100):
            messages = self.sqs.receive_message(
                QueueUrl=self.alerts_queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=0
            ).get("Messages", [])
            if not messages:
                break
            for message in messages:
                delivered.append(json.loads(message["Body"]))
                self.sqs.delete_message(
                    QueueUrl=self.alerts_queue_url, ReceiptHandle=message["ReceiptHandle"]
                )
        return delivered

    def item(self, pk: str, sk: str) -> dict[str, Any] | None:
        item = self.dynamodb.get_item(TableName=TABLE, Key={"PK": {"S": pk}, "SK": {"S": sk}}).get(
            "Item"
        )
        return None if item is None else dict(item)

    def items(self) -> list[dict[str, Any]]:
        return list(self.dynamodb.scan(TableName=TABLE)["Items"])


def _fields(settings: Settings) -> dict[str, Any]:
    return {name: getattr(settings, name) for name in settings.__dataclass_fields__}


def create_table(dynamodb: Any, name: str = TABLE) -> None:
    """The stack's one table as template.yaml declares it: PK/SK and GSI1 projecting all."""
    dynamodb.create_table(
        TableName=name,
        BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[
            {"AttributeName": attribute, "AttributeType": "S"}
            for attribute in ("PK", "SK", "GSI1PK", "GSI1SK")
        ],
        KeySchema=[
            {"AttributeName": "PK", "KeyType": "HASH"},
            {"AttributeName": "SK", "KeyType": "RANGE"},
        ],
        GlobalSecondaryIndexes=[
            {
                "IndexName": "GSI1",
                "KeySchema": [
                    {"AttributeName": "GSI1PK", "KeyType": "HASH"},
                    {"AttributeName": "GSI1SK", "KeyType": "RANGE"},
                ],
                "Projection": {"ProjectionType": "ALL"},
            }
        ],
    )


def create_ingest_env() -> IngestEnv:
    """Create the bucket, table, topic and an alert-observing queue (inside ``mock_aws``)."""
    s3 = boto3.client("s3", region_name=REGION)
    dynamodb = boto3.client("dynamodb", region_name=REGION)
    sns = boto3.client("sns", region_name=REGION)
    sqs = boto3.client("sqs", region_name=REGION)
    s3.create_bucket(Bucket=BUCKET)
    s3.put_bucket_versioning(Bucket=BUCKET, VersioningConfiguration={"Status": "Enabled"})
    create_table(dynamodb)
    topic_arn = sns.create_topic(Name="newswatch-alerts")["TopicArn"]
    queue_url = sqs.create_queue(QueueName="alert-subscriber")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])[
        "Attributes"
    ]["QueueArn"]
    sns.subscribe(TopicArn=topic_arn, Protocol="sqs", Endpoint=queue_arn)
    return IngestEnv(
        s3=s3,
        dynamodb=dynamodb,
        sns=sns,
        sqs=sqs,
        settings=Settings(
            table_name=TABLE,
            topic_arn=topic_arn,
            article_bucket=BUCKET,
            watchlist_refresh_seconds=0,
        ),
        alerts_queue_url=queue_url,
    )


@pytest.fixture(name="env")
def env_fixture(monkeypatch: pytest.MonkeyPatch) -> Iterator[IngestEnv]:
    """Fresh moto resources per test; import ``env_fixture`` and take an ``env`` argument."""
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    with mock_aws():
        yield create_ingest_env()


ROOT = Path(__file__).resolve().parent.parent


@dataclass
class LambdaContext:
    """The attributes of the context object the Lambda runtime passes."""

    function_name: str = "newswatch-ingest"
    function_version: str = "$LATEST"
    invoked_function_arn: str = "arn:aws:lambda:us-east-1:123456789012:function:newswatch-ingest"
    memory_limit_in_mb: int = 512
    aws_request_id: str = "0a1b2c3d"
    log_group_name: str = "/aws/lambda/newswatch-ingest"
    log_stream_name: str = "stream"

    def get_remaining_time_in_millis(self) -> int:
        return 60_000


def load_function(name: str, module_name: str | None = None) -> ModuleType:
    """``functions/<name>/app.py`` loaded as Lambda loads it (a fresh module each time, so its
    module-level Powertools objects and caches read the environment as it is now)."""
    spec = importlib.util.spec_from_file_location(
        module_name or f"{name}_app", ROOT / "functions" / name / "app.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
