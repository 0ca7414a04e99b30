"""One alert per (story, watchlist), one message per story for everyone it concerns.

For an article of a story, with the watchlists it matched:

1. **claim** each watchlist for the story (a conditional write): the first article of the story
   that matches a watchlist owns its alert; a later copy matching the same watchlist sends
   nothing (it is recorded on the story as a copy). Two copies at the same moment: one claim
   wins. A retry of the owning article finds its own claim and carries on;
2. **storm control** per owned watchlist (:mod:`newswatch.alerting.storm`): over the hourly
   limit the story is held for the watchlist's next digest, and the first held story of a storm
   asks for one notice;
3. the **decision** (which watchlists go out now, which are held, which notices) is recorded
   once per article; a retry finishes it instead of deciding again, so a watchlist push or a
   rolled-over hour between attempts changes nothing;
4. **one publish** per message carries every watchlist that it newly alerts for (a
   ``String.Array`` attribute, so a subscriber of three of them gets one message), through
   :func:`newswatch.alerting.delivery.send_once`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Protocol

from newswatch.alerting.delivery import (
    DeliveryKey,
    DeliveryLedger,
    DeliveryResult,
    Publisher,
    Scope,
    send_once,
)
from newswatch.alerting.messages import (
    WATCHLISTS_PER_MESSAGE,
    OutgoingMessage,
    render_alert,
    render_notice,
)
from newswatch.alerting.model import StoryAlert, WatchlistReason
from newswatch.alerting.schedule import WEEKDAYS, DigestSchedule
from newswatch.alerting.storm import DEFAULT_MAX_PER_HOUR, RateLimiter
from newswatch.article import ArticleSummary
from newswatch.stories.membership import StoryMembership


@dataclass(frozen=True, slots=True)
class WatchlistDelivery:
    """A watchlist's delivery settings as the alert path needs them."""

    max_per_hour: int = DEFAULT_MAX_PER_HOUR
    # When held stories go out, for the notice: "07:00 UTC", "next hourly".
    next_digest: str = "next hourly"


def held_until(schedule: DigestSchedule) -> str:
    """When a watchlist's held stories go out: its digest, or (digest off) the hourly one that
    storm control falls back to."""
    if schedule.kind in ("off", "hourly") or schedule.at is None:
        return "next hourly"
    clock = f"{schedule.at.strftime('%H:%M')} {schedule.zone}"
    if schedule.weekday is not None:
        return f"{WEEKDAYS[schedule.weekday].capitalize()} {clock}"
    return clock


class AlertClaims(Protocol):
    def claim(
        self, story_id: str, article: ArticleSummary, reason: WatchlistReason, at: str
    ) -> str:
        """Claim the (story, watchlist) alert for ``article`` unless claimed; return the id of
        the article that holds the claim."""

    def hold(self, story_id: str, watchlist: str) -> None:
        """Mark the claim as held by storm control (its story goes in the next digest)."""


@dataclass(frozen=True, slots=True)
class AlertPorts:
    claims: AlertClaims
    stories: StoryMembership
    limiter: RateLimiter
    ledger: DeliveryLedger
    publisher: Publisher
    settings: Callable[[str], WatchlistDelivery]


@dataclass(frozen=True, slots=True)
class AlertOutcome:
    sent: tuple[str, ...] = ()
    held: tuple[str, ...] = ()
    failed: tuple[str, ...] = ()


def alert_story(
    ports: AlertPorts,
    *,
    story_id: str,
    article: ArticleSummary,
    reasons: Sequence[WatchlistReason],
    at: str,
    owner: str,
    lease_seconds: int,
) -> AlertOutcome:
    """Send what this article of ``story_id`` owes (see module doc); idempotent per article."""
    owned = [
        reason
        for reason in reasons
        if ports.claims.claim(story_id, article, reason, at) == article.article_id
    ]
    if not owned:
        return AlertOutcome()
    decision = ports.ledger.decide(
        DeliveryKey(Scope.STORY, story_id, f"DECISION#{article.article_id}"),
        _decide(ports, story_id, owned),
    )
    instant = [reason for reason in owned if reason.watchlist in decision["instant"]]
    held = tuple(decision["held"])
    for name in held:
        ports.claims.hold(story_id, name)
    sent: list[str] = []
    failed: list[str] = []
    for number, start in enumerate(range(0, len(instant), WATCHLISTS_PER_MESSAGE)):
        chunk = tuple(instant[start : start + WATCHLISTS_PER_MESSAGE])
        result = send_once(
            ports.ledger,
            ports.publisher,
            DeliveryKey(Scope.STORY, story_id, f"ALERT#{article.article_id}#{number}"),
            partial(_render, ports, story_id, article, chunk),
            owner=owner,
            lease_seconds=lease_seconds,
        )
        names = [reason.watchlist for reason in chunk]
        if result is DeliveryResult.SENT:
            sent.extend(names)
        elif result is DeliveryResult.FAILED:
            failed.extend(names)
    for name in decision["notices"]:
        settings = ports.settings(name)
        send_once(
            ports.ledger,
            ports.publisher,
            DeliveryKey(Scope.STORY, story_id, f"NOTICE#{name}"),
            partial(
                render_notice, name, limit=settings.max_per_hour, held_until=settings.next_digest
            ),
            owner=owner,
            lease_seconds=lease_seconds,
        )
    return AlertOutcome(sent=tuple(sent), held=held, failed=tuple(failed))


def _decide(
    ports: AlertPorts, story_id: str, owned: Sequence[WatchlistReason]
) -> dict[str, list[str]]:
    decision: dict[str, list[str]] = {"instant": [], "held": [], "notices": []}
    for reason in owned:
        admission = ports.limiter.admit(
            reason.watchlist, story_id, ports.settings(reason.watchlist).max_per_hour
        )
        decision["instant" if admission.admitted else "held"].append(reason.watchlist)
        if admission.notify:
            decision["notices"].append(reason.watchlist)
    return decision


def _render(
    ports: AlertPorts,
    story_id: str,
    article: ArticleSummary,
    reasons: tuple[WatchlistReason, ...],
) -> OutgoingMessage:
    counts = ports.stories.counts(story_id)
    return render_alert(
        StoryAlert(
            story_id=story_id,
            article=article,
            reasons=reasons,
            copies=counts.copies,
            sites=counts.sites,
        )
    )
