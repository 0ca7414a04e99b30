"""The alert topic's subscriptions: SNS holds them, the table records which ones newswatch made.

A subscription newswatch creates has an item under ``PK = SUBSCRIPTIONS`` (``SK =
SUBSCRIPTION#<protocol>#<address>``) with its ARN and why it exists (``from_file``: the
watchlists the file names the address in; ``from_cli``: those added by ``newswatch
subscribe``). A subscription on the topic without such an item is someone else's and is never
changed. The item is written before SNS is asked and the ARN after, so an interrupted create
leaves a record without a live subscription, which the next push creates again (SNS's Subscribe
is idempotent for the same endpoint and attributes).
"""

from __future__ import annotations

import json
from collections.abc import Collection, Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from newswatch.aws.article_store import utc_now
from newswatch.aws.dynamo import key, query, to_item
from newswatch.subscriptions.endpoints import (
    Endpoint,
    Protocol,
    SubscriptionError,
    endpoint,
    guess_endpoint,
    shown,
)
from newswatch.subscriptions.plan import (
    Action,
    Change,
    Managed,
    Plan,
    desired_from_notify,
    plan_reconcile,
)
from newswatch.subscriptions.policy import (
    FILTER_POLICY_SCOPE,
    Interest,
    interest_of,
    policy_text,
)

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_sns import SNSClient

    from newswatch.watchlists import WatchlistSet

SUBSCRIPTIONS_PK = "SUBSCRIPTIONS"
SUBSCRIPTION_SK_PREFIX = "SUBSCRIPTION#"
# What SNS lists instead of an ARN for a subscription awaiting confirmation.
PENDING_ARN = "PendingConfirmation"


def subscription_sk(endpoint: Endpoint) -> str:
    return f"{SUBSCRIPTION_SK_PREFIX}{endpoint.protocol}#{endpoint.address}"


@dataclass(frozen=True, slots=True)
class TopicSubscription:
    """One subscription of the alert topic, as ``newswatch subscriptions`` shows it.

    ``interest`` is what it receives (``None``: a policy newswatch does not write, or none at
    all, which is every message); ``origins`` is empty for subscriptions newswatch did not make.
    """

    protocol: str
    endpoint: str
    arn: str | None
    state: str
    interest: Interest | None
    origins: tuple[str, ...] = ()
    policy: Mapping[str, Any] | None = field(default=None, repr=False)

    @property
    def managed(self) -> bool:
        return bool(self.origins)

    def to_dict(self) -> dict[str, Any]:
        return {
            "endpoint": shown(self.endpoint),
            "protocol": self.protocol,
            "subscription_arn": self.arn,
            "state": self.state,
            "managed_by_newswatch": self.managed,
            "origins": list(self.origins),
            "instant": sorted(self.interest.instant) if self.interest else None,
            "digest": sorted(self.interest.digest) if self.interest else None,
            "filter_policy": self.policy,
        }


@dataclass(frozen=True, slots=True)
class SubscribeResult:
    endpoint: Endpoint
    arn: str
    interest: Interest
    created: bool
    pending: bool


