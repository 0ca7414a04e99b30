"""Storm control's rolling hour (:class:`newswatch.alerting.storm.RateLimiter`) on DynamoDB.

One item per watchlist (``RATE#<name>``) holds the stories admitted in the last hour and a
version number; a worker reads it, decides with :meth:`RateWindow.decide` and writes back only
if the version is still the one it read, retrying on a conflict. Correct with any number of
concurrent workers, and bounded: the map never holds more than the limit's stories.
"""

from __future__ import annotations

import random
import time
from typing import TYPE_CHECKING

from botocore.exceptions import ClientError

from newswatch.alerting.storm import Admission, RateWindow
from newswatch.aws import keys
from newswatch.aws.dynamo import from_item, is_condition_failure, key, to_item
from newswatch.errors import NewswatchError

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

MAX_ATTEMPTS = 20


class RateContention(NewswatchError):
    """Too many workers raced for one watchlist's window; transient, the record is retried."""


class DynamoRateLimiter:
    def __init__(self, dynamodb: DynamoDBClient, *, table_name: str) -> None:
        self._dynamodb = dynamodb
        self._table = table_name

    def admit(self, watchlist: str, story_id: str, limit: int) -> Admission:
        item_key = key(keys.rate_pk(watchlist), keys.RATE_SK)
        for _ in range(MAX_ATTEMPTS):
            response = self._dynamodb.get_item(
                TableName=self._table, Key=item_key, ConsistentRead=True
            )
            values = from_item(response["Item"]) if "Item" in response else {}
            version = int(values.get("version", 0))
            window = RateWindow(
                {sid: float(at) for sid, at in (values.get("admitted") or {}).items()},
                float(values.get("notice_until", 0)),
            )
            admission, updated = window.decide(story_id, limit, time.time())
            if updated is window:
                return admission
            try:
                self._dynamodb.put_item(
                    TableName=self._table,
                    Item=to_item(
                        {
                            **{"PK": keys.rate_pk(watchlist), "SK": keys.RATE_SK},
                            "admitted": dict(updated.admitted),
                            "notice_until": updated.notice_until,
                            "version": version + 1,
                        }
                    ),
                    ConditionExpression="attribute_not_exists(PK) OR version = :v",
                    ExpressionAttributeValues=to_item({":v": version}),
                )
            except ClientError as error:
                if not is_condition_failure(error):
                    raise
                time.sleep(random.uniform(0.005, 0.05))  # noqa: S311 - jitter, not security
                continue
            return admission
        raise RateContention(f"storm counter of {watchlist!r} contended {MAX_ATTEMPTS} times")
