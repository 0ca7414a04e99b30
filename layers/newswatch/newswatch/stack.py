"""Where a command finds the bucket, table, topic and queues: a deployed stack or the local one.

Both answer the same question the same way, from CloudFormation outputs: a deployed stack has
them from ``sam deploy``, and ``newswatch local`` records the template's outputs as a stack named
:data:`LOCAL_STACK_NAME` in its moto server. So ``newswatch watchlists push FILE --stack NAME``
works against AWS exactly as it does locally.
"""

from __future__ import annotations

import argparse
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import boto3
from botocore.exceptions import BotoCoreError, ClientError, EndpointConnectionError

from newswatch.errors import NewswatchError

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_s3 import S3Client
    from mypy_boto3_sns import SNSClient
    from mypy_boto3_sqs import SQSClient

    from newswatch.aws.article_store import ArticleStore
    from newswatch.aws.story_store import StoryRecords
    from newswatch.aws.watchlist_store import WatchlistStore

LOCAL_STACK_NAME = "newswatch-local"
DEFAULT_LOCAL_PORT = 5000
DEFAULT_LOCAL_ENDPOINT = f"http://127.0.0.1:{DEFAULT_LOCAL_PORT}"
LOCAL_REGION = "us-east-1"
# moto accepts any credentials; fixed ones keep a developer's real keys out of local traffic and
# let the local stack work on a machine that has none.
LOCAL_CREDENTIALS = {"aws_access_key_id": "newswatch-local", "aws_secret_access_key": "local"}

# Template output -> Stack field.
_OUTPUT_FIELDS = {
    "BucketName": "bucket",
    "TableName": "table",
    "TopicArn": "topic_arn",
    "QueueUrl": "queue_url",
    "DeadLetterQueueUrl": "dlq_url",
}


class StackNotFound(NewswatchError):
    """The stack (or the local stack's server) is not there, or lacks an output we need."""


@dataclass(frozen=True, slots=True)
class Stack:
    """The resources of one newswatch stack. ``endpoint_url`` is set for a local stack (moto),
    ``None`` for AWS itself."""

    bucket: str
    table: str
    topic_arn: str
    queue_url: str
    dlq_url: str
    region: str
    endpoint_url: str | None = None

    def s3(self) -> S3Client:
        return self.client("s3")  # type: ignore[no-any-return]

    def dynamodb(self) -> DynamoDBClient:
        return self.client("dynamodb")  # type: ignore[no-any-return]

    def sns(self) -> SNSClient:
        return self.client("sns")  # type: ignore[no-any-return]

    def sqs(self) -> SQSClient:
        return self.client("sqs")  # type: ignore[no-any-return]

    def client(self, service: str) -> Any:
        """A boto3 client for any other service, at this stack's endpoint and region."""
        return _client(service, region=self.region, endpoint_url=self.endpoint_url)

    def article_store(self) -> ArticleStore:
        """The stack's articles, matches and rejections (imported here: not every command
        reads the table)."""
        from newswatch.aws.article_store import ArticleStore

        return ArticleStore(self.dynamodb(), self.s3(), table_name=self.table, bucket=self.bucket)

    def story_records(self) -> StoryRecords:
        """The stack's stories, their copies and the alerts they sent."""
        from newswatch.aws.story_store import StoryRecords

        return StoryRecords(self.dynamodb(), table_name=self.table)

    def watchlist_store(self) -> WatchlistStore:
        """The stack's stored watchlist set."""
        from newswatch.aws.watchlist_store import WatchlistStore

        return WatchlistStore(self.dynamodb(), self.s3(), table_name=self.table, bucket=self.bucket)


def resolve_stack(stack_name: str | None = None, endpoint_url: str | None = None) -> Stack:
    """The stack ``stack_name`` deployed in AWS (or at ``endpoint_url``), or, without a name,
    the local stack running at ``endpoint_url`` (default :data:`DEFAULT_LOCAL_ENDPOINT`)."""
    if stack_name is None:
        stack_name = LOCAL_STACK_NAME
        endpoint_url = endpoint_url or DEFAULT_LOCAL_ENDPOINT
    region = LOCAL_REGION if endpoint_url else None
    cloudformation = _client("cloudformation", region=region, endpoint_url=endpoint_url)
    where = f"at {endpoint_url}" if endpoint_url else "in AWS"
    try:
        stacks = cloudformation.describe_stacks(StackName=stack_name)["Stacks"]
    except EndpointConnectionError:
        raise StackNotFound(
            f"nothing listens at {endpoint_url}: start the local stack with `newswatch local`"
        ) from None
    except ClientError as error:
        message = error.response.get("Error", {}).get("Message", str(error))
        hint = " (is `newswatch local` running?)" if stack_name == LOCAL_STACK_NAME else ""
        raise StackNotFound(f"stack {stack_name} {where}: {message}{hint}") from None
    except BotoCoreError as error:
        raise StackNotFound(f"cannot read stack {stack_name} {where}: {error}") from None
    outputs = {
        output["OutputKey"]: output["OutputValue"]
        for output in stacks[0].get("Outputs", [])
        if "OutputKey" in output and "OutputValue" in output
    }
    try:
        return stack_from_outputs(
            outputs, region=cloudformation.meta.region_name, endpoint_url=endpoint_url
        )
    except StackNotFound as error:
        raise StackNotFound(f"stack {stack_name} {where} {error}") from None


def stack_from_outputs(
    outputs: Mapping[str, str], *, region: str, endpoint_url: str | None
) -> Stack:
    """The :class:`Stack` that a template's outputs describe."""
    missing = sorted(set(_OUTPUT_FIELDS) - set(outputs))
    if missing:
        raise StackNotFound(f"lacks output(s) {', '.join(missing)}")
    return Stack(
        **{field: outputs[output] for output, field in _OUTPUT_FIELDS.items()},
        region=region,
        endpoint_url=endpoint_url,
    )


def add_stack_arguments(parser: argparse.ArgumentParser) -> None:
    """Add ``--stack`` and ``--endpoint-url``, read back by :func:`stack_from_args`."""
    group = parser.add_argument_group("where the stack runs")
    group.add_argument(
        "--stack",
        metavar="NAME",
        help="a deployed CloudFormation stack, found from its outputs (default: the local stack)",
    )
    group.add_argument(
        "--endpoint-url",
        metavar="URL",
        help=f"AWS endpoint, for the local stack (default {DEFAULT_LOCAL_ENDPOINT}) or moto",
    )


def stack_from_args(args: argparse.Namespace) -> Stack:
    """The stack that ``--stack``/``--endpoint-url`` designate."""
    return resolve_stack(args.stack, args.endpoint_url)


def _client(service: str, *, region: str | None, endpoint_url: str | None) -> Any:
    """A boto3 client; at a custom endpoint (moto) with the fixed local credentials."""
    credentials = LOCAL_CREDENTIALS if endpoint_url else {}
    return boto3.client(  # type: ignore[call-overload]
        service, region_name=region, endpoint_url=endpoint_url, **credentials
    )
