"""What ``watchlists push`` changes among the topic's subscriptions so they match the file.

Each subscription newswatch makes has a record of why it exists: the watchlists the file names
the address in (``from_file``) and those added with ``newswatch subscribe`` (``from_cli``). A
push replaces the first and keeps the second (less watchlists the file dropped); a
subscription with neither left is removed. Subscriptions newswatch has no record of (the
template's ``AlertEmail``, anything made by hand) are never changed: an address the file names
that already has one is reported and skipped, since SNS allows one subscription per endpoint.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from newswatch.alerting.messages import Delivery
from newswatch.subscriptions.endpoints import Endpoint, SubscriptionError, email, sms
from newswatch.subscriptions.policy import (
    DEFAULT_FILTER_POLICIES_PER_TOPIC,
    Interest,
    filter_policy,
)


@dataclass(frozen=True, slots=True)
class Managed:
    """A subscription newswatch made: its record, and what SNS has now (``arn`` and ``policy``
    are ``None`` when SNS no longer has it: never confirmed and expired, or deleted by hand)."""

    endpoint: Endpoint
    arn: str | None
    from_file: Interest
    from_cli: Interest
    policy: Mapping[str, Any] | None = None

    @property
    def interest(self) -> Interest:
        return self.from_file | self.from_cli


class Action(StrEnum):
    CREATE = "create"
    UPDATE = "update"
    REMOVE = "remove"
    SKIP = "skip"


_SIGNS = {Action.CREATE: "+", Action.UPDATE: "~", Action.REMOVE: "-", Action.SKIP: "!"}


@dataclass(frozen=True, slots=True)
class Change:
    """One step of a plan. ``before`` is what the subscription receives now (``None``: nothing,
    it does not exist); ``from_file | from_cli`` is what it will receive."""

    action: Action
    endpoint: Endpoint
    from_file: Interest
    from_cli: Interest
    before: Interest | None = None
    arn: str | None = None
    note: str = ""

    @property
    def after(self) -> Interest:
        return self.from_file | self.from_cli

    def line(self) -> str:
        if self.action is Action.CREATE:
            what = self.after.describe()
        elif self.action is Action.UPDATE:
            before = self.before.describe() if self.before is not None else "nothing"
            what = f"{before} -> {self.after.describe()}"
        elif self.action is Action.REMOVE:
            what = self.before.describe() if self.before is not None else "(record only)"
        else:
            what = f"{self.after.describe()}: skipped"
        note = f" ({self.note})" if self.note else ""
        return f"  {_SIGNS[self.action]} {self.endpoint}: {what}{note}"


@dataclass(frozen=True, slots=True)
class Plan:
    """The changes, how many subscriptions stay as they are, and the topic's filter policy
    count before and after (SNS allows :data:`DEFAULT_FILTER_POLICIES_PER_TOPIC` by default)."""

    changes: tuple[Change, ...]
    unchanged: int
    filter_policies_before: int

    def count(self, action: Action) -> int:
        return sum(change.action is action for change in self.changes)

    @property
    def filter_policies_after(self) -> int:
        created = sum(
            change.action is Action.CREATE and change.arn is None for change in self.changes
        )
        removed = sum(
            change.action is Action.REMOVE and change.arn is not None for change in self.changes
        )
        return self.filter_policies_before + created - removed

    def lines(self) -> list[str]:
        head = (
            f"subscriptions: {self.count(Action.CREATE)} to create, "
            f"{self.count(Action.UPDATE)} to update, {self.count(Action.REMOVE)} to remove, "
            f"{self.unchanged} unchanged"
        )
        skipped = self.count(Action.SKIP)
        lines = [head + (f", {skipped} skipped" if skipped else "")]
        lines += [change.line() for change in self.changes]
        after = self.filter_policies_after
        lines.append(
            f"filter policies on the topic: {self.filter_policies_before} now, {after} after "
            f"(SNS allows {DEFAULT_FILTER_POLICIES_PER_TOPIC} by default)"
        )
        if after > DEFAULT_FILTER_POLICIES_PER_TOPIC:
            lines.append(
                f"warning: {after} filter policies exceed SNS's default quota of "
                f"{DEFAULT_FILTER_POLICIES_PER_TOPIC} per topic; unless it was raised (Service "
                "Quotas, 'Filter policies per topic'), SNS refuses the ones beyond it and the "
                "push stops at the first refusal"
            )
        return lines


def desired_from_notify(
    notify_by_watchlist: Mapping[str, Mapping[str, Sequence[str]]],
) -> dict[Endpoint, Interest]:
    """Each address the file's ``notify:`` entries name, with the watchlists it gets and how:
    ``email`` and ``sms`` instantly, ``digest`` (email addresses) as that watchlist's digest.
    An address named by several watchlists gets one entry listing them all."""
    desired: dict[Endpoint, Interest] = {}
    for watchlist, notify in notify_by_watchlist.items():
        for key, make, delivery in (
            ("email", email, Delivery.INSTANT),
            ("sms", sms, Delivery.INSTANT),
            ("digest", email, Delivery.DIGEST),
        ):
            for address in notify.get(key, ()):
                target = make(address)
                desired[target] = desired.get(target, Interest()) | Interest.of(
                    delivery, [watchlist]
                )
    return desired


def plan_reconcile(
    desired: Mapping[Endpoint, Interest],
    managed: Iterable[Managed],
    *,
    foreign: Collection[Endpoint],
    known: Collection[str],
    filter_policies_in_use: int,
) -> Plan:
    """The changes that make the topic match ``desired`` (from the file), for the watchlists
    ``known`` (the file's). Raises :class:`SubscriptionError` listing every subscription whose
    filter policy SNS would refuse, before anything is changed."""
    wanted = dict(desired)
    changes: list[Change] = []
    unchanged = 0
    for subscription in sorted(managed, key=lambda found: found.endpoint):
        from_file = wanted.pop(subscription.endpoint, Interest())
        from_cli = subscription.from_cli.restricted_to(known)
        after = from_file | from_cli
        current = subscription.interest if subscription.arn is not None else None
        if not after:
            note = "no longer named" if subscription.arn else "gone from SNS; forgetting it"
            changes.append(
                Change(
                    Action.REMOVE,
                    subscription.endpoint,
                    from_file,
                    from_cli,
                    current,
                    subscription.arn,
                    note,
                )
            )
        elif subscription.arn is None:
            note = "its subscription is gone from SNS (never confirmed, or deleted): again"
            changes.append(
                Change(Action.CREATE, subscription.endpoint, from_file, from_cli, note=note)
            )
        elif (
            from_file != subscription.from_file
            or from_cli != subscription.from_cli
            or subscription.policy != _policy_or_none(after)
        ):
            changes.append(
                Change(
                    Action.UPDATE,
                    subscription.endpoint,
                    from_file,
                    from_cli,
                    current,
                    subscription.arn,
                )
            )
        else:
            unchanged += 1
    for target, interest in sorted(wanted.items()):
        if target in foreign:
            note = (
                "already subscribed to the topic outside newswatch (e.g. the template's "
                "AlertEmail/AlertPhone); left as it is"
            )
            changes.append(Change(Action.SKIP, target, interest, Interest(), note=note))
        else:
            changes.append(Change(Action.CREATE, target, interest, Interest()))
    refused = []
    for change in changes:
        if change.action in (Action.CREATE, Action.UPDATE):
            try:
                filter_policy(change.after)
            except SubscriptionError as error:
                refused.append(f"{change.endpoint}: {error}")
    if refused:
        raise SubscriptionError("cannot subscribe as the file asks:\n  " + "\n  ".join(refused))
    return Plan(tuple(changes), unchanged, filter_policies_in_use)


def _policy_or_none(interest: Interest) -> dict[str, Any] | None:
    """The policy, or ``None`` when SNS would refuse it (reported once, after planning)."""
    try:
        return filter_policy(interest)
    except SubscriptionError:
        return None
