"""The local inbox applies each subscription's filter policy as SNS would, including the
``$or`` policy of an address that takes some watchlists instantly and others as a digest."""

from __future__ import annotations

from newswatch.local.outbox import accepts
from newswatch.subscriptions import Interest, filter_policy

ALERT = {"watchlist": ["nk-russia", "korea"], "delivery": ["instant"], "kind": ["alert"]}
DIGEST = {"watchlist": ["storms"], "delivery": ["digest"], "kind": ["digest"]}


def test_an_instant_subscriber_gets_alerts_for_its_watchlists_only() -> None:
    policy = filter_policy(Interest(instant=frozenset({"korea"})))
    assert accepts(policy, ALERT)
    assert not accepts(policy, DIGEST)
    assert not accepts(filter_policy(Interest(instant=frozenset({"storms"}))), ALERT)


def test_a_mixed_subscriber_gets_each_watchlist_in_its_own_mode() -> None:
    policy = filter_policy(Interest(instant=frozenset({"nk-russia"}), digest=frozenset({"storms"})))
    assert "$or" in policy
    assert accepts(policy, ALERT) and accepts(policy, DIGEST)
    assert not accepts(policy, {**DIGEST, "watchlist": ["nk-russia"]})  # no digest of it


def test_a_subscription_without_a_policy_gets_everything() -> None:
    assert accepts(None, ALERT) and accepts({}, DIGEST)
