"""Subscriber endpoints, their filter policies and the reconcile plan, in memory."""

from __future__ import annotations

import pytest
from newswatch.subscriptions import (
    Action,
    Delivery,
    Interest,
    Managed,
    SubscriptionError,
    desired_from_notify,
    endpoint,
    filter_policy,
    guess_endpoint,
    interest_of,
    plan_reconcile,
)
from newswatch.subscriptions.endpoints import Endpoint, Protocol, email, https, shown, sms, sqs
from newswatch.subscriptions.policy import combinations

QUEUE_ARN = "arn:aws:sqs:eu-west-2:123456789012:alerts_queue-1"


def test_valid_endpoints_are_normalised() -> None:
    assert email(" Analyst@Example.COM ") == Endpoint(Protocol.EMAIL, "analyst@example.com")
    assert sms("+447700900123").address == "+447700900123"
    assert sqs(QUEUE_ARN).address == QUEUE_ARN
    assert https("https://hooks.example.com/newswatch?x=1").protocol is Protocol.HTTPS
    assert endpoint("sms", "+12025550143") == sms("+12025550143")


@pytest.mark.parametrize(
    ("make", "address", "says"),
    [
        (email, "analyst.example.com", "has no '@'"),
        (email, "analyst@example", "not a domain name"),
        (email, "ana lyst@example.com", "part before '@'"),
        (email, "analyst..x@example.com", "part before '@'"),
        (email, "analyst@-example.com", "not a domain name"),
        (email, "a" * 250 + "@example.com", "longer than 254"),
        (sms, "07700 900123", "not an E.164 phone number"),
        (sms, "+44 7700 900123", "not an E.164 phone number"),
        (sms, "+4477009001234567", "not an E.164 phone number"),
        (sms, "+0447700900123", "not an E.164 phone number"),
        (sqs, "arn:aws:sqs:us-east-1:1234:queue", "not an SQS queue ARN"),
        (sqs, "arn:aws:sns:us-east-1:123456789012:topic", "not an SQS queue ARN"),
        (sqs, "https://sqs.us-east-1.amazonaws.com/123456789012/q", "that is a queue URL"),
        (sqs, "arn:aws:sqs:us-east-1:123456789012:orders.fifo", "FIFO queue"),
        (https, "http://hooks.example.com/x", "not an HTTPS URL"),
        (https, "https:///nohost", "not an HTTPS URL"),
        (https, "https://example.com/a\nb", "control characters"),
    ],
)
def test_bad_endpoints_are_refused_with_what_was_expected(
    make: object, address: str, says: str
) -> None:
    with pytest.raises(SubscriptionError, match=says):
        make(address)  # type: ignore[operator]


def test_an_endpoint_is_recognised_from_its_text() -> None:
    assert guess_endpoint("+447700900123").protocol is Protocol.SMS
    assert guess_endpoint(QUEUE_ARN).protocol is Protocol.SQS
    assert guess_endpoint("https://example.com/h").protocol is Protocol.HTTPS
    assert guess_endpoint("a@example.com").protocol is Protocol.EMAIL
    with pytest.raises(SubscriptionError, match="neither a subscription ARN nor an endpoint"):
        guess_endpoint("analyst")


def test_a_password_in_an_https_endpoint_is_not_shown() -> None:
    assert shown("https://user:secret@example.com/h") == "https://user:****@example.com/h"
    assert shown("a@example.com") == "a@example.com"


def test_filter_policy_follows_the_shared_contract() -> None:
    assert filter_policy(Interest.of(Delivery.INSTANT, ["b", "a"])) == {
        "watchlist": ["a", "b"],
        "delivery": ["instant"],
    }
    assert filter_policy(Interest.of(Delivery.DIGEST, ["a"])) == {
        "watchlist": ["a"],
        "delivery": ["digest"],
    }
    both = Interest(frozenset({"a"}), frozenset({"a"}))
    assert filter_policy(both) == {"watchlist": ["a"], "delivery": ["digest", "instant"]}


def test_mixed_delivery_modes_are_one_policy_with_an_or_branch_each() -> None:
    mixed = Interest(frozenset({"a", "b"}), frozenset({"c"}))
    policy = filter_policy(mixed)
    assert policy == {
        "$or": [
            {"watchlist": ["a", "b"], "delivery": ["instant"]},
            {"watchlist": ["c"], "delivery": ["digest"]},
        ]
    }
    assert combinations(policy) == 3
    assert interest_of(policy) == mixed


def test_a_policy_over_150_combinations_is_refused_before_sns_sees_it() -> None:
    assert combinations(filter_policy(Interest.of(Delivery.INSTANT, map(str, range(150))))) == 150
    with pytest.raises(SubscriptionError, match="151 value combinations; SNS allows at most 150"):
        filter_policy(Interest.of(Delivery.INSTANT, map(str, range(151))))
    with pytest.raises(SubscriptionError, match="152 value combinations"):
        filter_policy(Interest(frozenset(map(str, range(76))), frozenset(map(str, range(76)))))


def test_policies_newswatch_does_not_write_are_not_read_as_interests() -> None:
    assert interest_of(None) is None
    assert interest_of({"watchlist": ["a"]}) is None
    assert interest_of({"watchlist": ["a"], "delivery": ["weekly"]}) is None
    assert interest_of({"kind": ["alert"], "delivery": ["instant"]}) is None


