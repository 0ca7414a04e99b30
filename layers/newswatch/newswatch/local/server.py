"""moto's HTTP server for the local stack, in a process of its own, made to hold up under the
stack's concurrent workers.

A process of its own: moto's request handling took 58 % of the load test's CPU, and in the
handler's process it shared one GIL with the workers, so the stack used one of two cores
(benchmarks/loadtest.py: 5 articles/s). :class:`MotoServerProcess` starts it as
``python -m newswatch.local.server``; the child never outlives its parent (it exits when its
stdin, a pipe from the parent, closes, which the kernel does when the parent dies).

Made to hold up: moto's DynamoDB is not thread-safe: TransactWriteItems deep-copies a table
while another request thread writes to it ("dictionary changed size during iteration": 379
failed transactions and 9 objects dead-lettered in a 1,000-article load test with 4 workers).
DynamoDB applies each request atomically; serialising moto's DynamoDB requests gives it that
guarantee and leaves the interleaving between requests, where workers race, as it is.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import os
import socket
import subprocess
import sys
import threading
import urllib.parse
from collections.abc import Callable, Iterable
from typing import IO, Any

from newswatch.errors import NewswatchError

# What the server answers with the alert topic's published messages, for the outbox: moto's own
# /moto-api/data.json dumps every model of every service (object bodies included), 0.6 s a call
# with 200 articles stored, growing with every object.
SENT_NOTIFICATIONS_PATH = "/newswatch-local/sent-notifications"
# tuned: the child imports moto and binds in about 1 s on an idle machine; a loaded one is slower.
START_TIMEOUT_SECONDS = 60.0
# tuned: an idle child exits within milliseconds of its stdin closing; a busy one is killed.
STOP_TIMEOUT_SECONDS = 1.0

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


def adapt_moto_server() -> None:
    """Make this process's moto fit for the local stack's server (call once, before it serves):
    DynamoDB requests one at a time."""
    _serialise_dynamodb_requests()


def _serialise_dynamodb_requests() -> None:
    from moto.dynamodb.responses import DynamoHandler

    lock = threading.RLock()
    call_action = DynamoHandler.call_action

    def one_at_a_time(self: DynamoHandler) -> Any:
        with lock:
            return call_action(self)

    DynamoHandler.call_action = one_at_a_time  # type: ignore[method-assign]


def with_sent_notifications(app: WsgiApp) -> WsgiApp:
    """``app``, answering ``GET SENT_NOTIFICATIONS_PATH?topic=ARN`` itself: the topic's
    published messages as JSON ``[[message_id, message, subject, attributes], ...]``."""

    def dispatch(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if environ.get("PATH_INFO") != SENT_NOTIFICATIONS_PATH:
            return app(environ, start_response)
        from moto.sns.models import sns_backends

        query = urllib.parse.parse_qs(environ.get("QUERY_STRING", ""))
        topic_arn = query.get("topic", [""])[0]
        sent: list[Any] = []
        if topic_arn.count(":") >= 5:
            _, _, _, region, account, _ = topic_arn.split(":", 5)
            topic = sns_backends[account][region].topics.get(topic_arn)
            if topic is not None:
                sent = [list(message[:4]) for message in list(topic.sent_notifications)]
        body = json.dumps(sent).encode()
        start_response(
            "200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))]
        )
        return [body]

    return dispatch


def serve(port: int) -> int:
    """The child: moto on 127.0.0.1:``port`` (0: any free port). Reports ``port N`` (or
    ``error TEXT``) as its first line of stdout, then serves until its stdin closes."""
    from moto.moto_server.werkzeug_app import (
        DomainDispatcherApplication,
        MotoRequestHandler,
        create_backend_app,
    )
    from werkzeug.serving import LISTEN_QUEUE, make_server

    from newswatch.local.notifications import complete_moto_notifications

    # One line per request would bury the alerts.
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    complete_moto_notifications()
    adapt_moto_server()
    app = with_sent_notifications(DomainDispatcherApplication(create_backend_app))
    # Bound here, not by werkzeug, which prints its own advice on a busy port and exits.
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    # Connections of a previous run in TIME_WAIT do not block the port, a listening server does.
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        listener.bind(("127.0.0.1", port))
        listener.listen(LISTEN_QUEUE)
    except OSError as error:
        print(f"error {error.strerror}", flush=True)
        return 1
    server = make_server(
        "127.0.0.1",
        port,
        app,
        threaded=True,
        request_handler=MotoRequestHandler,
        fd=listener.fileno(),
    )
    print(f"port {listener.getsockname()[1]}", flush=True)
    # Anything moto prints later goes where its log goes, not into the parent's pipe.
    sys.stdout = sys.stderr
    threading.Thread(target=server.serve_forever, daemon=True, name="moto-server").start()
    sys.stdin.buffer.read()  # until the parent closes it, or dies
    # At once: finalising moto's state would only delay the parent's stop.
    sys.stderr.flush()
    os._exit(0)


class MotoServerProcess:
    """moto's server in a child process on ``port`` (0: any free port); :meth:`start` returns
    the port it listens on."""

    def __init__(self, port: int) -> None:
        self._port = port
        self._process: subprocess.Popen[bytes] | None = None

    def start(self) -> int:
        # This interpreter, running this module.
        self._process = subprocess.Popen(  # noqa: S603
            [sys.executable, "-m", "newswatch.local.server", "--port", str(self._port)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            # Ctrl-C at a terminal reaches the parent alone: the server must outlive it long
            # enough for the parent to hand abandoned batches back to the queue.
            process_group=0,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
        assert self._process.stdout is not None and self._process.stderr is not None
        # The child's log (moto's tracebacks of failed requests) goes wherever this process's
        # stderr goes at the time, as it did while moto ran in this process.
        threading.Thread(
            target=_copy_lines, args=(self._process.stderr,), daemon=True, name="moto-log"
        ).start()
        first = _first_line(self._process.stdout, START_TIMEOUT_SECONDS)
        if first.startswith("port "):
            return int(first.split()[1])
        self.stop()
        if first.startswith("error "):
            raise NewswatchError(
                f"cannot listen on 127.0.0.1:{self._port} ({first[6:]}): is another local stack "
                "running? Choose another with --port"
            )
        raise NewswatchError(f"the local moto server did not start ({first or 'no answer'})")

    def stop(self) -> None:
        """Close the child's stdin (it exits), killing it if it does not within
        STOP_TIMEOUT_SECONDS. Safe to call twice."""
        process, self._process = self._process, None
        if process is None:
            return
        if process.stdin is not None:
            process.stdin.close()
        try:
            process.wait(STOP_TIMEOUT_SECONDS)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _first_line(stream: IO[bytes], timeout: float) -> str:
    """The first line of ``stream``, or "" if none came within ``timeout`` seconds."""
    lines: list[bytes] = []
    reader = threading.Thread(target=lambda: lines.append(stream.readline()), daemon=True)
    reader.start()
    reader.join(timeout)
    return lines[0].decode().strip() if lines else ""


def _copy_lines(stream: IO[bytes]) -> None:
    for line in stream:
        # A stderr closed since (a test's captured output) loses the line, nothing else.
        with contextlib.suppress(ValueError):
            sys.stderr.write(line.decode(errors="replace"))
            sys.stderr.flush()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m newswatch.local.server")
    parser.add_argument("--port", type=int, required=True)
    return serve(parser.parse_args(argv).port)


if __name__ == "__main__":
    sys.exit(main())
