"""What ``newswatch local`` shows: each processed object's stored record or rejection, and the
alerts it sent, read back from the table (what a user would query), not from the handler."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from pathlib import Path

from newswatch.aws.article_store import ArticleStore
from newswatch.errors import NewswatchError
from newswatch.events import ObjectRef
from newswatch.local.outbox import DeliveredAlert
from newswatch.local.runner import Dispatcher, LocalStack, drop_files
from newswatch.untrusted import clean_line

Echo = Callable[[str], None]

# How often an idle console looks at the dead-letter queue.
_DEAD_LETTER_CHECK_SECONDS = 0.5
# How long a stop waits for an object in progress: `newswatch local` must end within 2 s.
_STOP_WAIT_SECONDS = 0.5


def describe_object(
    store: ArticleStore, ref: ObjectRef, alerts: Iterable[DeliveredAlert]
) -> list[str]:
    """Lines describing the stored outcome of ``ref`` and the alerts it sent."""
    stored = store.get_article(ref.article_id)
    if stored is None:
        rejection = store.get_rejection(ref.article_id)
        if rejection is not None:
            return [f"  rejected   {rejection.reason}: {clean_line(rejection.detail)}"]
        return ["  no record (see the handler's log above)"]
    article = stored.article
    lines = [
        f"  stored     article {stored.article_id} from {clean_line(stored.s3_uri)}",
        f"  title      {clean_line(article.title or '(none)')}",
        f"  published  {article.published or '(unknown)'}",
        f"  authors    {clean_line(', '.join(article.authors) or '(none)')}",
        f"  matched    {', '.join(stored.watchlists) or '(no watchlist)'}",
    ]
    delivered = {alert.message_id: alert for alert in alerts}
    for match in store.matches_of_article(ref.article_id):
        alert = delivered.get(match.message_id or "")
        lines.append(f"  alert      {match.watchlist}: {match.alert_state.value.lower()}")
        if alert is not None:
            lines.append(f"    subject  {clean_line(alert.subject)}")
            lines.append(f"    sms      {clean_line(alert.sms)}")
            lines.append(f"    email    {alert.email_path}")
    if not stored.watchlists:
        lines.append("  alerts     none")
    return lines


def serve(local: LocalStack, echo: Echo = print, *, workers: int = 1) -> None:
    """Hand queued notifications to the handler (``workers`` at a time) until interrupted
    (Ctrl-C, or SIGTERM made a KeyboardInterrupt); stops the workers before returning."""
    store = local.stack.article_store()
    dead_letters = local.dead_letters()
    dispatcher = Dispatcher(local, workers=workers).start()
    try:
        while True:
            result = dispatcher.next_result(timeout=_DEAD_LETTER_CHECK_SECONDS)
            if result is not None:
                for ref in result.succeeded:
                    echo(clean_line(ref.s3_uri))
                    for line in describe_object(store, ref, result.alerts):
                        echo(line)
                if result.failed_messages:
                    echo(
                        f"{result.failed_messages} message(s) failed; they are retried, and after "
                        "the queue's maxReceiveCount moved to the dead-letter queue"
                    )
            # SQS moves a message to the dead-letter queue on a later receive, not when it fails.
            now_dead = local.dead_letters()
            if now_dead > dead_letters:
                echo(dead_letter_notice(local, now_dead))
            dead_letters = now_dead
    finally:
        dispatcher.stop(timeout=_STOP_WAIT_SECONDS)


def dead_letter_notice(local: LocalStack, count: int) -> str:
    return (
        f"{count} message(s) in the dead-letter queue: `newswatch dlq list --endpoint-url "
        f"{local.endpoint_url}` shows them, `newswatch dlq redrive --all` sends them back"
    )


def run_demo(
    local: LocalStack, directory: Path, *, timeout_seconds: float = 60, echo: Echo = print
) -> int:
    """Drop every file of ``directory``, wait (at most ``timeout_seconds``) for each announced
    object's outcome, and show it. Exit code 1 if an outcome is missing."""
    if not directory.is_dir():
        raise NewswatchError(f"{directory} is not a directory")
    files = sorted(p for p in directory.iterdir() if p.is_file() and not p.name.startswith("."))
    if not files:
        raise NewswatchError(f"{directory} holds no files to drop")
    dropped = drop_files(local.stack, files)
    pending = {key for _, key in dropped if local.is_announced(key)}
    outcomes: dict[str, ObjectRef] = {}
    alerts: list[DeliveredAlert] = []
    deadline = time.monotonic() + timeout_seconds
    while pending and time.monotonic() < deadline:
        result = local.poll(wait_seconds=1)
        alerts.extend(result.alerts)
        for ref in result.succeeded:
            if ref.key in pending:
                pending.discard(ref.key)
                outcomes[ref.key] = ref
    store = local.stack.article_store()
    for path, key in dropped:
        echo(f"\n{clean_line(path.name)} -> s3://{local.stack.bucket}/{clean_line(key)}")
        if key in outcomes:
            for line in describe_object(store, outcomes[key], alerts):
                echo(line)
        elif key in pending:
            echo(f"  no outcome within {timeout_seconds:.0f} s (retrying; see the log above)")
            dead = local.dead_letters()
            if dead:
                echo("  " + dead_letter_notice(local, dead))
        else:
            echo("  not announced: the bucket notifies the queue only of " + local.announced)
    if alerts:
        echo(f"\n{len(alerts)} alert(s) written to {local.outbox_dir}/")
    return 1 if pending else 0
