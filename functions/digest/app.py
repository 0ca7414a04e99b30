"""The digest Lambda: every hour (an EventBridge Scheduler schedule), send each watchlist's due
digest once.

Thin on purpose: what is due and what is sent is :mod:`newswatch.alerting.digests`, wired by
:class:`newswatch.digest_job.DigestJob`. Here: logging, metrics, and failing the invocation when
a watchlist's digest could not be sent, so that Scheduler's retry policy runs it again (the
retry sends only what is still owed) and, after the last retry, the event goes to the
dead-letter queue.

The event may ask for ``{"now": true, "watchlist": NAME}``: every current window ends now
(``newswatch local digest --now`` invokes this same handler so).
"""

from __future__ import annotations

import functools
import os
from datetime import UTC, datetime
from typing import Any

from newswatch.startup import collector_paused

with collector_paused():
    from aws_lambda_powertools import Logger, Metrics
    from aws_lambda_powertools.logging.utils import copy_config_to_registered_loggers
    from aws_lambda_powertools.metrics import MetricUnit
    from aws_lambda_powertools.utilities.typing import LambdaContext
    from newswatch.alerting.delivery import DeliveryResult
    from newswatch.digest_job import DigestJob, DigestSettings
    from newswatch.errors import NewswatchError

logger = Logger(service=os.environ.get("POWERTOOLS_SERVICE_NAME", "newswatch"))
copy_config_to_registered_loggers(source_logger=logger, include={"newswatch"})
metrics = Metrics(namespace=os.environ.get("POWERTOOLS_METRICS_NAMESPACE", "newswatch"))
# Stop starting watchlists when less than this is left of the invocation: one watchlist's
# window takes two queries and two publishes (well under a second), so this is a wide margin
# for the summary, the metrics and a slow call; the retry goes on from where this run stopped.
RESERVE_MILLIS = 30_000


class DigestsFailed(NewswatchError):
    """Some watchlists' digests were not sent; the retry sends them (and nothing twice)."""


@functools.cache
def digest_job() -> DigestJob:
    """Built on first use, then kept for the container's life."""
    with collector_paused():
        return DigestJob.from_settings(DigestSettings.from_env())


@metrics.log_metrics
@logger.inject_lambda_context
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    """Send what is due now; the summary lists each window and what went out for it."""
    now = datetime.now(UTC)
    watchlist = event.get("watchlist")
    run = digest_job().run(
        now,
        at_once=event.get("now") is True,
        watchlist=str(watchlist) if watchlist is not None else None,
        out_of_time=lambda: context.get_remaining_time_in_millis() < RESERVE_MILLIS,
    )
    summary = []
    for outcome in run.outcomes:
        line = {
            "watchlist": outcome.watchlist,
            "window": [moment.isoformat() for moment in outcome.window],
            "digest": outcome.digest.value if outcome.digest else None,
            "held": outcome.held.value if outcome.held else None,
            "stories": outcome.stories,
            "held_stories": outcome.held_stories,
        }
        logger.info("digest window", extra=line)
        summary.append(line)
        sent = [r for r in (outcome.digest, outcome.held) if r is DeliveryResult.SENT]
        if sent:
            metrics.add_metric(name="DigestsSent", unit=MetricUnit.Count, value=len(sent))
    if run.failed:
        metrics.add_metric(name="DigestsFailed", unit=MetricUnit.Count, value=len(run.failed))
        names = ", ".join(name for name, _ in run.failed[:20])
        raise DigestsFailed(f"{len(run.failed)} watchlist digest(s) not sent: {names}")
    return {"digests": summary}
