"""newswatch local: the whole stack on this machine, on a local moto server.

newswatch local [--port N] [--workers N] [--demo DIR] runs it in the foreground; Ctrl-C or
SIGTERM stops it within 2 s, even mid-object;
newswatch local drop FILE... uploads articles into the running stack's bucket;
newswatch local digest [--now] [--watchlist NAME] runs the digest function once against it.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import signal
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from newswatch.errors import NewswatchError
from newswatch.stack import DEFAULT_LOCAL_PORT, resolve_stack

if TYPE_CHECKING:
    from newswatch.local.runner import LocalStack


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "local",
        help="run the stack locally on moto (bucket, queues, table, topic, the real handler)",
        description=(
            "Start a moto server on 127.0.0.1 (a child process), create in it what template.yaml "
            "declares, load the watchlists, and hand each queued S3 notification to the real "
            "ingest handler as Lambda would. Alerts are printed and written to the outbox "
            "directory as the email and the SMS a subscriber would receive."
        ),
    )
    parser.add_argument("--port", type=int, default=DEFAULT_LOCAL_PORT, help="default %(default)s")
    parser.add_argument(
        "--demo",
        type=Path,
        metavar="DIR",
        help="drop every file of DIR, show each stored record and its alerts, then stop",
    )
    parser.add_argument(
        "--watchlists",
        type=Path,
        metavar="FILE",
        help="watchlists to load (default: watchlists.yaml next to template.yaml)",
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=1,
        metavar="N",
        help="handler invocations at a time, as Lambda's concurrency (default %(default)s)",
    )
    parser.add_argument("--template", type=Path, help="default: the nearest template.yaml")
    parser.add_argument("--outbox", type=Path, default=Path("outbox"), help="default %(default)s")
    parser.add_argument(
        "--log-level",
        default="WARN",
        choices=["DEBUG", "INFO", "WARN", "ERROR"],
        help="the handler's log level (the template's LogLevel parameter); default %(default)s",
    )
    parser.set_defaults(handler=run_local)

    actions = parser.add_subparsers(dest="action", metavar="ACTION")
    drop = actions.add_parser(
        "drop", help="upload files into the running local stack's bucket under incoming/"
    )
    drop.add_argument("files", nargs="+", type=Path, metavar="FILE")
    drop.add_argument("--port", type=int, default=DEFAULT_LOCAL_PORT, help="default %(default)s")
    drop.set_defaults(handler=run_drop)

    digest = actions.add_parser(
        "digest",
        help="run the digest function once against the running local stack",
        description=(
            "Invoke the template's digest function (functions/digest) in this process against "
            "the running local stack, as its hourly schedule does, and write what it sends to "
            "the outbox. Each (watchlist, window) is sent once, so running it again sends "
            "nothing new."
        ),
    )
    digest.add_argument(
        "--now",
        action="store_true",
        help="treat every watchlist's current window as due, ending now (default: only what "
        "its schedule makes due)",
    )
    digest.add_argument("--watchlist", metavar="NAME", help="only this watchlist's digest")
    digest.add_argument(
        "--endpoint-url",
        default=f"http://127.0.0.1:{DEFAULT_LOCAL_PORT}",
        help="the running local stack (default %(default)s)",
    )
    digest.add_argument("--template", type=Path, help="default: the nearest template.yaml")
    digest.add_argument("--outbox", type=Path, default=Path("outbox"), help="default %(default)s")
    digest.set_defaults(handler=run_digest)


def run_local(args: argparse.Namespace) -> int:
    # moto (a development dependency) is imported only by this command.
    from newswatch.local.runner import LocalStack
    from newswatch.local.template import find_template

    # Powertools warns on every invocation without metrics (an S3 test event); in the cloud that
    # goes to the logs, here it would interleave with the alerts.
    warnings.filterwarnings("ignore", message="No application metrics to publish")
    template_path = (args.template or find_template()).resolve()
    watchlists_path = args.watchlists or template_path.parent / "watchlists.yaml"
    local = LocalStack(
        template_path,
        port=args.port,
        outbox_dir=args.outbox,
        parameters={"LogLevel": args.log_level},
    )
    if args.workers < 1:
        raise NewswatchError("--workers must be at least 1")
    with _sigterm_as_interrupt():
        return _run_started(local, args, template_path, watchlists_path)


def _run_started(
    local: LocalStack, args: argparse.Namespace, template_path: Path, watchlists_path: Path
) -> int:
    from newswatch.local.console import run_demo, serve

    stack = local.start()
    try:
        print(f"newswatch local stack at {local.endpoint_url} (from {template_path})")
        print(f"  bucket  {stack.bucket}   (drop articles as {local.announced})")
        print(f"  table   {stack.table}")
        print(f"  topic   {stack.topic_arn}")
        print(f"  queue   {stack.queue_url}")
        print(f"  dlq     {stack.dlq_url}")
        if watchlists_path.is_file():
            version = local.push_watchlists(watchlists_path)
            print(f"  watchlists from {watchlists_path} (version {version})")
        else:
            print(f"  no watchlists ({watchlists_path} not found): nothing will match")
        if args.demo is not None:
            return run_demo(local, args.demo)
        print(
            "Drop articles with `newswatch local drop FILE...` or "
            f"`aws --endpoint-url {local.endpoint_url} s3 cp FILE s3://{stack.bucket}/incoming/`."
            " Ctrl-C stops."
        )
        serve(local, workers=args.workers)
    except KeyboardInterrupt:
        print("\nstopping the local stack")
    finally:
        local.stop()
        # The process ends next: its final garbage collections over moto's state and the
        # loaded handlers took 2-3 s of the stop (measured, tests/test_local_stop.py). Frozen
        # objects are skipped by them; memory goes back to the OS all the same.
        gc.freeze()
    return 0


@contextlib.contextmanager
def _sigterm_as_interrupt() -> Iterator[None]:
    """SIGTERM (a process manager, `kill`) stops the stack the way Ctrl-C does, instead of
    killing it without its cleanup."""
    previous = signal.signal(signal.SIGTERM, signal.default_int_handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def run_drop(args: argparse.Namespace) -> int:
    from newswatch.local.runner import drop_files

    missing = [str(path) for path in args.files if not path.is_file()]
    if missing:
        raise NewswatchError(f"no such file: {', '.join(missing)}")
    stack = resolve_stack(endpoint_url=f"http://127.0.0.1:{args.port}")
    for path, key in drop_files(stack, args.files):
        print(f"{path} -> s3://{stack.bucket}/{key}")
    return 0


def run_digest(args: argparse.Namespace) -> int:
    from newswatch.local.console import scheduled_lines
    from newswatch.local.runner import run_scheduled_at
    from newswatch.local.template import find_template

    warnings.filterwarnings("ignore", message="No application metrics to publish")
    event: dict[str, Any] = {"now": True} if args.now else {}
    if args.watchlist:
        event["watchlist"] = args.watchlist
    template_path = (args.template or find_template()).resolve()
    runs = run_scheduled_at(template_path, args.endpoint_url, event, args.outbox)
    for line in scheduled_lines(runs):
        print(line)
    return 1 if any(run.error for run in runs) else 0
