"""Send a message at most once (but for one documented window): the delivery state machine.

Every message newswatch sends (a story alert, a notice, a digest) has a delivery record that
moves ``PENDING -> SENDING -> SENT`` (or ``FAILED`` when SNS refuses it for good):

- ``decide`` writes the record with what is to be sent, once; a retry reads the first
  attempt's decision back instead of making a new one;
- ``acquire`` moves it to ``SENDING`` under an owner token and a lease; only the owner may
  publish, and another worker meets :class:`DeliveryInFlight` until the lease runs out;
- ``complete`` and ``release`` are fenced by the owner token, so a worker whose lease expired
  cannot hand back or complete a claim that another worker took over.

The one window left: a worker that crashes after SNS accepted the publish and before
``complete`` leaves ``SENDING``; once its lease expires a retry publishes again (standard SNS
topics cannot deduplicate). Like Powertools' idempotency package, the rules here know no
backend: :class:`DeliveryLedger` is a Protocol, DynamoDB one adapter of it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Protocol

from newswatch.alerting.messages import SNS_MESSAGE_LIMIT, OutgoingMessage
from newswatch.errors import NewswatchError

logger = logging.getLogger(__name__)


class DeliveryState(StrEnum):
    PENDING = "PENDING"
    SENDING = "SENDING"
    SENT = "SENT"
    FAILED = "FAILED"


class Acquired(StrEnum):
    """What ``acquire`` found: this worker must send, or it was sent (or refused) before."""

    MINE = "mine"
    DONE = "done"


class DeliveryInFlight(NewswatchError):
    """Another worker holds the delivery's lease. Transient: failing the record makes SQS retry
    it after the lease has run out, when the message is either sent or claimable again."""


class PermanentPublishError(NewswatchError):
    """SNS refused the message for a reason that no retry changes (too large, invalid)."""


class Scope(StrEnum):
    """What a delivery is about: a story (alerts, notices) or a watchlist (digests)."""

    STORY = "story"
    WATCHLIST = "watchlist"


@dataclass(frozen=True, slots=True)
class DeliveryKey:
    """Which delivery: of which story or watchlist, and its name there; adapters map it to
    their own keys."""

    scope: Scope
    owner_id: str
    name: str


class DeliveryLedger(Protocol):
    def decide(self, key: DeliveryKey, decision: Mapping[str, Any]) -> dict[str, Any]:
        """Record ``decision`` unless one is recorded; return the recorded one."""

    def acquire(self, key: DeliveryKey, owner: str, lease_seconds: int) -> Acquired:
        """Take the delivery for ``owner``; raises :class:`DeliveryInFlight` while another
        owner's lease runs."""

    def complete(self, key: DeliveryKey, owner: str, message_id: str) -> bool:
        """Mark it sent; ``False`` if ``owner`` no longer holds it (its lease was taken)."""

    def release(self, key: DeliveryKey, owner: str) -> None:
        """Hand it back unsent, if ``owner`` still holds it."""

    def fail(self, key: DeliveryKey, owner: str, reason: str) -> None:
        """Record that it can never be sent, if ``owner`` still holds it."""


class Publisher(Protocol):
    def publish(self, message: OutgoingMessage) -> str:
        """Publish; return the message id. Raises :class:`PermanentPublishError` for a refusal
        no retry changes, anything else for a transient failure."""


class DeliveryResult(StrEnum):
    SENT = "sent"
    ALREADY = "already"
    FAILED = "failed"


def send_once(
    ledger: DeliveryLedger,
    publisher: Publisher,
    key: DeliveryKey,
    render: Callable[[], OutgoingMessage],
    *,
    owner: str,
    lease_seconds: int,
) -> DeliveryResult:
    """Publish what ``render`` makes, unless this delivery was sent before (see module doc).

    A message over SNS's limit or refused permanently is recorded as ``FAILED`` with its
    reason and not retried: retrying it would only fill the dead-letter queue.
    """
    if ledger.acquire(key, owner, lease_seconds) is Acquired.DONE:
        return DeliveryResult.ALREADY
    try:
        message = render()
        size = message.size()
        if size > SNS_MESSAGE_LIMIT:
            raise PermanentPublishError(f"message of {size} bytes is over SNS's 256 KB")
        message_id = publisher.publish(message)
    except PermanentPublishError as error:
        logger.error("delivery %s/%s refused for good: %s", key.owner_id, key.name, error)
        ledger.fail(key, owner, str(error)[:500])
        return DeliveryResult.FAILED
    except BaseException:
        # Not sent: hand the claim back so the retry need not wait out the lease.
        ledger.release(key, owner)
        raise
    if not ledger.complete(key, owner, message_id):
        logger.warning(
            "delivery %s/%s: lease lost while publishing; another worker may send it again",
            key.owner_id,
            key.name,
        )
    return DeliveryResult.SENT