class TopicSubscriptions:
    """Create, edit, list and remove the alert topic's subscriptions that newswatch manages."""

    def __init__(
        self, sns: SNSClient, dynamodb: DynamoDBClient, *, topic_arn: str, table_name: str
    ) -> None:
        self._sns = sns
        self._dynamodb = dynamodb
        self._topic_arn = topic_arn
        self._table = table_name

    # --- reading -------------------------------------------------------------------------

    def listing(self) -> list[TopicSubscription]:
        """Every subscription of the topic (newswatch's and others), with its state; then
        newswatch's records whose subscription SNS no longer has."""
        found, gone = self._snapshot()
        listed = []
        for item in found:
            policy = _policy(item.attributes)
            if item.record is not None:
                interest: Interest | None = _record_interest(item.record)
                origins = _origins(item.record)
            else:
                interest, origins = interest_of(policy), ()
            listed.append(
                TopicSubscription(
                    item.protocol,
                    item.address,
                    item.arn,
                    _state(item.attributes, item.listed_arn),
                    interest,
                    origins,
                    policy,
                )
            )
        for record in gone:
            listed.append(
                TopicSubscription(
                    record["protocol"],
                    record["endpoint"],
                    record.get("subscription_arn"),
                    "gone from SNS (expired unconfirmed, or deleted)",
                    _record_interest(record),
                    _origins(record),
                )
            )
        return listed

    def managed(self) -> tuple[list[Managed], set[Endpoint], int]:
        """newswatch's subscriptions as recorded and as SNS has them; the endpoints subscribed
        outside newswatch; and how many subscriptions of the topic have a filter policy."""
        found, gone = self._snapshot()
        managed: list[Managed] = []
        foreign: set[Endpoint] = set()
        for item in found:
            if item.record is None:
                if item.protocol in set(Protocol) and item.address:
                    foreign.add(_normalised(item.protocol, item.address))
                continue
            live = item.attributes is not None
            managed.append(_managed(item.record, item.arn if live else None, item.attributes))
        managed += [_managed(record, None, None) for record in gone]
        policies = sum(_policy(item.attributes) is not None for item in found)
        return managed, foreign, policies

    def _snapshot(self) -> tuple[list[_Found], list[dict[str, Any]]]:
        """The topic's subscriptions, each with its attributes and newswatch's record if any;
        and the records whose subscription the topic no longer lists."""
        records = self._records()
        by_arn = {
            record["subscription_arn"]: record
            for record in records.values()
            if record.get("subscription_arn")
        }
        found: list[_Found] = []
        matched: set[str] = set()
        for entry in self._topic_entries():
            protocol, address = str(entry.get("Protocol", "")), str(entry.get("Endpoint", ""))
            listed = entry.get("SubscriptionArn")
            if listed == PENDING_ARN:
                # SNS lists no ARN for a pending subscription; ours has its ARN in the record.
                record = (
                    records.get(_normalised(protocol, address))
                    if protocol in set(Protocol)
                    else None
                )
                arn = record.get("subscription_arn") if record else None
            else:
                record, arn = by_arn.get(listed), listed
            if record is not None:
                matched.add(record["SK"])
            found.append(_Found(protocol, address, listed, arn, record, self._attributes(arn)))
        gone = [record for record in records.values() if record["SK"] not in matched]
        return found, gone

    # --- the file ------------------------------------------------------------------------

    def plan(self, desired: Mapping[Endpoint, Interest], known: Collection[str]) -> Plan:
        """What :meth:`apply` would change to make the topic match ``desired``."""
        managed, foreign, policies = self.managed()
        return plan_reconcile(
            desired, managed, foreign=foreign, known=known, filter_policies_in_use=policies
        )

    def reconcile(self, watchlists: WatchlistSet, *, dry_run: bool = False) -> Plan:
        """Plan (and unless ``dry_run``, apply) the subscriptions the set's ``notify:`` asks for;
        what ``watchlists push`` and the local stack's start-up run."""
        entries = watchlists.to_document()["watchlists"]
        desired = desired_from_notify({entry["name"]: entry.get("notify", {}) for entry in entries})
        plan = self.plan(desired, watchlists.names)
        if not dry_run:
            self.apply(plan)
        return plan

    def apply(self, plan: Plan) -> int:
        """Carry out ``plan`` in order; returns the number of changes made. SNS refusing one
        (its filter policy quota, an endpoint it rejects) stops here with what was done."""
        done = 0
        for change in plan.changes:
            try:
                self._apply(change)
            except ClientError as error:
                raise SubscriptionError(
                    f"SNS refused {change.action} of {change.endpoint} after {done} of "
                    f"{len(plan.changes)} changes: {_explain(error)}"
                ) from None
            if change.action is not Action.SKIP:
                done += 1
        return done

    def _apply(self, change: Change) -> None:
        if change.action is Action.CREATE:
            self._create(change.endpoint, change.from_file, change.from_cli)
        elif change.action is Action.UPDATE:
            assert change.arn is not None
            self._update(change.endpoint, change.arn, change.from_file, change.from_cli)
        elif change.action is Action.REMOVE:
            if change.arn is not None:
                self._sns.unsubscribe(SubscriptionArn=change.arn)
            self._delete_record(change.endpoint)

    # --- the command line ----------------------------------------------------------------

    def subscribe(self, target: Endpoint, interest: Interest) -> SubscribeResult:
        """Add ``interest`` to ``target``'s subscription, creating it if there is none."""
        managed, foreign, _ = self.managed()
        current = next((item for item in managed if item.endpoint == target), None)
        if current is None and target in foreign:
            raise SubscriptionError(
                f"{target} is already subscribed to the topic outside newswatch (by hand, or "
                "the template's AlertEmail/AlertPhone): SNS allows one subscription per "
                "endpoint, and newswatch does not change subscriptions it did not make; "
                "remove that one first to manage this address with newswatch"
            )
        from_file = current.from_file if current else Interest()
        from_cli = (current.from_cli if current else Interest()) | interest
        policy_text(from_file | from_cli)  # refuses an over-complex policy before any write
        try:
            if current is None or current.arn is None:
                arn = self._create(target, from_file, from_cli)
                created = True
            else:
                arn = current.arn
                self._update(target, arn, from_file, from_cli)
                created = False
        except ClientError as error:
            raise SubscriptionError(
                f"SNS refused to subscribe {target}: {_explain(error)}"
            ) from None
        pending = _state(self._attributes(arn), arn).startswith("pending")
        return SubscribeResult(target, arn, from_file | from_cli, created, pending)

    def unsubscribe(self, arn_or_endpoint: str) -> Managed:
        """Remove newswatch's subscription of an endpoint (or with that ARN) and its record."""
        managed, foreign, _ = self.managed()
        text = arn_or_endpoint.strip()
        if text.startswith("arn:") and ":sns:" in text:
            found = next((item for item in managed if item.arn == text), None)
            label = text
        else:
            target = guess_endpoint(text)
            found = next((item for item in managed if item.endpoint == target), None)
            label = str(target)
            if found is None and target in foreign:
                raise SubscriptionError(
                    f"{target} was not subscribed by newswatch, which leaves it alone; remove "
                    "it with `aws sns unsubscribe` if you mean to"
                )
        if found is None:
            raise SubscriptionError(f"newswatch has no subscription for {label} on this topic")
        if found.arn is not None:
            try:
                self._sns.unsubscribe(SubscriptionArn=found.arn)
            except ClientError as error:
                raise SubscriptionError(
                    f"SNS refused to unsubscribe {label}: {_explain(error)}"
                ) from None
        self._delete_record(found.endpoint)
        return found

    def sms_spend_limit(self) -> str | None:
        """The account's monthly SMS spend limit in USD, if SNS reports one."""
        try:
            attributes = self._sns.get_sms_attributes(attributes=["MonthlySpendLimit"])
        except ClientError:
            return None
        return attributes.get("attributes", {}).get("MonthlySpendLimit") or None

    # --- writes --------------------------------------------------------------------------

    def _create(self, target: Endpoint, from_file: Interest, from_cli: Interest) -> str:
        text = policy_text(from_file | from_cli)
        self._put_record(target, None, from_file, from_cli)
        response = self._sns.subscribe(
            TopicArn=self._topic_arn,
            Protocol=str(target.protocol),
            Endpoint=target.address,
            Attributes={"FilterPolicyScope": FILTER_POLICY_SCOPE, "FilterPolicy": text},
            ReturnSubscriptionArn=True,
        )
        arn = response["SubscriptionArn"]
        self._put_record(target, arn, from_file, from_cli)
        return arn

    def _update(self, target: Endpoint, arn: str, from_file: Interest, from_cli: Interest) -> None:
        text = policy_text(from_file | from_cli)
        self._sns.set_subscription_attributes(
            SubscriptionArn=arn,
            AttributeName="FilterPolicyScope",
            AttributeValue=FILTER_POLICY_SCOPE,
        )
        self._sns.set_subscription_attributes(
            SubscriptionArn=arn, AttributeName="FilterPolicy", AttributeValue=text
        )
        self._put_record(target, arn, from_file, from_cli)

    def _put_record(
        self, target: Endpoint, arn: str | None, from_file: Interest, from_cli: Interest
    ) -> None:
        self._dynamodb.put_item(
            TableName=self._table,
            Item=to_item(
                {
                    "PK": SUBSCRIPTIONS_PK,
                    "SK": subscription_sk(target),
                    "protocol": str(target.protocol),
                    "endpoint": target.address,
                    "topic_arn": self._topic_arn,
                    "subscription_arn": arn,
                    "from_file": from_file.to_dict(),
                    "from_cli": from_cli.to_dict(),
                    "updated_at": utc_now(),
                }
            ),
        )

    def _delete_record(self, target: Endpoint) -> None:
        self._dynamodb.delete_item(
            TableName=self._table, Key=key(SUBSCRIPTIONS_PK, subscription_sk(target))
        )

    # --- SNS and table reads -------------------------------------------------------------

    def _records(self) -> dict[Endpoint, dict[str, Any]]:
        request = {
            "TableName": self._table,
            "KeyConditionExpression": "PK = :pk AND begins_with(SK, :prefix)",
            "ExpressionAttributeValues": to_item(
                {":pk": SUBSCRIPTIONS_PK, ":prefix": SUBSCRIPTION_SK_PREFIX}
            ),
            "ConsistentRead": True,
        }
        return {
            Endpoint(Protocol(values["protocol"]), values["endpoint"]): values
            for values in query(self._dynamodb, request)
            if values.get("topic_arn") == self._topic_arn
        }

    def _topic_entries(self) -> Iterator[dict[str, Any]]:
        pages = self._sns.get_paginator("list_subscriptions_by_topic")
        for page in pages.paginate(TopicArn=self._topic_arn):
            yield from (dict(entry) for entry in page.get("Subscriptions", []))

    def _attributes(self, arn: str | None) -> dict[str, str] | None:
        """The subscription's attributes, or ``None`` when SNS has no such subscription."""
        if not arn or arn == PENDING_ARN:
            return None
        try:
            return dict(self._sns.get_subscription_attributes(SubscriptionArn=arn)["Attributes"])
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") in ("NotFound", "NotFoundException"):
                return None
            raise


