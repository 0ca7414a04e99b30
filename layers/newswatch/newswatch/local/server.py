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
import copy
import json
import logging
import os
import socket
import subprocess
import sys
import threading
import urllib.parse
from collections import defaultdict
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
    DynamoDB requests one at a time, queue operations atomic, and no request whose cost grows
    with the table."""
    _serialise_dynamodb_requests()
    _serialise_queue_operations()
    _query_one_partition()
    _back_up_written_items_only()
    _read_retention_directly()
    _count_messages_in_one_clock_reading()
    _list_services_once()


def _serialise_dynamodb_requests() -> None:
    from moto.dynamodb.responses import DynamoHandler

    lock = threading.RLock()
    call_action = DynamoHandler.call_action

    def one_at_a_time(self: DynamoHandler) -> Any:
        with lock:
            return call_action(self)

    DynamoHandler.call_action = one_at_a_time  # type: ignore[method-assign]


# SQS operations that read and change a queue's messages, made atomic.
_QUEUE_OPERATIONS = (
    "send_message",
    "send_message_batch",
    "delete_message",
    "delete_message_batch",
    "change_message_visibility",
    "change_message_visibility_batch",
    "purge_queue",
    "get_queue_attributes",
)


def _serialise_queue_operations() -> None:
    """moto's SQS is not thread-safe either: two workers' concurrent ReceiveMessage calls walk
    one message list, and one can mark a message received that neither returns (or fail on
    the other's move of a message to the dead-letter queue, after marking some), leaving it
    invisible until its visibility timeout: the 5,000-article load test sat idle for 95 s
    waiting on such messages. Each operation runs alone, as SQS applies it atomically; a long
    poll waits between its attempts without holding the lock, so sends go on meanwhile."""
    from moto.core.utils import unix_time
    from moto.sqs.models import SQSBackend

    lock = threading.RLock()

    def atomic(operation: Callable[..., Any]) -> Callable[..., Any]:
        def alone(*args: Any, **kwargs: Any) -> Any:
            with lock:
                return operation(*args, **kwargs)

        return alone

    for name in _QUEUE_OPERATIONS:
        setattr(SQSBackend, name, atomic(getattr(SQSBackend, name)))
    receive_message = SQSBackend.receive_message

    def receive_atomically(
        self: SQSBackend,
        queue_name: str,
        count: int,
        wait_seconds_timeout: int,
        visibility_timeout: int,
        message_attribute_names: list[str] | None = None,
    ) -> Any:
        polling_end = unix_time() + wait_seconds_timeout
        while True:
            with lock:
                received = receive_message(
                    self, queue_name, count, 0, visibility_timeout, message_attribute_names
                )
            remaining = polling_end - unix_time()
            if received or remaining <= 0:
                return received
            # Woken by a send (moto notifies this condition), or again after a second.
            self.get_queue(queue_name).wait_for_messages(min(1, remaining))  # type: ignore[arg-type]

    SQSBackend.receive_message = receive_atomically  # type: ignore[method-assign]


def _query_one_partition() -> None:
    """moto answers a Query of a table (not an index) by sorting every item of the table and
    keeping the partition's: 20 % of the server's CPU with 400 articles stored, growing with
    each one. The same answer from the partition alone: the table shows the query only that
    partition's items (safe, as DynamoDB requests run one at a time)."""
    from moto.dynamodb.models.dynamo_type import DynamoType
    from moto.dynamodb.models.table import Table

    query = Table.query

    def one_partition(
        self: Table,
        hash_key: DynamoType | None,
        range_comparison: str | None,
        range_objs: list[DynamoType],
        limit: int,
        exclusive_start_key: dict[str, Any],
        scan_index_forward: bool,
        projection_expressions: list[list[str]] | None,
        index_name: str | None = None,
        *args: Any,
        **kwargs: Any,
    ) -> Any:
        arguments = (
            hash_key,
            range_comparison,
            range_objs,
            limit,
            exclusive_start_key,
            scan_index_forward,
            projection_expressions,
            index_name,
            *args,
        )
        if index_name is not None or hash_key is None:
            return query(self, *arguments, **kwargs)
        every_partition = self.items
        self.items = defaultdict(dict)
        if hash_key in every_partition:
            self.items[hash_key] = every_partition[hash_key]
        try:
            return query(self, *arguments, **kwargs)
        finally:
            self.items = every_partition

    Table.query = one_partition  # type: ignore[method-assign]


def _back_up_written_items_only() -> None:
    """To roll a cancelled TransactWriteItems back, moto deep-copies each table it writes, whole,
    once per item of the transaction: 11 % of the server's CPU with 400 articles stored,
    growing with each one. Backing up the items the transaction writes, and restoring those,
    undoes the same writes (the template's tables have no streams, whose records a whole copy
    would also roll back)."""
    from moto.dynamodb import models
    from moto.dynamodb.models.dynamo_type import DynamoType
    from moto.dynamodb.models.table import Table

    transact_write_items = models.DynamoDBBackend.transact_write_items

    class TablesNotCopied:
        """Stands in for the copy module in moto's DynamoDB backend: a table is its own copy,
        anything else (an item before an update) is deep-copied."""

        @staticmethod
        def deepcopy(value: Any, memo: dict[int, Any] | None = None) -> Any:
            return value if isinstance(value, Table) else copy.deepcopy(value, memo)

    models.copy = TablesNotCopied  # type: ignore[attr-defined,assignment]

    def key_of(table: Table, operation: dict[str, Any]) -> tuple[DynamoType, DynamoType | None]:
        key = operation.get("Key") or operation["Item"]
        range_key = table.range_key_attr
        return (
            DynamoType(key[table.hash_key_attr]),
            DynamoType(key[range_key]) if range_key else None,
        )

    def restore(
        table: Table, hash_key: DynamoType, range_key: DynamoType | None, item: Any
    ) -> None:
        if range_key is None:
            if item is None:
                table.items.pop(hash_key, None)
            else:
                table.items[hash_key] = item
        elif item is None:
            table.items.get(hash_key, {}).pop(range_key, None)
        else:
            table.items[hash_key][range_key] = item

    def backed_up(self: models.DynamoDBBackend, transact_items: list[dict[str, Any]]) -> None:
        before = []
        for entry in transact_items:
            operation: dict[str, Any] = next(iter(entry.values()), {})
            table = self.tables.get(operation.get("TableName", ""))
            if table is None:
                continue  # moto refuses it, writing nothing
            try:
                hash_key, range_key = key_of(table, operation)
            except (KeyError, TypeError):
                continue  # no key: moto refuses it too
            current = table.get_item(hash_key, range_key)
            before.append((table, hash_key, range_key, copy.deepcopy(current)))
        try:
            transact_write_items(self, transact_items)
        except BaseException:
            # Last first: an item written twice gets its state before the first write.
            for table, hash_key, range_key, item in reversed(before):
                restore(table, hash_key, range_key, item)
            raise

    models.DynamoDBBackend.transact_write_items = backed_up  # type: ignore[method-assign]


def _read_retention_directly() -> None:
    """ReceiveMessage checks each message it hands out against the queue's retention period,
    which moto reads by computing every attribute of the queue three times, each count of
    messages a walk of the whole queue: with the load test's backlog of thousands, 17 % of the
    server's CPU, growing with the backlog. The same check on the queue's own setting."""
    from moto.core.utils import unix_time
    from moto.sqs.models import Message, SQSBackend

    def is_retained(self: SQSBackend, queue_name: str, message: Message) -> bool:
        queue = self.get_queue(queue_name)
        retention_period = int(queue.message_retention_period)  # type: ignore[attr-defined]
        return retention_period + message.sent_timestamp / 1000 > unix_time()  # type: ignore[operator]

    SQSBackend.is_message_valid_based_on_retention_period = is_retained  # type: ignore[method-assign]


def _count_messages_in_one_clock_reading() -> None:
    """Every SendMessage (each S3 notification) computes all of its queue's attributes, and
    moto counts each of the three message numbers in a walk of the queue that reads the clock
    twice per message: with the load test's backlog, 7 % of the server's CPU at 1,000 articles
    and growing with the backlog. The same counts, reading the clock once per count."""
    from moto.core.utils import unix_time_millis
    from moto.sqs.models import Queue

    def waiting(queue: Queue) -> int:
        now = unix_time_millis()
        return sum(1 for m in queue._messages if m.visible_at < now and now >= m.delayed_until)

    def delayed(queue: Queue) -> int:
        now = unix_time_millis()
        return sum(1 for m in queue._messages if now < m.delayed_until)

    def not_visible(queue: Queue) -> int:
        now = unix_time_millis()
        return sum(1 for m in queue._messages if m.visible_at >= now)

    Queue.approximate_number_of_messages = property(waiting)  # type: ignore[assignment]
    Queue.approximate_number_of_messages_delayed = property(delayed)  # type: ignore[assignment]
    Queue.approximate_number_of_messages_not_visible = property(not_visible)  # type: ignore[assignment]


def _list_services_once() -> None:
    """moto lists its package directory (a stat of each of its 170 entries) on every request to
    tell whether the Host header names a service: 4 % of the server's CPU."""
    from moto import backends

    services = tuple(backends.list_of_moto_modules())
    backends.list_of_moto_modules = lambda: services


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
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app
    from werkzeug.serving import LISTEN_QUEUE, make_server

    from newswatch.local.keep_alive import KeepAliveRequestHandler
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
        request_handler=KeepAliveRequestHandler,
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
