"""Digests: per watchlist and window, one message listing the stories it alerted or held.

The digest function runs every hour. For each watchlist whose ``digest:`` schedule has a window
that ended since the last one recorded (:meth:`DigestSchedule.due_window`), it sends at most two
messages, both ``kind=digest``:

- ``delivery=digest``: every story the watchlist alerted for or held in the window, for the
  subscribers who take its digest (their filter policy passes ``delivery=digest`` only);
- ``delivery=instant``: only the stories storm control held back, for the instant subscribers
  (their policy passes ``delivery=instant``), who had a notice saying these would follow.

A watchlist whose digest is ``off`` has no digest subscribers' message, but its held stories
still go out hourly (what the storm notice promised: "next hourly").

Once per (watchlist, window): each message is a delivery (:func:`send_once`) keyed by the
window's end in the watchlist's partition, and the window's end is recorded only after both
are settled. A retried or repeated run finds the same window (the schedule and the recorded
end decide it) and sends nothing twice; a run that crashed between a send and the record sends
the rest and records; an empty window sends nothing and is recorded all the same. Windows are
on the time a story's alert was recorded, so a story is in exactly one window.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
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
from newswatch.alerting.messages import DIGEST_STORIES, Delivery, render_digest
from newswatch.alerting.model import DigestEntry
from newswatch.alerting.schedule import DigestSchedule

logger = logging.getLogger(__name__)

# A scheduled window is sent only once this long has passed since its end, so that an ingest
# invocation that recorded an alert just before the end (it may run for its whole 60 s
# timeout) and its storm-control hold have landed on the index. The schedule fires at minute 5.
SETTLE = timedelta(minutes=2)
HELD_ONLY_SCHEDULE = DigestSchedule("hourly")

Window = tuple[datetime, datetime]


@dataclass(frozen=True, slots=True)
class WindowStories:
    """The newest stories of a window (at most the ``limit`` asked for) and how many in all."""

    entries: tuple[DigestEntry, ...]
    total: int

    @property
    def more(self) -> int:
        return max(0, self.total - len(self.entries))


class WatchlistStories(Protocol):
    def in_window(
        self, watchlist: str, window: Window, *, held_only: bool, limit: int
    ) -> WindowStories:
        """The stories ``watchlist`` alerted for (or, ``held_only``, held) whose alert was
        recorded in ``[start, end)``, newest first, at most ``limit``, with their total."""


class DigestState(Protocol):
    def last_window_ends(self, watchlists: Sequence[str]) -> Mapping[str, datetime]:
        """The end of the last window recorded for each of ``watchlists`` that has one."""

    def record_window(self, watchlist: str, window: Window) -> None:
        """Record ``window`` as done; never moves a watchlist's recorded end backwards."""


@dataclass(frozen=True, slots=True)
class DigestPorts:
    stories: WatchlistStories
    state: DigestState
    ledger: DeliveryLedger
    publisher: Publisher


@dataclass(frozen=True, slots=True)
class DigestOutcome:
    """What one watchlist's window sent: ``None`` where there was nothing to send."""

    watchlist: str
    window: Window
    digest: DeliveryResult | None = None
    held: DeliveryResult | None = None
    stories: int = 0
    held_stories: int = 0


@dataclass(frozen=True, slots=True)
class DigestRun:
    """One run over the watchlists: each due window's outcome, and the watchlists that failed
    (transient: the run is retried, and the retry sends what these owe)."""

    outcomes: tuple[DigestOutcome, ...] = ()
    failed: tuple[tuple[str, str], ...] = ()


def window_due(
    schedule: DigestSchedule, now: datetime, last_end: datetime | None, *, at_once: bool = False
) -> Window | None:
    """The window to send for a watchlist at ``now``, or ``None``.

    Scheduled: the schedule's latest window that ended at least :data:`SETTLE` ago and is not
    recorded (a watchlist whose digest is off has the hourly one of its held stories).
    ``at_once`` (``newswatch local digest --now``): the current window, ending now.
    """
    effective = HELD_ONLY_SCHEDULE if schedule.kind == "off" else schedule
    if not at_once:
        return effective.due_window(now - SETTLE, last_end)
    now = now.astimezone(UTC)
    if last_end is None:
        # Never sent: the current window began at the last scheduled time.
        first = effective.due_window(now, None)
        assert first is not None  # only "off" has none, and it was replaced
        last_end = first[1]
    return (last_end, now) if last_end < now else None


def send_window(
    ports: DigestPorts,
    watchlist: str,
    schedule: DigestSchedule,
    window: Window,
    *,
    owner: str,
    lease_seconds: int,
) -> DigestOutcome:
    """Send ``watchlist``'s messages for ``window`` (see module doc), then record it."""
    base = f"WINDOW#{window[1].astimezone(UTC).isoformat(timespec='microseconds')}"
    deliveries: list[tuple[Delivery, bool]] = [(Delivery.INSTANT, True)]
    if schedule.kind != "off":
        deliveries.insert(0, (Delivery.DIGEST, False))
    results: dict[Delivery, DeliveryResult | None] = {}
    totals: dict[Delivery, int] = {}
    for delivery, held_only in deliveries:
        page = ports.stories.in_window(watchlist, window, held_only=held_only, limit=DIGEST_STORIES)
        totals[delivery] = page.total
        if not page.total:
            results[delivery] = None
            continue
        results[delivery] = send_once(
            ports.ledger,
            ports.publisher,
            DeliveryKey(Scope.WATCHLIST, watchlist, f"{base}#{delivery.value}"),
            partial(
                render_digest,
                watchlist,
                page.entries,
                window=window,
                more=page.more,
                delivery=delivery,
            ),
            owner=owner,
            lease_seconds=lease_seconds,
        )
    ports.state.record_window(watchlist, window)
    return DigestOutcome(
        watchlist=watchlist,
        window=window,
        digest=results.get(Delivery.DIGEST),
        held=results.get(Delivery.INSTANT),
        stories=totals.get(Delivery.DIGEST, 0),
        held_stories=totals.get(Delivery.INSTANT, 0),
    )


def send_due_digests(
    ports: DigestPorts,
    watchlists: Iterable[tuple[str, DigestSchedule]],
    now: datetime,
    *,
    owner: str,
    lease_seconds: int,
    at_once: bool = False,
    out_of_time: Callable[[], bool] = lambda: False,
) -> DigestRun:
    """Send every due window of ``watchlists`` (name, schedule). One watchlist's failure does
    not stop the others; it is reported in :attr:`DigestRun.failed` for the caller to retry.
    Once ``out_of_time()`` says so, the watchlists not reached are reported as failed too (the
    retry starts with them: the others' windows are recorded), rather than being cut off by
    the function's timeout midway through one."""
    schedules = dict(watchlists)
    last_ends = ports.state.last_window_ends(list(schedules))
    outcomes: list[DigestOutcome] = []
    failed: list[tuple[str, str]] = []
    for name, schedule in schedules.items():
        window = window_due(schedule, now, last_ends.get(name), at_once=at_once)
        if window is None:
            continue
        if out_of_time():
            failed.append((name, "not reached before the run's time was up"))
            continue
        try:
            outcomes.append(
                send_window(ports, name, schedule, window, owner=owner, lease_seconds=lease_seconds)
            )
        except Exception as error:
            logger.exception("digest of %s for %s failed; the run will be retried", name, window)
            failed.append((name, f"{type(error).__name__}: {error}"[:500]))
    return DigestRun(outcomes=tuple(outcomes), failed=tuple(failed))
