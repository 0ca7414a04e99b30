"""Where a subscriber receives alerts, checked before SNS is asked: an email address, an E.164
phone number, an SQS queue ARN or an HTTPS URL.

SNS itself accepts many malformed endpoints (an email address without a domain is only found out
when the confirmation bounces), so newswatch refuses them first and says what it expected.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from urllib.parse import urlsplit

from newswatch.errors import NewswatchError

MAX_EMAIL_LENGTH = 254  # RFC 5321 path limit
MAX_URL_LENGTH = 2048

_LOCAL_PART = re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*")
_DOMAIN_LABEL = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?")
_TOP_LEVEL = re.compile(r"[A-Za-z]{2,63}|xn--[A-Za-z0-9-]{1,59}")
# SNS's own pattern for SMS numbers is \+[0-9]{8,}; E.164 allows at most 15 digits.
_E164 = re.compile(r"\+[1-9][0-9]{7,14}")
_SQS_ARN = re.compile(
    r"arn:aws(?:-cn|-us-gov|-iso[a-z-]*)?:sqs:[a-z]{2}(?:-[a-z]+)+-[0-9]:[0-9]{12}:"
    r"(?P<queue>[A-Za-z0-9_-]{1,80}(?:\.fifo)?)"
)


class SubscriptionError(NewswatchError):
    """A subscription request that cannot be carried out; the message says why."""


class Protocol(StrEnum):
    """The SNS protocols newswatch subscribes (SNS's own names)."""

    EMAIL = "email"
    SMS = "sms"
    SQS = "sqs"
    HTTPS = "https"


@dataclass(frozen=True, slots=True, order=True)
class Endpoint:
    """A validated, normalised subscriber address and its protocol."""

    protocol: Protocol
    address: str

    def __str__(self) -> str:
        return f"{self.address} ({self.protocol})"


def email(address: str) -> Endpoint:
    """An email endpoint, lower-cased: mail systems treat addresses case-insensitively in
    practice, and one person written two ways must not get two subscriptions."""
    text = address.strip()
    local, at, domain = text.rpartition("@")
    if not at:
        raise SubscriptionError(f"{address!r} is not an email address: it has no '@'")
    if len(text) > MAX_EMAIL_LENGTH:
        raise SubscriptionError(
            f"{address[:40]!r}... is not an email address: "
            f"longer than {MAX_EMAIL_LENGTH} characters"
        )
    if len(local) > 64 or not _LOCAL_PART.fullmatch(local):
        raise SubscriptionError(
            f"{address!r} is not an email address: the part before '@' must be 1-64 letters, "
            "digits or .!#$%&'*+/=?^_`{|}~- (no spaces, no leading, trailing or double dots)"
        )
    labels = domain.split(".")
    if (
        len(labels) < 2
        or not all(_DOMAIN_LABEL.fullmatch(label) for label in labels)
        or not _TOP_LEVEL.fullmatch(labels[-1])
    ):
        raise SubscriptionError(
            f"{address!r} is not an email address: {domain!r} is not a domain name "
            "(like example.com)"
        )
    return Endpoint(Protocol.EMAIL, text.lower())


def sms(number: str) -> Endpoint:
    """An SMS endpoint: an E.164 number exactly (SNS would reject or misroute anything else)."""
    text = number.strip()
    if not _E164.fullmatch(text):
        raise SubscriptionError(
            f"{number!r} is not an E.164 phone number: write '+', the country code and the "
            "number, 8 to 15 digits with no spaces or punctuation (e.g. +447700900123)"
        )
    return Endpoint(Protocol.SMS, text)


def sqs(arn: str) -> Endpoint:
    """An SQS endpoint: a standard queue's ARN (a standard topic cannot deliver to FIFO)."""
    text = arn.strip()
    found = _SQS_ARN.fullmatch(text)
    if found is None:
        hint = (
            " (that is a queue URL; give its ARN: aws sqs get-queue-attributes "
            "--attribute-names QueueArn --queue-url URL)"
            if text.startswith(("https://", "http://"))
            else ""
        )
        raise SubscriptionError(
            f"{arn!r} is not an SQS queue ARN: expected "
            f"arn:aws:sqs:REGION:ACCOUNT:QUEUE (12-digit account, queue name of "
            f"letters, digits, '-' and '_'){hint}"
        )
    if found["queue"].endswith(".fifo"):
        raise SubscriptionError(
            f"{arn!r} is a FIFO queue: the alert topic is a standard topic, which SNS cannot "
            "deliver to FIFO queues; subscribe a standard queue"
        )
    return Endpoint(Protocol.SQS, text)


def https(url: str) -> Endpoint:
    """An HTTPS endpoint: an https URL with a host and nothing SNS would choke on."""
    text = url.strip()
    if len(text) > MAX_URL_LENGTH or any(c.isspace() or ord(c) < 32 or ord(c) == 127 for c in text):
        raise SubscriptionError(
            f"{url[:80]!r} is not a usable URL: it has spaces or control characters, or is "
            f"longer than {MAX_URL_LENGTH} characters"
        )
    parts = urlsplit(text)
    if parts.scheme.lower() != "https" or not parts.hostname:
        raise SubscriptionError(
            f"{url!r} is not an HTTPS URL: expected https://HOST/PATH (plain http would send "
            "alerts unencrypted)"
        )
    return Endpoint(Protocol.HTTPS, text)


_VALIDATORS = {
    Protocol.EMAIL: email,
    Protocol.SMS: sms,
    Protocol.SQS: sqs,
    Protocol.HTTPS: https,
}


def endpoint(protocol: Protocol | str, address: str) -> Endpoint:
    """The validated endpoint of ``address`` for ``protocol``."""
    return _VALIDATORS[Protocol(protocol)](address)


def guess_endpoint(text: str) -> Endpoint:
    """The endpoint that ``text`` can only be: ``+…`` is SMS, ``arn:…:sqs:…`` SQS, ``https://…``
    HTTPS, anything with an '@' email (for ``unsubscribe ENDPOINT``)."""
    stripped = text.strip()
    if stripped.startswith("+"):
        return sms(stripped)
    if stripped.startswith("arn:"):
        return sqs(stripped)
    if stripped.lower().startswith(("https://", "http://")):
        return https(stripped)
    if "@" in stripped:
        return email(stripped)
    raise SubscriptionError(
        f"{text!r} is neither a subscription ARN nor an endpoint (an email address, "
        "a +E.164 number, an SQS queue ARN or an https URL)"
    )


def shown(endpoint: Endpoint | str) -> str:
    """The address as shown to people: an HTTPS URL's password is masked."""
    address = endpoint.address if isinstance(endpoint, Endpoint) else endpoint
    parts = urlsplit(address) if "://" in address else None
    if parts is None or parts.password is None:
        return address
    masked = parts.netloc.replace(f":{parts.password}@", ":****@", 1)
    return parts._replace(netloc=masked).geturl()
