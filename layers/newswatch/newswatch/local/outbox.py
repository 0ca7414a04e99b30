"""What each subscriber of the local alert topic would receive, written under ``outbox/``.

moto delivers nothing to email or SMS subscribers, but it keeps every message published to a
topic, and the local stack's server lists them (:mod:`newswatch.local.server`). This module
applies each subscription's filter policy to each message, as SNS would, and writes the text of
the subscriber's protocol (email, SMS, or the JSON ``default``) to ``outbox/<endpoint>/``: a
user can read their inbox. Only the policy forms newswatch writes are understood (exact
strings, any of a list, ``$or`` of such, matched against a String or a String.Array attribute),
which is all the local topic holds.
"""

from __future__ import annotations

import json
import re
import urllib.parse
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from newswatch.local.server import SENT_NOTIFICATIONS_PATH
from newswatch.untrusted import clean_line

_UNSAFE_FILENAME = re.compile(r"[^A-Za-z0-9@+.-]+")


@dataclass(frozen=True, slots=True)
class DeliveredAlert:
    """One message as one subscriber received it."""

    message_id: str
    recipient: str
    protocol: str
    kind: str
    article_id: str | None
    subject: str
    text: str
    path: Path


@dataclass(frozen=True, slots=True)
class Subscriber:
    protocol: str
    endpoint: str
    filter_policy: Mapping[str, Any] | None


class Outbox:
    """Collects the alert topic's new messages from the moto server and writes each
    subscriber's copy."""

    def __init__(
        self,
        endpoint_url: str,
        topic_arn: str,
        directory: Path,
        sns: Any,
    ) -> None:
        self._sent_url = (
            f"{endpoint_url.rstrip('/')}{SENT_NOTIFICATIONS_PATH}?"
            + urllib.parse.urlencode({"topic": topic_arn})
        )
        self._topic_arn = topic_arn
        self._directory = directory
        self._sns = sns
        self._seen: set[str] = set()

    def skip_published(self) -> None:
        """Treat every message published so far as collected (another process wrote them)."""
        self._seen.update(sent[0] for sent in self._published())

    def collect(self) -> list[DeliveredAlert]:
        """The deliveries of the messages published since the last call."""
        new = [sent for sent in self._published() if sent[0] not in self._seen]
        if not new:
            return []
        subscribers = self._subscribers()
        delivered = []
        for message_id, message, subject, attributes in new:
            self._seen.add(message_id)
            values = _attribute_values(attributes or {})
            for subscriber in subscribers:
                if accepts(subscriber.filter_policy, values):
                    delivered.append(
                        self._write(subscriber, message_id, message, subject or "", values)
                    )
        return delivered

    def _published(self) -> list[tuple[str, str, str | None, dict[str, Any] | None]]:
        # Local-only URL of the local stack's server (http://127.0.0.1:PORT).
        with urllib.request.urlopen(self._sent_url, timeout=10) as response:  # noqa: S310
            return [tuple(sent) for sent in json.load(response)]

    def _subscribers(self) -> list[Subscriber]:
        subscribers = []
        paginator = self._sns.get_paginator("list_subscriptions_by_topic")
        for page in paginator.paginate(TopicArn=self._topic_arn):
            for subscription in page.get("Subscriptions", []):
                attributes = self._sns.get_subscription_attributes(
                    SubscriptionArn=subscription["SubscriptionArn"]
                ).get("Attributes", {})
                policy = attributes.get("FilterPolicy")
                subscribers.append(
                    Subscriber(
                        protocol=subscription["Protocol"],
                        endpoint=subscription["Endpoint"],
                        filter_policy=json.loads(policy) if policy else None,
                    )
                )
        return subscribers

    def _write(
        self,
        subscriber: Subscriber,
        message_id: str,
        message: str,
        subject: str,
        attributes: Mapping[str, list[str]],
    ) -> DeliveredAlert:
        try:
            texts = json.loads(message)
        except json.JSONDecodeError:
            texts = {"default": message}
        if not isinstance(texts, dict):
            texts = {"default": message}
        protocol = subscriber.protocol
        text = str(texts.get(protocol, texts.get("default", "")))
        kind = (attributes.get("kind") or ["alert"])[0]
        article_id = _article_id(str(texts.get("default", "")))
        folder = self._directory / _UNSAFE_FILENAME.sub("_", subscriber.endpoint.split(":")[-1])
        folder.mkdir(parents=True, exist_ok=True)
        suffix = {"email": "email.txt", "sms": "sms.txt"}.get(protocol, "json")
        # A message another process (`newswatch local digest`) wrote already is not written
        # twice.
        written = sorted(folder.glob(f"*-{kind}-{message_id[:8]}.{suffix}"))
        if written:
            path = written[0]
        else:
            number = len(list(folder.iterdir())) + 1
            path = folder / f"{number:04d}-{kind}-{message_id[:8]}.{suffix}"
            body = f"Subject: {subject}\n\n{text}\n" if protocol == "email" else f"{text}\n"
            path.write_text(body, encoding="utf-8")
        return DeliveredAlert(
            message_id=message_id,
            recipient=subscriber.endpoint,
            protocol=protocol,
            kind=kind,
            article_id=article_id,
            subject=clean_line(subject),
            text=text,
            path=path,
        )


def accepts(policy: Mapping[str, Any] | None, attributes: Mapping[str, list[str]]) -> bool:
    """Whether an SNS filter policy (MessageAttributes scope) lets a message through: every
    key of the policy must name an attribute with one of its values, and one branch of an
    ``$or`` must hold (an address subscribed to some watchlists instantly and to others as a
    digest has one policy with a branch for each)."""
    if not policy:
        return True
    for name, allowed in policy.items():
        if name == "$or":
            if not any(accepts(branch, attributes) for branch in allowed):
                return False
            continue
        wanted = {str(value) for value in allowed if not isinstance(value, dict)}
        if not wanted & set(attributes.get(name, ())):
            return False
    return True


def _attribute_values(attributes: Mapping[str, Any]) -> dict[str, list[str]]:
    """moto keeps message attributes as ``{"Type": ..., "Value": ...}``; a String.Array's value
    is a JSON list."""
    values: dict[str, list[str]] = {}
    for name, attribute in attributes.items():
        raw = str(attribute.get("Value", ""))
        if attribute.get("Type") == "String.Array":
            try:
                values[name] = [str(v) for v in json.loads(raw)]
            except (json.JSONDecodeError, TypeError):
                values[name] = []
        else:
            values[name] = [raw]
    return values


def _article_id(default: str) -> str | None:
    try:
        data = json.loads(default)
    except json.JSONDecodeError:
        return None
    article = data.get("article") if isinstance(data, dict) else None
    return str(article["id"]) if isinstance(article, dict) and "id" in article else None