ANALYST = email("analyst@example.com")
EDITOR = email("editor@example.com")
PHONE = sms("+447700900123")
NOTHING = Interest()


def test_an_address_named_by_several_watchlists_is_one_subscription() -> None:
    desired = desired_from_notify(
        {
            "nk-russia": {"email": ["analyst@example.com"], "digest": ["editor@example.com"]},
            "us-sanctions": {"email": ["Analyst@EXAMPLE.com"], "sms": ["+447700900123"]},
            "quiet": {},
        }
    )
    assert desired == {
        ANALYST: Interest.of(Delivery.INSTANT, ["nk-russia", "us-sanctions"]),
        EDITOR: Interest.of(Delivery.DIGEST, ["nk-russia"]),
        PHONE: Interest.of(Delivery.INSTANT, ["us-sanctions"]),
    }


def managed(
    target: Endpoint,
    from_file: Interest,
    from_cli: Interest = NOTHING,
    arn: str | None = "arn:aws:sns:us-east-1:123456789012:t:1",
) -> Managed:
    return Managed(target, arn, from_file, from_cli, filter_policy(from_file | from_cli))


def test_plan_creates_updates_removes_and_leaves_foreign_and_unchanged_alone() -> None:
    instant_a = Interest.of(Delivery.INSTANT, ["a"])
    outsider = email("ops@example.com")
    plan = plan_reconcile(
        {
            ANALYST: instant_a,
            EDITOR: Interest.of(Delivery.DIGEST, ["a", "b"]),
            PHONE: instant_a,
            outsider: instant_a,
        },
        [
            managed(ANALYST, instant_a),
            managed(EDITOR, Interest.of(Delivery.DIGEST, ["a"])),
            managed(email("gone@example.com"), instant_a),
        ],
        foreign={outsider},
        known={"a", "b"},
        filter_policies_in_use=4,
    )
    actions = {change.endpoint: change.action for change in plan.changes}
    assert actions == {
        EDITOR: Action.UPDATE,
        email("gone@example.com"): Action.REMOVE,
        PHONE: Action.CREATE,
        outsider: Action.SKIP,
    }
    assert plan.unchanged == 1
    assert plan.filter_policies_after == 4
    text = "\n".join(plan.lines())
    assert "1 to create, 1 to update, 1 to remove, 1 unchanged, 1 skipped" in text
    assert "~ editor@example.com (email): digest: a -> digest: a, b" in text
    assert "! ops@example.com (email)" in text and "outside newswatch" in text


def test_plan_keeps_subscribe_additions_but_drops_watchlists_the_file_removed() -> None:
    plan = plan_reconcile(
        {},
        [
            managed(
                ANALYST,
                Interest.of(Delivery.INSTANT, ["a"]),
                Interest.of(Delivery.DIGEST, ["b", "old"]),
            ),
            managed(EDITOR, Interest(), Interest.of(Delivery.INSTANT, ["old"])),
        ],
        foreign=set(),
        known={"a", "b"},
        filter_policies_in_use=2,
    )
    by_endpoint = {change.endpoint: change for change in plan.changes}
    assert by_endpoint[ANALYST].action is Action.UPDATE
    assert by_endpoint[ANALYST].after == Interest.of(Delivery.DIGEST, ["b"])
    assert by_endpoint[EDITOR].action is Action.REMOVE


def test_a_recorded_subscription_sns_lost_is_created_again_or_forgotten() -> None:
    instant_a = Interest.of(Delivery.INSTANT, ["a"])
    plan = plan_reconcile(
        {ANALYST: instant_a},
        [managed(ANALYST, instant_a, arn=None), managed(EDITOR, instant_a, arn=None)],
        foreign=set(),
        known={"a"},
        filter_policies_in_use=0,
    )
    by_endpoint = {change.endpoint: change.action for change in plan.changes}
    assert by_endpoint == {ANALYST: Action.CREATE, EDITOR: Action.REMOVE}
    assert plan.filter_policies_after == 1


def test_plan_updates_a_policy_changed_by_hand() -> None:
    instant_a = Interest.of(Delivery.INSTANT, ["a"])
    tampered = Managed(ANALYST, "arn:x", instant_a, Interest(), {"watchlist": ["z"]})
    plan = plan_reconcile(
        {ANALYST: instant_a}, [tampered], foreign=set(), known={"a"}, filter_policies_in_use=1
    )
    assert [change.action for change in plan.changes] == [Action.UPDATE]


def test_plan_refuses_every_policy_sns_would_refuse_before_changing_anything() -> None:
    many = Interest.of(Delivery.INSTANT, map(str, range(151)))
    with pytest.raises(SubscriptionError) as raised:
        plan_reconcile(
            {ANALYST: many, EDITOR: many},
            [],
            foreign=set(),
            known=set(map(str, range(151))),
            filter_policies_in_use=0,
        )
    assert "analyst@example.com" in str(raised.value) and "editor@example.com" in str(raised.value)


def test_plan_warns_beyond_the_default_filter_policy_quota() -> None:
    desired = {email(f"u{n}@example.com"): Interest.of(Delivery.INSTANT, ["a"]) for n in range(3)}
    plan = plan_reconcile(desired, [], foreign=set(), known={"a"}, filter_policies_in_use=199)
    assert plan.filter_policies_after == 202
    assert "warning: 202 filter policies exceed SNS's default quota of 200" in "\n".join(
        plan.lines()
    )
