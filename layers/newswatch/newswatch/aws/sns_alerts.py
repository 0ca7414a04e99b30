"""Publish a rendered alert to the SNS topic."""

from __future__ import annotations

from typing import TYPE_CHECKING

from newswatch.alerts import RenderedAlert

if TYPE_CHECKING:
    from mypy_boto3_sns import SNSClient


class SnsAlertPublisher:
    def __init__(self, sns: SNSClient, *, topic_arn: str) -> None:
        self._sns = sns
        self._topic_arn = topic_arn

    def publish(self, alert: RenderedAlert) -> str:
        """Send one alert; returns SNS's message id. The ``watchlist`` message attribute lets a
        subscription's filter policy pick the watchlists its subscriber cares about."""
        response = self._sns.publish(
            TopicArn=self._topic_arn,
            Subject=alert.subject,
            Message=alert.message(),
            MessageStructure="json",
            MessageAttributes={
                "watchlist": {"DataType": "String", "StringValue": alert.watchlist},
            },
        )
        return response["MessageId"]