@dataclass(frozen=True, slots=True)
class _Found:
    """One subscription SNS lists for the topic: as listed, its real ARN (a pending one is
    listed without it), newswatch's record of it, and its attributes (``None``: gone)."""

    protocol: str
    address: str
    listed_arn: str | None
    arn: str | None
    record: dict[str, Any] | None
    attributes: dict[str, str] | None


def _managed(
    record: Mapping[str, Any], arn: str | None, attributes: Mapping[str, Any] | None
) -> Managed:
    return Managed(
        Endpoint(Protocol(record["protocol"]), record["endpoint"]),
        arn,
        Interest.from_dict(record.get("from_file")),
        Interest.from_dict(record.get("from_cli")),
        _policy(attributes),
    )


def _normalised(protocol: str, address: str) -> Endpoint:
    """The endpoint as newswatch writes it (so a listed address compares with the file's)."""
    try:
        return endpoint(protocol, address)
    except SubscriptionError:
        return Endpoint(Protocol(protocol), address)


def _record_interest(record: Mapping[str, Any]) -> Interest:
    return Interest.from_dict(record.get("from_file")) | Interest.from_dict(record.get("from_cli"))


def _origins(record: Mapping[str, Any]) -> tuple[str, ...]:
    origins = [
        origin
        for origin, part in (("file", "from_file"), ("subscribe", "from_cli"))
        if Interest.from_dict(record.get(part))
    ]
    return tuple(origins) or ("file",)


def _state(attributes: Mapping[str, Any] | None, listed_arn: str | None) -> str:
    if attributes is None:
        return "pending confirmation" if listed_arn == PENDING_ARN else "gone"
    pending = str(attributes.get("PendingConfirmation", "false")).lower() == "true"
    return "pending confirmation" if pending else "confirmed"


def _policy(attributes: Mapping[str, Any] | None) -> dict[str, Any] | None:
    text = (attributes or {}).get("FilterPolicy")
    if not text:
        return None
    try:
        policy = json.loads(text)
    except ValueError:
        return None
    return policy if isinstance(policy, dict) else None


def _explain(error: ClientError) -> str:
    details = error.response.get("Error", {})
    code, message = details.get("Code", "?"), details.get("Message", str(error))
    if code == "FilterPolicyLimitExceeded":
        return (
            f"{message} (the topic has reached SNS's quota of filter policies, 200 by default; "
            "raise 'Filter policies per topic' in Service Quotas)"
        )
    return f"{code}: {message}"
