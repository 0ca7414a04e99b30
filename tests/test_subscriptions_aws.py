"""Subscriptions on the alert topic against moto: the commands, push's reconcile, delivery."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from ingest_env import IngestEnv, env_fixture  # noqa: F401
from newswatch.aws.sns_subscriptions import SUBSCRIPTIONS_PK, TopicSubscriptions
from newswatch.cli import main
from newswatch.subscriptions import Delivery, Interest, SubscriptionError
from newswatch.subscriptions.endpoints import email, sqs
from test_cli_rejections import deploy_outputs

STACK = ["--stack", "newswatch-test"]
WATCHLISTS = {
    "watchlists": [
        {"name": "nk-russia", "all": ["North Korea", "Russia"]},
        {"name": "us-sanctions", "all": ["sanctions"]},
        {"name": "storms", "any": ["storm warning"]},
    ]
}


@pytest.fixture
def stack(env: IngestEnv) -> IngestEnv:
    """The env deployed as a stack, with the three watchlists pushed."""
    deploy_outputs(env)
    env.push_watchlists(WATCHLISTS)
    return env


def topic(env: IngestEnv) -> TopicSubscriptions:
    return TopicSubscriptions(
        env.sns, env.dynamodb, topic_arn=env.settings.topic_arn, table_name=env.settings.table_name
    )


def sns_subscriptions(env: IngestEnv) -> dict[str, dict[str, Any]]:
    """Endpoint -> attributes of every subscription SNS has on the topic."""
    listed = env.sns.list_subscriptions_by_topic(TopicArn=env.settings.topic_arn)["Subscriptions"]
    return {
        entry["Endpoint"]: env.sns.get_subscription_attributes(
            SubscriptionArn=entry["SubscriptionArn"]
        )["Attributes"]
        for entry in listed
    }


def policy_of(env: IngestEnv, address: str) -> Any:
    return json.loads(sns_subscriptions(env)[address]["FilterPolicy"])


def listing(capsys: pytest.CaptureFixture[str]) -> dict[str, dict[str, Any]]:
    assert main(["subscriptions", "--json", *STACK]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    return {row["endpoint"]: row for row in rows}


def write(tmp_path: Path, notify: dict[str, dict[str, Any]]) -> Path:
    document = {
        "watchlists": [
            {**entry, **({"notify": notify[entry["name"]]} if entry["name"] in notify else {})}
            for entry in WATCHLISTS["watchlists"]
        ]
    }
    path = tmp_path / "watchlists.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


def test_subscribe_creates_a_filtered_subscription_and_lists_it(
    stack: IngestEnv, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["subscribe", "--watchlist", "nk-russia", "--email", "Analyst@Example.com", *STACK])
    assert code == 0
    assert "subscribed analyst@example.com (email): instant: nk-russia" in capsys.readouterr().out
    attributes = sns_subscriptions(stack)["analyst@example.com"]
    assert attributes["FilterPolicyScope"] == "MessageAttributes"
    assert json.loads(attributes["FilterPolicy"]) == {
        "watchlist": ["nk-russia"],
        "delivery": ["instant"],
    }

    rows = listing(capsys)
    assert rows["analyst@example.com"] | {"subscription_arn": None} == {
        "endpoint": "analyst@example.com",
        "protocol": "email",
        "subscription_arn": None,
        "state": "confirmed",  # moto confirms at once; SNS would say "pending confirmation"
        "managed_by_newswatch": True,
        "origins": ["subscribe"],
        "instant": ["nk-russia"],
        "digest": [],
        "filter_policy": {"watchlist": ["nk-russia"], "delivery": ["instant"]},
    }
    # The env's own queue subscription is listed too, as someone else's that gets everything.
    (foreign,) = [row for row in rows.values() if not row["managed_by_newswatch"]]
    assert foreign["protocol"] == "sqs" and foreign["filter_policy"] is None

    assert main(["subscriptions", *STACK]) == 0
    text = capsys.readouterr().out
    assert "analyst@example.com  email  confirmed  [newswatch (subscribe)]" in text
    assert "every alert (no filter policy)" in text


def test_subscribing_again_adds_watchlists_and_a_digest_to_the_one_subscription(
    stack: IngestEnv, capsys: pytest.CaptureFixture[str]
) -> None:
    main(["subscribe", "--watchlist", "nk-russia", "--email", "a@example.com", *STACK])
    main(["subscribe", "--watchlist", "storms", "--watchlist", "us-sanctions", "--email",
          "a@example.com", *STACK])  # fmt: skip
    main(["subscribe", "--watchlist", "storms", "--digest", "--email", "a@example.com", *STACK])
    assert "updated a@example.com" in capsys.readouterr().out
    assert len([e for e in sns_subscriptions(stack) if e == "a@example.com"]) == 1
    assert policy_of(stack, "a@example.com") == {
        "$or": [
            {"watchlist": ["nk-russia", "storms", "us-sanctions"], "delivery": ["instant"]},
            {"watchlist": ["storms"], "delivery": ["digest"]},
        ]
    }


@pytest.mark.parametrize(
    ("arguments", "says"),
    [
        (["--watchlist", "nk-russia", "--email", "analyst"], "is not an email address"),
        (["--watchlist", "nk-russia", "--sms", "07700900123"], "not an E.164 phone number"),
        (["--watchlist", "nk-russia", "--sqs", "arn:aws:sqs:nowhere"], "not an SQS queue ARN"),
        (["--watchlist", "nk-russia", "--https", "http://x.example"], "not an HTTPS URL"),
        (
            ["--watchlist", "nk-russa", "--email", "a@example.com"],
            "no pushed watchlist named nk-russa",
        ),
    ],
)
def test_subscribe_refuses_bad_input_and_subscribes_nothing(
    stack: IngestEnv, capsys: pytest.CaptureFixture[str], arguments: list[str], says: str
) -> None:
    before = sns_subscriptions(stack)
    assert main(["subscribe", *arguments, *STACK]) == 2
    assert says in capsys.readouterr().err
    assert sns_subscriptions(stack) == before


def test_subscribe_before_any_push_says_to_push(
    env: IngestEnv, capsys: pytest.CaptureFixture[str]
) -> None:
    deploy_outputs(env)
    assert main(["subscribe", "--watchlist", "x", "--email", "a@example.com", *STACK]) == 2
    assert "no watchlists have been pushed" in capsys.readouterr().err


def test_subscribe_leaves_an_endpoint_subscribed_outside_newswatch_alone(
    stack: IngestEnv, capsys: pytest.CaptureFixture[str]
) -> None:
    queue_arn = stack.sqs.get_queue_attributes(
        QueueUrl=stack.alerts_queue_url, AttributeNames=["QueueArn"]
    )["Attributes"]["QueueArn"]
    assert main(["subscribe", "--watchlist", "storms", "--sqs", queue_arn, *STACK]) == 2
    assert "outside newswatch" in capsys.readouterr().err
    assert "FilterPolicy" not in sns_subscriptions(stack)[queue_arn]
    assert main(["unsubscribe", queue_arn, *STACK]) == 2
    assert "not subscribed by newswatch" in capsys.readouterr().err
    assert queue_arn in sns_subscriptions(stack)


def test_unsubscribe_by_endpoint_or_arn_removes_subscription_and_record(
    stack: IngestEnv, capsys: pytest.CaptureFixture[str]
) -> None:
    main(["subscribe", "--watchlist", "storms", "--sms", "+447700900123", *STACK])
    main(["subscribe", "--watchlist", "storms", "--email", "b@example.com", *STACK])
    assert "spend limit" in capsys.readouterr().out
    arn = sns_subscriptions(stack)["b@example.com"]["SubscriptionArn"]

    assert main(["unsubscribe", "+447700900123", *STACK]) == 0
    assert main(["unsubscribe", arn, *STACK]) == 0
    out = capsys.readouterr().out
    assert "unsubscribed +447700900123 (sms)" in out and "unsubscribed b@example.com" in out
    assert set(sns_subscriptions(stack)) == {"arn:aws:sqs:us-east-1:123456789012:alert-subscriber"}
    assert [item for item in stack.items() if item["PK"]["S"] == SUBSCRIPTIONS_PK] == []

    assert main(["unsubscribe", "b@example.com", *STACK]) == 2
    assert "no subscription for b@example.com" in capsys.readouterr().err


def test_push_reconciles_subscriptions_with_the_file(
    stack: IngestEnv, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    first = write(
        tmp_path,
        {
            "nk-russia": {"email": ["analyst@example.com"], "digest": ["editor@example.com"]},
            "us-sanctions": {"email": ["analyst@example.com"], "sms": ["+447700900123"]},
        },
    )
    assert main(["watchlists", "push", str(first), *STACK]) == 0
    out = capsys.readouterr().out
    assert "subscriptions: 3 to create, 0 to update, 0 to remove, 0 unchanged" in out
    assert policy_of(stack, "analyst@example.com") == {
        "watchlist": ["nk-russia", "us-sanctions"],
        "delivery": ["instant"],
    }
    assert policy_of(stack, "editor@example.com") == {
        "watchlist": ["nk-russia"],
        "delivery": ["digest"],
    }
    assert policy_of(stack, "+447700900123") == {
        "watchlist": ["us-sanctions"],
        "delivery": ["instant"],
    }

    # Pushing the same file changes nothing.
    assert main(["watchlists", "push", str(first), *STACK]) == 0
    assert "0 to create, 0 to update, 0 to remove, 3 unchanged" in capsys.readouterr().out

    second = write(
        tmp_path,
        {"nk-russia": {"email": ["analyst@example.com"], "digest": ["editor@example.com"]},
         "storms": {"digest": ["editor@example.com"]}},
    )  # fmt: skip
    assert main(["watchlists", "push", str(second), *STACK]) == 0
    out = capsys.readouterr().out
    assert "0 to create, 2 to update, 1 to remove, 0 unchanged" in out
    assert "- +447700900123 (sms): instant: us-sanctions (no longer named)" in out
    subscribed = sns_subscriptions(stack)
    assert "+447700900123" not in subscribed
    assert policy_of(stack, "editor@example.com")["watchlist"] == ["nk-russia", "storms"]
    assert policy_of(stack, "analyst@example.com")["watchlist"] == ["nk-russia"]
    # The queue subscribed outside newswatch is there and unfiltered throughout.
    assert "FilterPolicy" not in subscribed["arn:aws:sqs:us-east-1:123456789012:alert-subscriber"]


def test_push_dry_run_prints_the_plan_and_changes_nothing(
    stack: IngestEnv, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    version_before = stack.watchlist_store().current()
    before_items = stack.items()
    before = sns_subscriptions(stack)
    path = write(tmp_path, {"storms": {"email": ["analyst@example.com"]}})
    assert main(["watchlists", "push", str(path), "--dry-run", *STACK]) == 0
    out = capsys.readouterr().out
    assert "(dry run)" in out
    assert "+ analyst@example.com (email): instant: storms" in out
    assert sns_subscriptions(stack) == before
    assert stack.items() == before_items
    assert version_before is not None
    assert stack.watchlist_store().current().version == version_before.version  # type: ignore[union-attr]


def test_push_keeps_subscribe_additions_and_skips_foreign_endpoints(
    stack: IngestEnv, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    main(["subscribe", "--watchlist", "storms", "--email", "analyst@example.com", *STACK])
    # As the template's AlertEmail parameter does: subscribed to everything, by CloudFormation.
    stack.sns.subscribe(
        TopicArn=stack.settings.topic_arn, Protocol="email", Endpoint="ops@example.com"
    )
    path = write(tmp_path, {"nk-russia": {"email": ["analyst@example.com", "ops@example.com"]}})
    assert main(["watchlists", "push", str(path), *STACK]) == 0
    out = capsys.readouterr().out
    assert "! ops@example.com (email): instant: nk-russia: skipped" in out
    assert policy_of(stack, "analyst@example.com")["watchlist"] == ["nk-russia", "storms"]
    assert "FilterPolicy" not in sns_subscriptions(stack)["ops@example.com"]

    # The file no longer names the analyst: the watchlist `subscribe` added stays.
    assert main(["watchlists", "push", str(write(tmp_path, {})), *STACK]) == 0
    assert policy_of(stack, "analyst@example.com")["watchlist"] == ["storms"]
    assert "ops@example.com" in sns_subscriptions(stack)


def test_push_refuses_a_file_whose_subscriptions_sns_would_refuse(
    stack: IngestEnv, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    main(["subscribe", "--watchlist", "storms", "--email", "a@example.com", *STACK])
    names = [f"w{n}" for n in range(150)]
    document = {
        "watchlists": [
            {"name": name, "all": ["x"], "notify": {"email": ["a@example.com"]}} for name in names
        ]
        + [{"name": "storms", "all": ["y"]}]
    }
    path = tmp_path / "big.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    before = stack.watchlist_store().current()
    capsys.readouterr()
    assert main(["watchlists", "push", str(path), *STACK]) == 2
    assert "151 value combinations; SNS allows at most 150" in capsys.readouterr().err
    assert stack.watchlist_store().current().version == before.version  # type: ignore[union-attr]


def test_a_subscription_sns_lost_is_created_again_by_push(
    stack: IngestEnv, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path, {"storms": {"email": ["analyst@example.com"]}})
    main(["watchlists", "push", str(path), *STACK])
    arn = sns_subscriptions(stack)["analyst@example.com"]["SubscriptionArn"]
    stack.sns.unsubscribe(SubscriptionArn=arn)  # as SNS does with one never confirmed
    assert main(["subscriptions", *STACK]) == 0
    assert "gone from SNS" in capsys.readouterr().out
    assert main(["watchlists", "push", str(path), *STACK]) == 0
    assert "1 to create" in capsys.readouterr().out
    assert "analyst@example.com" in sns_subscriptions(stack)


def test_string_array_watchlist_attribute_reaches_only_matching_subscribers(
    stack: IngestEnv,
) -> None:
    """moto implements String.Array matching for MessageAttributes filter policies: a message
    for [nk-russia, storms] reaches a queue filtered on storms, not one on us-sanctions."""
    queues = {}
    for name, watchlist in (("wants-storms", "storms"), ("wants-sanctions", "us-sanctions")):
        url = stack.sqs.create_queue(QueueName=name)["QueueUrl"]
        arn = stack.sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])[
            "Attributes"
        ]["QueueArn"]
        topic(stack).subscribe(sqs(arn), Interest.of(Delivery.INSTANT, [watchlist]))
        queues[name] = url
    digest_url = stack.sqs.create_queue(QueueName="wants-digest")["QueueUrl"]
    digest_arn = stack.sqs.get_queue_attributes(QueueUrl=digest_url, AttributeNames=["QueueArn"])[
        "Attributes"
    ]["QueueArn"]
    topic(stack).subscribe(sqs(digest_arn), Interest.of(Delivery.DIGEST, ["storms"]))

    stack.sns.publish(
        TopicArn=stack.settings.topic_arn,
        Message="alert",
        MessageAttributes={
            "watchlist": {"DataType": "String.Array", "StringValue": '["nk-russia", "storms"]'},
            "delivery": {"DataType": "String", "StringValue": "instant"},
            "kind": {"DataType": "String", "StringValue": "alert"},
        },
    )

    def received(url: str) -> int:
        return len(
            stack.sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])
        )

    assert received(queues["wants-storms"]) == 1
    assert received(queues["wants-sanctions"]) == 0
    assert received(digest_url) == 0


def test_topic_subscriptions_refuses_an_over_complex_subscribe(stack: IngestEnv) -> None:
    with pytest.raises(SubscriptionError, match="at most 150"):
        topic(stack).subscribe(
            email("a@example.com"), Interest.of(Delivery.INSTANT, map(str, range(151)))
        )
    assert "a@example.com" not in sns_subscriptions(stack)


def test_https_and_queue_subscribers_are_listed_without_the_url_password(
    stack: IngestEnv, capsys: pytest.CaptureFixture[str]
) -> None:
    url = "https://newswatch:s3cret@hooks.example.com/alerts"
    assert main(["subscribe", "--watchlist", "storms", "--https", url, *STACK]) == 0
    queue_url = stack.sqs.create_queue(QueueName="digests")["QueueUrl"]
    queue_arn = stack.sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])[
        "Attributes"
    ]["QueueArn"]
    assert main(["subscribe", "--watchlist", "storms", "--digest", "--sqs", queue_arn, *STACK]) == 0
    out = capsys.readouterr().out
    assert "s3cret" not in out and "https://newswatch:****@hooks.example.com/alerts" in out
    rows = listing(capsys)
    assert rows["https://newswatch:****@hooks.example.com/alerts"]["instant"] == ["storms"]
    assert rows[queue_arn]["digest"] == ["storms"] and rows[queue_arn]["instant"] == []
    assert main(["subscriptions", *STACK]) == 0
    assert "s3cret" not in capsys.readouterr().out
