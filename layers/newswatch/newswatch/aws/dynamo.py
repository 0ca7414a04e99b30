"""Plain Python values <-> DynamoDB attribute values, for the low-level client.

The low-level client (not the boto3 "resource" layer, which is frozen and slower to import)
needs typed attribute values. The conversion is done here rather than by boto3's
``TypeSerializer``, whose import is boto3's whole (:mod:`newswatch.aws.clients`). DynamoDB has
no float: floats are stored as their shortest decimal, and numbers come back as ``int`` when
whole, else ``float``.
"""

from __future__ import annotations

import decimal
import itertools
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from newswatch.aws import keys
from newswatch.errors import NewswatchError

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

Item = dict[str, Any]
# DynamoDB's numbers: up to 38 significant digits (more is refused, not rounded).
_NUMBER_DIGITS = 38


def to_item(values: Mapping[str, Any]) -> Item:
    """Attribute values for a put; ``None`` values are left out rather than stored as NULL."""
    return {name: to_attribute(value) for name, value in values.items() if value is not None}


def to_attribute(value: Any) -> dict[str, Any]:
    """One plain value as a typed attribute value; ``None`` in a map is left out."""
    if isinstance(value, str):
        return {"S": value}
    if isinstance(value, bool):  # before int: a bool is an int
        return {"BOOL": value}
    if isinstance(value, int | float | decimal.Decimal):
        return {"N": _number(value)}
    if isinstance(value, bytes | bytearray):
        return {"B": bytes(value)}
    if value is None:
        return {"NULL": True}
    if isinstance(value, Mapping):
        return {"M": {str(k): to_attribute(v) for k, v in value.items() if v is not None}}
    if isinstance(value, list | tuple):
        return {"L": [to_attribute(v) for v in value]}
    if isinstance(value, set | frozenset) and value:
        kinds = {next(iter(to_attribute(v))) for v in value}
        if len(kinds) == 1 and (kind := kinds.pop()) in {"S", "N", "B"}:
            return {kind + "S": [to_attribute(v)[kind] for v in value]}
    raise TypeError(f"no DynamoDB type for {type(value).__name__}")


def _number(value: int | float | decimal.Decimal) -> str:
    number = decimal.Decimal(repr(value)) if isinstance(value, float) else decimal.Decimal(value)
    if not number.is_finite():
        raise TypeError(f"DynamoDB has no {number}")
    if len(number.as_tuple().digits) > _NUMBER_DIGITS:
        raise ValueError(f"more than {_NUMBER_DIGITS} digits: {number}")
    return str(number)


def item_bytes(item: Mapping[str, Any] | None) -> int:
    """The billed size of an item (attribute values, as :func:`to_item` makes them): its
    attribute names and values, by DynamoDB's documented rules. A write costs one unit per KB."""
    if not item:
        return 0
    return sum(len(name.encode()) + _value_bytes(value) for name, value in item.items())


def _value_bytes(value: Mapping[str, Any]) -> int:
    ((kind, data),) = value.items()
    if kind == "S":
        return len(str(data).encode())
    if kind == "N":
        return len(str(data).lstrip("-").replace(".", "")) // 2 + 1
    if kind == "B":
        return len(data)
    if kind in {"BOOL", "NULL"}:
        return 1
    if kind in {"SS", "NS", "BS"}:
        return sum(_value_bytes({kind[0]: element}) for element in data)
    if kind == "M":
        return 3 + sum(len(name.encode()) + _value_bytes(v) + 1 for name, v in data.items())
    return 3 + sum(_value_bytes(element) + 1 for element in data)  # L


def from_item(item: Mapping[str, Any]) -> dict[str, Any]:
    return {name: from_attribute(value) for name, value in item.items()}


def from_attribute(attribute: Mapping[str, Any]) -> Any:
    """One typed attribute value as a plain value: the inverse of :func:`to_attribute`."""
    ((kind, data),) = attribute.items()
    if kind in {"S", "BOOL"}:
        return data
    if kind == "N":
        return _plain_number(data)
    if kind == "B":
        return bytes(data)
    if kind == "NULL":
        return None
    if kind == "M":
        return {name: from_attribute(value) for name, value in data.items()}
    if kind == "L":
        return [from_attribute(value) for value in data]
    if kind == "SS":
        return set(data)
    if kind == "NS":
        return {_plain_number(number) for number in data}
    if kind == "BS":
        return {bytes(element) for element in data}
    raise TypeError(f"unknown DynamoDB type {kind}")


def _plain_number(text: str) -> int | float:
    number = decimal.Decimal(text)
    return int(number) if number == number.to_integral_value() else float(number)


def query(
    dynamodb: DynamoDBClient, request: Mapping[str, Any], *, limit: int | None = None
) -> Iterator[dict[str, Any]]:
    """The plain values of every item a Query returns, following its pages; at most ``limit``.

    One page is at most 1 MB: a partition of thousands of watchlists or articles spans many.
    """
    return itertools.islice(_pages(dynamodb.query, dict(request)), limit)


