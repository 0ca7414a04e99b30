"""The delivery state machine's records (:class:`newswatch.alerting.delivery.DeliveryLedger`)
on DynamoDB: one item per message, in the partition of what it is about, every transition a
conditional update fenced by the owner token."""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from newswatch.alerting.delivery import (
    Acquired,
    DeliveryInFlight,
    DeliveryKey,
    DeliveryState,
    Scope,
)
from newswatch.aws import keys
from newswatch.aws.dynamo import from_item, is_condition_failure, key, to_item

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient


class DynamoDeliveryLedger:
    """A delivery is the item ``SK=DELIVERY#<name>`` in its story's partition
    (``STORY#<id>``) or its watchlist's digest partition (``DIGEST#<name>``)."""

    def __init__(self, dynamodb: DynamoDBClient, *, table_name: str) -> None:
        self._dynamodb = dynamodb
        self._table = table_name

    def decide(self, key_: DeliveryKey, decision: Mapping[str, Any]) -> dict[str, Any]:
        try:
            self._dynamodb.put_item(
                TableName=self._table,
                Item=to_item(
                    {
                        "PK": _pk(key_),
                        "SK": keys.delivery_sk(key_.name),
                        "state": DeliveryState.PENDING.value,
                        "decision": json.dumps(decision, ensure_ascii=False),
                    }
                ),
                ConditionExpression="attribute_not_exists(PK)",
            )
        except ClientError as error:
            if not is_condition_failure(error):
                raise
            stored = self._item(key_)
            if stored is not None and "decision" in stored:
                recorded: dict[str, Any] = json.loads(stored["decision"])
                return recorded
        return dict(decision)

    def acquire(self, key_: DeliveryKey, owner: str, lease_seconds: int) -> Acquired:
        now = int(time.time())
        try:
            self._dynamodb.update_item(
                TableName=self._table,
                Key=_key(key_),
                UpdateExpression="SET #state = :sending, #owner = :owner, lease_until = :until",
                ConditionExpression=(
                    "attribute_not_exists(#state) OR #state = :pending"
                    " OR (#state = :sending AND lease_until < :now)"
                ),
                ExpressionAttributeNames={"#state": "state", "#owner": "owner"},
                ExpressionAttributeValues=to_item(
                    {
                        ":sending": DeliveryState.SENDING.value,
                        ":pending": DeliveryState.PENDING.value,
                        ":owner": owner,
                        ":until": now + lease_seconds,
                        ":now": now,
                    }
                ),
            )
        except ClientError as error:
            if not is_condition_failure(error):
                raise
            stored = self._item(key_) or {}
            if stored.get("state") in {DeliveryState.SENT.value, DeliveryState.FAILED.value}:
                return Acquired.DONE
            raise DeliveryInFlight(
                f"{key_.owner_id}/{key_.name} is being sent by another worker"
            ) from None
        return Acquired.MINE

    def complete(self, key_: DeliveryKey, owner: str, message_id: str) -> bool:
        return self._finish(
            key_,
            owner,
            "SET #state = :done, message_id = :detail, sent_at = :at REMOVE lease_until",
            DeliveryState.SENT,
            message_id,
        )

    def fail(self, key_: DeliveryKey, owner: str, reason: str) -> None:
        self._finish(
            key_,
            owner,
            "SET #state = :done, failure = :detail, sent_at = :at REMOVE lease_until",
            DeliveryState.FAILED,
            reason,
        )

    def release(self, key_: DeliveryKey, owner: str) -> None:
        try:
            self._dynamodb.update_item(
                TableName=self._table,
                Key=_key(key_),
                UpdateExpression="SET #state = :pending REMOVE lease_until, #owner",
                ConditionExpression="#state = :sending AND #owner = :owner",
                ExpressionAttributeNames={"#state": "state", "#owner": "owner"},
                ExpressionAttributeValues=to_item(
                    {
                        ":pending": DeliveryState.PENDING.value,
                        ":sending": DeliveryState.SENDING.value,
                        ":owner": owner,
                    }
                ),
            )
        except ClientError as error:
            if not is_condition_failure(error):
                raise

    def _finish(
        self, key_: DeliveryKey, owner: str, update: str, state: DeliveryState, detail: str
    ) -> bool:
        try:
            self._dynamodb.update_item(
                TableName=self._table,
                Key=_key(key_),
                UpdateExpression=update,
                ConditionExpression="#state = :sending AND #owner = :owner",
                ExpressionAttributeNames={"#state": "state", "#owner": "owner"},
                ExpressionAttributeValues=to_item(
                    {
                        ":done": state.value,
                        ":sending": DeliveryState.SENDING.value,
                        ":owner": owner,
                        ":detail": detail,
                        ":at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                    }
                ),
            )
        except ClientError as error:
            if is_condition_failure(error):
                return False
            raise
        return True

    def _item(self, key_: DeliveryKey) -> dict[str, Any] | None:
        response = self._dynamodb.get_item(
            TableName=self._table, Key=_key(key_), ConsistentRead=True
        )
        item = response.get("Item")
        return None if item is None else from_item(item)


def _pk(key_: DeliveryKey) -> str:
    if key_.scope is Scope.STORY:
        return keys.story_pk(key_.owner_id)
    return keys.digest_pk(key_.owner_id)


def _key(key_: DeliveryKey) -> dict[str, Any]:
    return key(_pk(key_), keys.delivery_sk(key_.name))
