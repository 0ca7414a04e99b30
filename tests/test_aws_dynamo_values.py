"""Plain values survive a round trip through DynamoDB's typed attribute values, in moto as in
the table: what the stores write is what they read back."""

from __future__ import annotations

import decimal
from typing import Any

import boto3
import pytest
from moto import mock_aws
from newswatch.aws.dynamo import from_item, to_item

VALUES: dict[str, Any] = {
    "PK": "ARTICLE#1",
    "SK": "META",
    "title": "North Korean troops — ‘in Russia’",
    "count": 3,
    "big": 12345678901234567890123456789012345678,
    "negative": -7,
    "score": 0.1,
    "whole_float": 2.0,
    "flag": True,
    "off": False,
    "raw": b"\x00\xffbytes",
    "tags": ["a", "b", 1, None, {"nested": [1.5, "x"]}],
    "meta": {"kept": "yes", "dropped": None, "deep": {"n": 10}},
    "names": {"alpha", "beta"},
    "numbers": {1, 2, 3},
    "empty_list": [],
    "empty_map": {},
}
EXPECTED = {
    **VALUES,
    "whole_float": 2,  # DynamoDB has one number type: a whole number reads back as an int
    "meta": {"kept": "yes", "deep": {"n": 10}},  # None in a map is left out
}


def test_values_read_back_as_written_through_moto() -> None:
    with mock_aws():
        dynamodb = boto3.client("dynamodb", region_name="us-east-1")
        dynamodb.create_table(
            TableName="t",
            KeySchema=[
                {"AttributeName": "PK", "KeyType": "HASH"},
                {"AttributeName": "SK", "KeyType": "RANGE"},
            ],
            AttributeDefinitions=[
                {"AttributeName": "PK", "AttributeType": "S"},
                {"AttributeName": "SK", "AttributeType": "S"},
            ],
            BillingMode="PAY_PER_REQUEST",
        )
        dynamodb.put_item(TableName="t", Item=to_item({**VALUES, "absent": None}))
        item = dynamodb.get_item(TableName="t", Key=to_item({"PK": "ARTICLE#1", "SK": "META"}))
    assert from_item(item["Item"]) == EXPECTED


@pytest.mark.parametrize(
    ("value", "error"),
    [
        (float("nan"), TypeError),
        (float("inf"), TypeError),
        (decimal.Decimal("1" * 39), ValueError),
        (object(), TypeError),
        ({"mixed", 1}, TypeError),
        (set(), TypeError),
    ],
)
def test_values_dynamodb_would_refuse_are_refused_here(value: Any, error: type[Exception]) -> None:
    with pytest.raises(error):
        to_item({"value": value})