def scan(dynamodb: DynamoDBClient, request: Mapping[str, Any]) -> Iterator[dict[str, Any]]:
    """The plain values of every item a Scan returns, following its pages (1 MB each). A
    Scan reads the whole table: for the command line, never for the functions."""
    return _pages(dynamodb.scan, dict(request))


def newest_first(
    dynamodb: DynamoDBClient,
    table: str,
    partition: str,
    *,
    limit: int | None = None,
    page_size: int = 100,
) -> Iterator[dict[str, Any]]:
    """Items of one GSI1 partition, newest first (its sort keys start with a timestamp), a page
    of ``page_size`` at a time; at most ``limit``."""
    if limit is not None and limit <= 0:
        return iter(())
    request = {
        "TableName": table,
        "IndexName": keys.GSI1,
        "KeyConditionExpression": "GSI1PK = :pk",
        "ExpressionAttributeValues": to_item({":pk": partition}),
        "ScanIndexForward": False,
        "Limit": page_size if limit is None else min(page_size, limit),
    }
    return query(dynamodb, request, limit=limit)


def _pages(call: Callable[..., Any], request: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """Items of a paged Query or Scan, asking for the next page from where the last stopped."""
    while True:
        response = call(**request)
        yield from (from_item(item) for item in response.get("Items", []))
        if "LastEvaluatedKey" not in response:
            return
        request["ExclusiveStartKey"] = response["LastEvaluatedKey"]


def key(pk: str, sk: str) -> Item:
    return {"PK": {"S": pk}, "SK": {"S": sk}}


def is_condition_failure(error: ClientError) -> bool:
    """True when a conditional write lost: the item was already in the state we wanted to
    create, which for idempotent writes means "someone did this before"."""
    return bool(error.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException")


BATCH_WRITE_SIZE = 25  # DynamoDB's limit per BatchWriteItem
BATCH_GET_SIZE = 100  # and per BatchGetItem
BATCH_ATTEMPTS = 8


def put_new(dynamodb: DynamoDBClient, table: str, values: Mapping[str, Any]) -> bool:
    """Put the item unless its key exists; ``False`` when it did (an idempotent write that
    someone, perhaps an earlier attempt, made before)."""
    try:
        dynamodb.put_item(
            TableName=table,
            Item=to_item(values),
            ConditionExpression="attribute_not_exists(PK)",
        )
    except ClientError as error:
        if is_condition_failure(error):
            return False
        raise
    return True


def batch_write(dynamodb: DynamoDBClient, table: str, requests: Iterable[Any]) -> None:
    """Write requests (``PutRequest``/``DeleteRequest``) 25 to a BatchWriteItem, asking again
    for what DynamoDB left unprocessed (it may, under load, without an error)."""
    for batch in itertools.batched(requests, BATCH_WRITE_SIZE):
        # The output shape of unprocessed requests is the input shape.
        pending: dict[str, Any] = {table: list(batch)}
        for attempt in range(BATCH_ATTEMPTS):
            response = dynamodb.batch_write_item(RequestItems=pending)
            pending = dict(response.get("UnprocessedItems") or {})
            if not pending:
                break
            time.sleep(min(0.05 * 2**attempt, 2.0))
        else:
            raise UnprocessedWrites(
                f"DynamoDB left {len(pending[table])} writes to {table} unprocessed "
                f"after {BATCH_ATTEMPTS} attempts"
            )


def batch_get(
    dynamodb: DynamoDBClient,
    table: str,
    item_keys: Iterable[Item],
    *,
    consistent: bool = False,
    projection: str | None = None,
) -> Iterator[dict[str, Any]]:
    """The plain values of the items found among ``item_keys``, 100 keys to a BatchGetItem,
    asking again for keys DynamoDB left unprocessed."""
    for batch in itertools.batched(item_keys, BATCH_GET_SIZE):
        request: dict[str, Any] = {"Keys": list(batch), "ConsistentRead": consistent}
        if projection:
            request["ProjectionExpression"] = projection
        pending: dict[str, Any] = {table: request}
        for attempt in range(BATCH_ATTEMPTS):
            response = dynamodb.batch_get_item(RequestItems=pending)
            yield from (from_item(item) for item in response.get("Responses", {}).get(table, []))
            pending = dict(response.get("UnprocessedKeys") or {})
            if not pending:
                break
            time.sleep(min(0.05 * 2**attempt, 2.0))
        else:
            raise UnprocessedWrites(f"DynamoDB left reads of {table} unprocessed")


def is_transaction_condition_failure(error: ClientError) -> bool:
    """True when a transaction was cancelled because one of its conditions failed."""
    if error.response.get("Error", {}).get("Code") != "TransactionCanceledException":
        return False
    reasons = error.response.get("CancellationReasons") or []
    if reasons:
        return any(reason.get("Code") == "ConditionalCheckFailed" for reason in reasons)
    return "ConditionalCheckFailed" in str(error)


class UnprocessedWrites(NewswatchError):
    """DynamoDB kept leaving requests unprocessed: transient, the record is retried."""
