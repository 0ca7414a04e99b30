"""Publish an outgoing message to the alert topic, telling permanent refusals from failures."""

from __future__ import annotations

from typing import TYPE_CHECKING

from botocore.exceptions import ClientError

from newswatch.alerting.delivery import PermanentPublishError
from newswatch.alerting.messages import OutgoingMessage

if TYPE_CHECKING:
    from mypy_boto3_sns import SNSClient

# Errors no retry changes: the message itself is refused. Throttling, KMS and internal errors
# are transient and propagate, so SQS retries the record.
PERMANENT_ERRORS = frozenset({"InvalidParameter", "InvalidParameterValue", "ValidationError"})


class SnsPublisher:
    def __init__(self, sns: SNSClient, *, topic_arn: str) -> None:
        self._sns = sns
        self._topic_arn = topic_arn

    def publish(self, message: OutgoingMessage) -> str:
        """Send one message; returns SNS's message id. Its ``watchlist``, ``delivery`` and
        ``kind`` attributes are what subscription filter policies select on."""
        try:
            response = self._sns.publish(
                TopicArn=self._topic_arn,
                Subject=message.subject,
                Message=message.message(),
                MessageStructure="json",
                MessageAttributes=message.attributes(),  # type: ignore[arg-type]
            )
        except ClientError as error:
            code = error.response.get("Error", {}).get("Code", "")
            if code in PERMANENT_ERRORS:
                raise PermanentPublishError(f"SNS refused the message: {code}: {error}") from None
            raise
        return response["MessageId"]
