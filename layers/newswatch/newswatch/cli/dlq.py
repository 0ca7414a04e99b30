"""newswatch dlq: the ingest messages SQS gave up on, why, and sending them back.

``dlq list`` shows each message in the dead-letter queue with the object(s) it announced, how
often it was received and when, and its last error, which the ingest handler (or the local
runner) recorded when the message failed (SQS itself does not keep why). ``dlq redrive`` moves
messages back to the ingest queue, after the cause is fixed. Redriving is idempotent: an object
that already succeeded is a duplicate to the pipeline and alerts nobody twice.
"""

from __future__ import annotations

import argparse
import json
from datetime import datetime
from typing import Any

from newswatch.aws.dead_letters import (
    MAX_LISTED,
    DeadLetter,
    DeadLetterLog,
    DeadLetterQueue,
    FailureRecord,
)
from newswatch.errors import NewswatchError
from newswatch.stack import Stack, add_stack_arguments, stack_from_args
from newswatch.untrusted import clean_line

NO_ERROR_RECORDED = "no error recorded (see the function's log for this message id)"


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "dlq",
        help="list the ingest dead-letter queue with each message's last error, or redrive it",
        description=__doc__,
    )
    actions = parser.add_subparsers(dest="dlq_command", required=True, metavar="ACTION")
    listing = actions.add_parser(
        "list", help="each dead-lettered message: its object, receives and last error"
    )
    add_stack_arguments(listing)
    listing.add_argument("--json", action="store_true", help="one JSON object per line")
    listing.set_defaults(handler=run_list)
    redrive = actions.add_parser(
        "redrive", help="move messages back to the ingest queue (safe to repeat)"
    )
    add_stack_arguments(redrive)
    which = redrive.add_mutually_exclusive_group(required=True)
    which.add_argument("--all", action="store_true", help="every message in the queue")
    which.add_argument("ids", nargs="*", default=[], metavar="ID", help="message ids (dlq list)")
    redrive.set_defaults(handler=run_redrive)


def dead_letter_queue(stack: Stack) -> DeadLetterQueue:
    return DeadLetterQueue(stack.sqs(), dlq_url=stack.dlq_url, queue_url=stack.queue_url)


def run_list(args: argparse.Namespace) -> int:
    stack = stack_from_args(args)
    letters = dead_letter_queue(stack).messages()
    failures = DeadLetterLog(stack.dynamodb(), table_name=stack.table).last_failures(
        letter.message_id for letter in letters
    )
    for letter in letters:
        failure = failures.get(letter.message_id)
        print(
            json.dumps(as_dict(letter, failure), ensure_ascii=False)
            if args.json
            else lines(letter, failure)
        )
    if not args.json:
        more = (
            " (the first shown; redrive some to see the rest)" if len(letters) >= MAX_LISTED else ""
        )
        print(f"{len(letters)} message(s) in the dead-letter queue{more}")
    return 0


def run_redrive(args: argparse.Namespace) -> int:
    if not args.all and not args.ids:
        raise NewswatchError("name message ids to redrive, or --all")
    moved, missing = dead_letter_queue(stack_from_args(args)).redrive(
        None if args.all else args.ids
    )
    for entry in moved:
        print(f"redriven {entry.message_id} -> ingest queue as {entry.new_message_id}")
    for message_id in sorted(missing):
        print(f"not in the dead-letter queue: {clean_line(message_id)}")
    print(f"{len(moved)} message(s) redriven")
    return 1 if missing else 0


def lines(letter: DeadLetter, failure: FailureRecord | None) -> str:
    """The message id and its object, then receives and times, then the last error."""
    what = (
        ", ".join(
            f"s3://{ref.bucket}/{clean_line(ref.key)} ({ref.version_id or 'no version'})"
            for ref in letter.objects
        )
        if letter.objects
        else f"(no object: {letter.unreadable}) {letter.shown_body}"
    )
    first = _when(letter.first_received_at)
    last = failure.failed_at if failure else "unknown"
    error = (
        f"last error (recorded by the {failure.recorded_by}, receive {failure.receive_count}): "
        f"{failure.error}"
        if failure
        else NO_ERROR_RECORDED
    )
    return (
        f"{letter.message_id}  {what}\n"
        f"    received {letter.receive_count}x (SQS's count, listings included), "
        f"first {first}, last failed {last}\n"
        f"    {error}"
    )


def as_dict(letter: DeadLetter, failure: FailureRecord | None) -> dict[str, Any]:
    return {
        "message_id": letter.message_id,
        "objects": [
            {"bucket": ref.bucket, "key": ref.key, "version_id": ref.version_id}
            for ref in letter.objects
        ],
        "unreadable": letter.unreadable,
        "body": None if letter.objects else letter.shown_body,
        "receive_count": letter.receive_count,
        "sent_at": _when(letter.sent_at),
        "first_received_at": _when(letter.first_received_at),
        "last_failed_at": failure.failed_at if failure else None,
        "last_error": failure.error if failure else None,
        "failed_receive_count": failure.receive_count if failure else None,
        "error_recorded_by": failure.recorded_by if failure else None,
    }


def _when(moment: datetime | None) -> str:
    return moment.isoformat(timespec="seconds") if moment else "unknown"
