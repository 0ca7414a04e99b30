"""newswatch subscribe | unsubscribe | subscriptions: who receives which watchlists' alerts.

Each subscriber is one SNS subscription on the alert topic whose filter policy names the
watchlists it wants and how: instantly, or only as each watchlist's digest (--digest).
Subscribing an address again adds the watchlists to its subscription. Watchlists named in the
watchlists file's `notify:` are subscribed by `newswatch watchlists push`; the two combine.

  newswatch subscribe --watchlist nk-russia --email analyst@example.com
  newswatch subscribe --watchlist nk-russia --watchlist us-sanctions --sms +447700900123
  newswatch subscribe --watchlist nk-russia --digest --email editor@example.com
  newswatch unsubscribe analyst@example.com
  newswatch subscriptions
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence

from newswatch.aws.sns_subscriptions import TopicSubscription, TopicSubscriptions
from newswatch.stack import Stack, add_stack_arguments, stack_from_args
from newswatch.subscriptions import Delivery, Interest, Protocol, SubscriptionError, endpoint
from newswatch.subscriptions.endpoints import shown


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``subscribe``, ``unsubscribe`` and ``subscriptions``."""
    subscribe = subparsers.add_parser(
        "subscribe",
        help="subscribe an email address, phone, queue or URL to watchlists",
        description=__doc__,
    )
    subscribe.add_argument(
        "--watchlist",
        metavar="NAME",
        action="append",
        required=True,
        help="a pushed watchlist to receive (repeatable)",
    )
    target = subscribe.add_mutually_exclusive_group(required=True)
    target.add_argument("--email", metavar="ADDRESS", help="an email address")
    target.add_argument("--sms", metavar="+E164", help="a phone number in E.164 form")
    target.add_argument("--sqs", metavar="QUEUE_ARN", help="a standard SQS queue's ARN")
    target.add_argument("--https", metavar="URL", help="an HTTPS endpoint")
    subscribe.add_argument(
        "--digest", action="store_true", help="receive only the watchlists' digests"
    )
    add_stack_arguments(subscribe)
    subscribe.set_defaults(handler=run_subscribe)

    unsubscribe = subparsers.add_parser(
        "unsubscribe",
        help="remove a subscription newswatch made",
        description="Remove a subscription newswatch made, by its ARN or its endpoint.",
    )
    unsubscribe.add_argument("target", metavar="SUBSCRIPTION_ARN_OR_ENDPOINT")
    add_stack_arguments(unsubscribe)
    unsubscribe.set_defaults(handler=run_unsubscribe)

    listing = subparsers.add_parser(
        "subscriptions",
        help="list the alert topic's subscriptions",
        description="Every subscription of the alert topic: endpoint, protocol, watchlists, "
        "instant or digest, and confirmation state; also those newswatch did not make.",
    )
    listing.add_argument("--json", action="store_true", help="one JSON object per line")
    add_stack_arguments(listing)
    listing.set_defaults(handler=run_list)


def topic_subscriptions(stack: Stack) -> TopicSubscriptions:
    return TopicSubscriptions(
        stack.sns(), stack.dynamodb(), topic_arn=stack.topic_arn, table_name=stack.table
    )


def run_subscribe(args: argparse.Namespace) -> int:
    protocol, address = next(
        (protocol, getattr(args, str(protocol)))
        for protocol in Protocol
        if getattr(args, str(protocol)) is not None
    )
    target = endpoint(protocol, address)  # refuses a malformed address before any AWS call
    stack = stack_from_args(args)
    _check_known(args.watchlist, stack.watchlist_store().names())
    delivery = Delivery.DIGEST if args.digest else Delivery.INSTANT
    subscriptions = topic_subscriptions(stack)
    result = subscriptions.subscribe(target, Interest.of(delivery, args.watchlist))
    verb = "subscribed" if result.created else "updated"
    print(f"{verb} {shown(target.address)} ({target.protocol}): {result.interest.describe()}")
    print(f"    {result.arn}")
    if result.pending:
        print(
            "    SNS sent a confirmation request; nothing is delivered until it is confirmed, "
            "and SNS deletes the subscription if it is not confirmed within 48 hours"
        )
    if target.protocol is Protocol.SMS:
        limit = subscriptions.sms_spend_limit()
        spend = f"${limit} a month" if limit else "the account default ($1.00 a month)"
        print(
            f"    SMS: SNS stops sending texts for the month at the spend limit, {spend}; an "
            "account in the SMS sandbox texts only verified numbers (docs/subscriptions.md)"
        )
    return 0


def run_unsubscribe(args: argparse.Namespace) -> int:
    removed = topic_subscriptions(stack_from_args(args)).unsubscribe(args.target)
    print(f"unsubscribed {shown(removed.endpoint.address)} ({removed.endpoint.protocol})")
    if removed.from_file:
        print(
            f"    the watchlists file names it ({removed.from_file.describe()}): the next "
            "`newswatch watchlists push` subscribes it again unless you remove it there"
        )
    return 0


def run_list(args: argparse.Namespace) -> int:
    listing = topic_subscriptions(stack_from_args(args)).listing()
    if args.json:
        for subscription in listing:
            print(json.dumps(subscription.to_dict(), ensure_ascii=False))
        return 0
    if not listing:
        print("no subscriptions on the alert topic")
    for subscription in listing:
        print(_line(subscription))
    return 0


def _line(subscription: TopicSubscription) -> str:
    if subscription.interest is not None:
        receives = subscription.interest.describe()
    elif subscription.policy is None:
        receives = "every alert (no filter policy)"
    else:
        receives = f"filter policy {json.dumps(subscription.policy)[:120]}"
    owner = (
        f"newswatch ({', '.join(subscription.origins)})"
        if subscription.managed
        else "not newswatch's"
    )
    return (
        f"{shown(subscription.endpoint)}  {subscription.protocol}  {subscription.state}  "
        f"[{owner}]\n    {receives}"
    )


def _check_known(requested: Sequence[str], pushed: Sequence[str]) -> None:
    if not pushed:
        raise SubscriptionError(
            "no watchlists have been pushed to this stack: push them first "
            "(newswatch watchlists push FILE)"
        )
    unknown = sorted(set(requested) - set(pushed))
    if unknown:
        raise SubscriptionError(
            f"no pushed watchlist named {', '.join(unknown)} (the stack has "
            f"{len(pushed)}: {', '.join(pushed[:10])}{', ...' if len(pushed) > 10 else ''})"
        )
