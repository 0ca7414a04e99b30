"""What ``newswatch local`` shows: each processed object's stored record or rejection, and the
alerts it sent, read back from the table (what a user would query), not from the handler."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from pathlib import Path

from newswatch.aws.article_store import ArticleStore
from newswatch.aws.story_store import StoryRecords
from newswatch.errors import NewswatchError
from newswatch.events import ObjectRef
from newswatch.local.outbox import DeliveredAlert
from newswatch.local.runner import Dispatcher, LocalStack, ScheduledRun, drop_files
from newswatch.untrusted import clean_line

Echo = Callable[[str], None]

# How often an idle console looks at the dead-letter queue.
_DEAD_LETTER_CHECK_SECONDS = 0.5
# How long a stop waits for an object in progress: `newswatch local` must end within 2 s.
_STOP_WAIT_SECONDS = 0.5


def describe_object(
    store: ArticleStore,
    stories: StoryRecords,
    ref: ObjectRef,
    alerts: Iterable[DeliveredAlert],
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
    if stored.story_id:
        lines += _story_lines(stories, stored.story_id, stored.article_id)
    if not stored.watchlists:
        lines.append("  alerts     none")
    for alert in alerts:
        if alert.article_id == stored.article_id:
            lines.append(f"  sent       {alert.kind} {clean_line(alert.subject)}")
            lines.append(f"    to       {clean_line(alert.recipient)} ({alert.path})")
    return lines


def _story_lines(stories: StoryRecords, story_id: str, article_id: str) -> list[str]:
    story = stories.get_story(story_id)
    if story is None:
        return [f"  story      {story_id} (not recorded yet)"]
    first = story.first.article.article_id == article_id
    lines = [
        f"  story      {story_id}: {story.copies} cop{'y' if story.copies == 1 else 'ies'} "
        f"on {story.sites} site{'' if story.sites == 1 else 's'}"
        + ("" if first else f", first seen {story.first_seen}")
    ]
    for record in stories.alerts(story_id):
        how = "held for the digest" if record.held else "alerted"
        who = "by this article" if record.article.article_id == article_id else "by an earlier copy"
        lines.append(f"  {record.watchlist:<10} {how} {who}")
    return lines


def serve(local: LocalStack, echo: Echo = print, *, workers: int = 1) -> None:
    """Hand queued notifications to the handler (``workers`` at a time) until interrupted
    (Ctrl-C, or SIGTERM made a KeyboardInterrupt); stops the workers before returning."""
    store, stories = local.stack.article_store(), local.stack.story_records()
    dead_letters = local.dead_letters()
    next_digest = local.next_scheduled_run(datetime.now(UTC))
    dispatcher = Dispatcher(local, workers=workers).start()
    try:
        while True:
            # The digest function's schedule, as EventBridge Scheduler would keep it.
            if next_digest is not None and datetime.now(UTC) >= next_digest:
                for line in scheduled_lines(local.run_scheduled()):
                    echo(line)
                next_digest = local.next_scheduled_run(datetime.now(UTC))
            result = dispatcher.next_result(timeout=_DEAD_LETTER_CHECK_SECONDS)
            if result is not None:
                for ref in result.succeeded:
                    echo(clean_line(ref.s3_uri))
                    for line in describe_object(store, stories, ref, result.alerts):
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
    store, stories = local.stack.article_store(), local.stack.story_records()
    for path, key in dropped:
        echo(f"\n{clean_line(path.name)} -> s3://{local.stack.bucket}/{clean_line(key)}")
        if key in outcomes:
            for line in describe_object(store, stories, outcomes[key], alerts):
                echo(line)
        elif key in pending:
            echo(f"  no outcome within {timeout_seconds:.0f} s (retrying; see the log above)")
            dead = local.dead_letters()
            if dead:
                echo("  " + dead_letter_notice(local, dead))
        else:
            echo("  not announced: the bucket notifies the queue only of " + local.announced)
    # The digest the demo's editor takes daily, sent now (as `newswatch local digest --now`).
    echo("\ndigests, sent now (newswatch local digest --now):")
    runs = local.run_scheduled({"now": True})
    for line in scheduled_lines(runs):
        echo(line)
    alerts.extend(alert for run in runs for alert in run.alerts)
    if alerts:
        echo(f"\n{len(alerts)} message(s) delivered; each subscriber's inbox:")
        for recipient in sorted({alert.recipient for alert in alerts}):
            mine = [alert for alert in alerts if alert.recipient == recipient]
            echo(f"  {clean_line(recipient)}: {len(mine)} message(s) in {mine[0].path.parent}/")
            for alert in mine:
                echo(f"    {alert.kind:<7} {alert.subject}")
    for alert in alerts:
        if alert.kind == "digest" and alert.protocol == "email":
            echo(f"\n{clean_line(alert.recipient)}'s digest ({alert.path}):")
            for line in alert.text.splitlines():
                indent = " " * (len(line) - len(line.lstrip(" ")))
                echo(f"  | {indent}{clean_line(line)}")
            break
    return 1 if pending else 0


def scheduled_lines(runs: Iterable[ScheduledRun]) -> list[str]:
    """What each run of the digest function sent (empty windows say nothing), or its error."""
    lines = []
    for run in runs:
        if run.error is not None:
            lines.append(f"  {run.function} failed: {clean_line(run.error)}")
            continue
        for digest in (run.response or {}).get("digests", []):
            if not digest.get("digest") and not digest.get("held"):
                continue
            start, end = digest["window"]
            count = digest["stories"]
            lines.append(
                f"  digest     {clean_line(digest['watchlist'])}: {count} "
                f"stor{'y' if count == 1 else 'ies'} from {start} to {end}, "
                f"{digest['held_stories']} held by storm control"
            )
        for alert in run.alerts:
            lines.append(f"    to       {clean_line(alert.recipient)} ({alert.path})")
    return lines or ["  no digest due: nothing new since the last one"]
