"""A subscriber's interest (which watchlists, instantly or as a digest) as an SNS filter policy.

The alert topic's messages carry the attributes ``watchlist`` (``String.Array``: every watchlist
the message is for) and ``delivery`` (``instant`` or ``digest``). A policy
``{"watchlist": [names...], "delivery": ["instant"]}`` (scope ``MessageAttributes``) passes a
message when one of its watchlists is named and its delivery matches. SNS allows one
subscription per endpoint on a topic, so an address that wants some watchlists instantly and
others as a digest gets one policy with one ``$or`` branch per delivery mode.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

# The delivery modes are the alert topic's ``delivery`` attribute values: one definition.
from newswatch.alerting.messages import Delivery
from newswatch.subscriptions.endpoints import SubscriptionError

# SNS's documented filter policy constraints (subscription-filter-policy-constraints).
MAX_COMBINATIONS = 150
MAX_KEYS = 5
DEFAULT_FILTER_POLICIES_PER_TOPIC = 200  # adjustable in Service Quotas
FILTER_POLICY_SCOPE = "MessageAttributes"


@dataclass(frozen=True, slots=True)
class Interest:
    """The watchlists a subscriber receives instantly and those received as a digest."""

    instant: frozenset[str] = frozenset()
    digest: frozenset[str] = frozenset()

    @classmethod
    def of(cls, delivery: Delivery, names: Iterable[str]) -> Interest:
        return (
            cls(instant=frozenset(names))
            if delivery is Delivery.INSTANT
            else cls(digest=frozenset(names))
        )

    @classmethod
    def from_dict(cls, values: Mapping[str, Any] | None) -> Interest:
        values = values or {}
        return cls(frozenset(values.get("instant") or ()), frozenset(values.get("digest") or ()))

    def to_dict(self) -> dict[str, list[str]]:
        return {"instant": sorted(self.instant), "digest": sorted(self.digest)}

    def __bool__(self) -> bool:
        return bool(self.instant or self.digest)

    def __or__(self, other: Interest) -> Interest:
        return Interest(self.instant | other.instant, self.digest | other.digest)

    def without(self, delivery: Delivery | None, names: Iterable[str]) -> Interest:
        """This interest less ``names`` (in one delivery mode, or in both when ``None``)."""
        dropped = frozenset(names)
        return Interest(
            self.instant - dropped if delivery in (None, Delivery.INSTANT) else self.instant,
            self.digest - dropped if delivery in (None, Delivery.DIGEST) else self.digest,
        )

    def restricted_to(self, known: Iterable[str]) -> Interest:
        keep = frozenset(known)
        return Interest(self.instant & keep, self.digest & keep)

    @property
    def watchlists(self) -> frozenset[str]:
        return self.instant | self.digest

    def describe(self) -> str:
        """``instant: a, b; digest: c`` (the modes that have watchlists)."""
        parts = [
            f"{mode}: {', '.join(sorted(names))}"
            for mode, names in (("instant", self.instant), ("digest", self.digest))
            if names
        ]
        return "; ".join(parts) or "nothing"


def filter_policy(interest: Interest) -> dict[str, Any]:
    """The filter policy that passes exactly the messages ``interest`` asks for.

    Refuses one that SNS would refuse (over :data:`MAX_COMBINATIONS`), saying how many
    watchlists fit, rather than letting SNS answer "Filter policy is too complex".
    """
    if not interest:
        raise ValueError("an empty interest has no filter policy: unsubscribe instead")
    if interest.instant == interest.digest:
        policy: dict[str, Any] = _branch(interest.instant, [Delivery.DIGEST, Delivery.INSTANT])
    elif not interest.digest:
        policy = _branch(interest.instant, [Delivery.INSTANT])
    elif not interest.instant:
        policy = _branch(interest.digest, [Delivery.DIGEST])
    else:
        policy = {
            "$or": [
                _branch(interest.instant, [Delivery.INSTANT]),
                _branch(interest.digest, [Delivery.DIGEST]),
            ]
        }
    count = combinations(policy)
    if count > MAX_COMBINATIONS:
        raise SubscriptionError(
            f"{len(interest.watchlists)} watchlists ({interest.describe()[:200]}) make a filter "
            f"policy of {count} value combinations; SNS allows at most {MAX_COMBINATIONS} per "
            "subscription (one per watchlist and delivery mode): subscribe fewer watchlists, "
            "or a queue that receives everything and filters itself"
        )
    return policy


def policy_text(interest: Interest) -> str:
    """The filter policy as the compact, key-sorted JSON sent to SNS (so equal policies compare
    equal as text)."""
    return json.dumps(filter_policy(interest), sort_keys=True, separators=(",", ":"))


def combinations(policy: Mapping[str, Any]) -> int:
    """SNS's complexity measure: the product of the value counts of a policy's keys; an ``$or``
    contributes the sum of its branches' measures (as SNS documents it)."""
    product = 1
    alternatives = 0
    for key, value in policy.items():
        if key == "$or" and isinstance(value, list):
            alternatives += sum(combinations(branch) for branch in value)
        elif isinstance(value, list):
            product *= len(value)
    return product * alternatives if alternatives else product


def interest_of(policy: Mapping[str, Any] | None) -> Interest | None:
    """The interest a filter policy of the shape :func:`filter_policy` makes expresses, or
    ``None`` for any other policy (a hand-written one, or no policy: everything)."""
    if not policy:
        return None
    branches = policy.get("$or") if set(policy) == {"$or"} else [policy]
    if not isinstance(branches, list):
        return None
    interest = Interest()
    for branch in branches:
        if not isinstance(branch, Mapping) or set(branch) != {"watchlist", "delivery"}:
            return None
        names, modes = branch["watchlist"], branch["delivery"]
        if not isinstance(names, list) or not all(isinstance(name, str) for name in names):
            return None
        if not isinstance(modes, list) or not set(modes) <= set(Delivery):
            return None
        for mode in modes:
            interest = interest | Interest.of(Delivery(mode), names)
    return interest


def _branch(names: frozenset[str], deliveries: list[Delivery]) -> dict[str, Any]:
    return {"watchlist": sorted(names), "delivery": [str(mode) for mode in deliveries]}
