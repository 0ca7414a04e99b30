"""The local stack: a moto server (in a child process, :mod:`newswatch.local.server`), the
template's resources in it, and a poller that plays Lambda's SQS event source for the real
ingest handler.

The handler runs unchanged: it gets the environment the template gives the function (plus
``AWS_ENDPOINT_URL``, so its clients talk to moto) and SQS batch events shaped like
Lambda's. As with Lambda, messages the handler reports in ``batchItemFailures`` (or the whole
batch, if it raises) stay on the queue and come back, and the queue's redrive policy moves a
message that keeps failing to the dead-letter queue. Only the wait differs: a failed message is
visible again after ``retry_delay_seconds`` instead of the full visibility timeout. The last
error of each failed message is recorded (:mod:`newswatch.aws.dead_letters`) for `dlq list`.

Concurrency as in Lambda: :class:`Dispatcher` runs several workers, each with its own copy of the
handler module (its own pipeline and clients, as a container has), so that the
process's main thread only waits and stops at once on Ctrl-C or SIGTERM.
"""

from __future__ import annotations

import contextlib
import importlib.util
import io
import json
import logging
import os
import queue
import re
import sys
import threading
import time
import traceback
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any

from newswatch.aws.dead_letters import DeadLetterLog
from newswatch.config import DEFAULT_INCOMING_PREFIX
from newswatch.errors import NewswatchError
from newswatch.events import ObjectRef, UnrecognisedEvent, object_refs_from_message
from newswatch.local.outbox import DeliveredAlert, Outbox
from newswatch.local.provision import provision
from newswatch.local.server import MotoServerProcess
from newswatch.local.template import (
    LOCAL_ACCOUNT_ID,
    LocalTemplate,
    Resource,
    TemplateError,
    load_template,
)
from newswatch.stack import (
    DEFAULT_LOCAL_PORT,
    LOCAL_CREDENTIALS,
    Stack,
    resolve_stack,
    stack_from_outputs,
)

if TYPE_CHECKING:
    from mypy_boto3_sqs import SQSClient

Handler = Callable[[dict[str, Any], Any], Any]

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class IngestFunction:
    """What the template says about the function that its queue triggers."""

    logical_id: str
    name: str
    handler_file: Path
    handler_name: str
    environment: dict[str, str]
    queue_arn: str
    queue_url: str
    batch_size: int
    timeout_seconds: int
    memory_mb: int


def ingest_function(template: LocalTemplate, template_dir: Path) -> IngestFunction:
    """The one function of the template with an SQS event source."""
    found = []
    for function in template.resources("AWS::Serverless::Function"):
        for event in (function.properties.get("Events") or {}).values():
            if event.get("Type") == "SQS":
                found.append((function, event["Properties"]))
    if len(found) != 1:
        raise TemplateError(f"expected one function triggered by SQS, found {len(found)}")
    function, trigger = found[0]
    queue_arn = str(trigger["Queue"])
    queue_name = queue_arn.rsplit(":", 1)[-1]
    return IngestFunction(
        **_function_fields(function, template_dir),
        queue_arn=queue_arn,
        queue_url=f"{template.endpoint_url}/{template.account_id}/{queue_name}",
        batch_size=int(trigger.get("BatchSize", 10)),
    )


def _function_fields(function: Resource, template_dir: Path) -> dict[str, Any]:
    """What every local function takes from its template resource: its name, its handler's
    file and name, its environment, timeout and memory (SAM's defaults where unset)."""
    properties = function.properties
    module_name, handler_name = str(properties["Handler"]).rsplit(".", 1)
    variables = (properties.get("Environment") or {}).get("Variables", {})
    return {
        "logical_id": function.logical_id,
        "name": function.physical_name,
        "handler_file": template_dir / str(properties["CodeUri"]) / f"{module_name}.py",
        "handler_name": handler_name,
        "environment": {name: str(value) for name, value in variables.items()},
        "timeout_seconds": int(properties.get("Timeout", 3)),
        "memory_mb": int(properties.get("MemorySize", 128)),
    }


@dataclass(frozen=True, slots=True)
class ScheduledFunction:
    """A function of the template on an EventBridge Scheduler schedule (the digest function),
    which the local stack invokes at the schedule's times as Scheduler would."""

    logical_id: str
    name: str
    handler_file: Path
    handler_name: str
    environment: dict[str, str]
    timeout_seconds: int
    memory_mb: int
    schedule: LocalSchedule


@dataclass(frozen=True, slots=True)
class LocalSchedule:
    """``cron(M * * * ? *)`` (minute M of every hour) or ``rate(N minutes|hours)``: the forms a
    local stack can keep; anything else stops it rather than running on another timetable."""

    period: timedelta
    offset: timedelta

    @classmethod
    def parse(cls, expression: str) -> LocalSchedule:
        hourly = _HOURLY_CRON.fullmatch(expression.strip())
        if hourly:
            return cls(period=timedelta(hours=1), offset=timedelta(minutes=int(hourly[1])))
        rate = _RATE.fullmatch(expression.strip())
        if rate and int(rate[1]) > 0:
            unit = "minutes" if rate[2].startswith("minute") else "hours"
            return cls(period=timedelta(**{unit: int(rate[1])}), offset=timedelta(0))
        raise TemplateError(
            f"the local stack runs schedules of the forms cron(M * * * ? *) and rate(N minutes|"
            f"hours) only, not {expression!r}: teach newswatch/local/runner.py this one"
        )

    def next_after(self, moment: datetime) -> datetime:
        """The first scheduled time after ``moment`` (periods counted from midnight UTC)."""
        midnight = moment.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
        elapsed = moment - midnight - self.offset
        return midnight + self.offset + (elapsed // self.period + 1) * self.period


_HOURLY_CRON = re.compile(r"cron\(([0-5]?\d) \* \* \* \? \*\)")
_RATE = re.compile(r"rate\((\d+) (minutes?|hours?)\)")


def scheduled_functions(template: LocalTemplate, template_dir: Path) -> list[ScheduledFunction]:
    """The functions of the template with a ScheduleV2 event, each with its schedule."""
    found = []
    for function in template.resources("AWS::Serverless::Function"):
        for event in (function.properties.get("Events") or {}).values():
            if event.get("Type") != "ScheduleV2":
                continue
            found.append(
                ScheduledFunction(
                    **_function_fields(function, template_dir),
                    schedule=LocalSchedule.parse(str(event["Properties"]["ScheduleExpression"])),
                )
            )
    return found


def shared_environment(functions: Iterable[IngestFunction | ScheduledFunction]) -> dict[str, str]:
    """The environment of all ``functions`` in one process: refused when two give one variable
    different values (each Lambda has its own; a local process has one)."""
    merged: dict[str, str] = {}
    for function in functions:
        for name, value in function.environment.items():
            if merged.setdefault(name, value) != value:
                raise TemplateError(
                    f"{function.logical_id} sets {name}={value!r}, another function "
                    f"{merged[name]!r}: the local stack runs them in one process, so give the "
                    "variable a name of its own"
                )
    return merged


@dataclass(frozen=True, slots=True)
class ScheduledRun:
    """One invocation of a scheduled function: its response (or error) and what it sent."""

    function: str
    response: Any
    error: str | None
    alerts: list[DeliveredAlert]


def announced_key_filters(template: LocalTemplate, queue_arn: str) -> list[tuple[str, str]]:
    """(prefix, suffix) of each notification that the template's buckets send to the queue."""
    filters = []
    for bucket in template.resources("AWS::S3::Bucket"):
        configurations = bucket.properties.get("NotificationConfiguration", {})
        for configuration in configurations.get("QueueConfigurations", []):
            if configuration["Queue"] != queue_arn:
                continue
            rules = configuration.get("Filter", {}).get("S3Key", {}).get("Rules", [])
            values = {rule["Name"].lower(): rule["Value"] for rule in rules}
            filters.append((values.get("prefix", ""), values.get("suffix", "")))
    return filters


@dataclass(slots=True)
class LocalLambdaContext:
    """The parts of Lambda's context object that handlers and Powertools read."""

    function_name: str
    memory_limit_in_mb: int
    invoked_function_arn: str
    timeout_seconds: int
    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    function_version: str = "$LATEST"
    log_group_name: str = "local"
    log_stream_name: str = "local"
    _deadline: float = field(default=0.0, repr=False)

    def __post_init__(self) -> None:
        self._deadline = time.monotonic() + self.timeout_seconds

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._deadline - time.monotonic()) * 1000))


@dataclass(frozen=True, slots=True)
class BatchResult:
    """One delivery of a batch to the handler."""

    succeeded: list[ObjectRef]
    failed_messages: int
    alerts: list[DeliveredAlert]


class LocalStack:
    """Start with :meth:`start` (or ``with``), feed the handler with :meth:`poll` (or a
    :class:`Dispatcher`), stop with :meth:`stop`. ``parameters`` override template parameters
    (e.g. ``LogLevel``)."""

    def __init__(
        self,
        template_path: Path,
        *,
        port: int = DEFAULT_LOCAL_PORT,
        outbox_dir: Path = Path("outbox"),
        parameters: Mapping[str, str] | None = None,
        retry_delay_seconds: int = 2,
    ) -> None:
        self.template_path = template_path.resolve()
        self.port = port
        self.endpoint_url = f"http://127.0.0.1:{port}"
        self.outbox_dir = outbox_dir
        self._parameters = dict(parameters or {})
        self._retry_delay_seconds = retry_delay_seconds
        self._server: MotoServerProcess | None = None
        self._saved_environment: dict[str, str | None] = {}
        self._stack: Stack | None = None
        self._function: IngestFunction | None = None
        self._scheduled: list[ScheduledFunction] = []
        self._scheduled_handlers: dict[str, Handler] = {}
        self._handlers: dict[int, Handler] = {}
        self._handlers_lock = threading.Lock()
        self._outbox: Outbox | None = None
        self._outbox_lock = threading.Lock()
        self._sqs: SQSClient | None = None
        self._dead_letter_log: DeadLetterLog | None = None
        # worker -> receipt handles of the batch it is in, for hand_back() on a stop.
        self._in_flight: dict[int, list[str]] = {}
        self._output: _HandlerOutput | None = None
        self._failure_log: _RecordFailureLog | None = None
        self._key_filters: list[tuple[str, str]] = []

    @property
    def stack(self) -> Stack:
        if self._stack is None:
            raise NewswatchError("the local stack is not started")
        return self._stack

    def start(self) -> Stack:
        """Start moto, create the template's resources, and load the handler."""
        self._server = MotoServerProcess(self.port)
        try:
            # Port 0 means any free port.
            self.port = self._server.start()
            self.endpoint_url = f"http://127.0.0.1:{self.port}"
            template = LocalTemplate(
                load_template(self.template_path),
                endpoint_url=self.endpoint_url,
                parameters=self._parameters,
            )
            function = ingest_function(template, self.template_path.parent)
            self._key_filters = announced_key_filters(template, function.queue_arn)
            declared = stack_from_outputs(
                template.outputs(), region=template.region, endpoint_url=self.endpoint_url
            )
            provision(template, declared, self.template_path)
            # Read back the way every other command will find it.
            self._stack = resolve_stack(endpoint_url=self.endpoint_url)
            self._function = function
            self._scheduled = scheduled_functions(template, self.template_path.parent)
            self._set_environment(function, self._scheduled)
            self._output = _HandlerOutput.install()
            self._handlers = {0: _load_handler(function, worker=0)}
            # After the first handler: Powertools' Logger of a later copy (another worker, the
            # digest function) takes the service logger's first handler as its own.
            self._failure_log = _RecordFailureLog.attach(
                function.environment.get("POWERTOOLS_SERVICE_NAME", "service_undefined")
            )
            self._outbox = Outbox(
                self.endpoint_url,
                self._stack.topic_arn,
                self.outbox_dir,
                self._stack.sns(),
            )
            self._sqs = self._stack.sqs()
            self._dead_letter_log = DeadLetterLog(
                self._stack.dynamodb(), table_name=self._stack.table
            )
        except BaseException:
            self.stop()
            raise
        return self._stack

    def stop(self) -> None:
        """Stop the server and give the process its environment back. Safe to call twice."""
        for name, value in self._saved_environment.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        self._saved_environment = {}
        if self._failure_log is not None:
            self._failure_log.detach()
            self._failure_log = None
        if self._output is not None:
            self._output.uninstall()
            self._output = None
        if self._server is not None:
            self._server.stop()
            self._server = None

    def __enter__(self) -> LocalStack:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def is_announced(self, key: str) -> bool:
        """Whether the bucket notifies the ingest queue of an object created at ``key``."""
        return any(key.startswith(p) and key.endswith(s) for p, s in self._key_filters)

    @property
    def announced(self) -> str:
        """The announced keys, for people: ``incoming/*.html, incoming/*.htm``."""
        return ", ".join(f"{prefix}*{suffix}" for prefix, suffix in self._key_filters)

    def push_watchlists(self, path: Path) -> str:
        """Validate and store the watchlists of ``path`` and subscribe the people their
        ``notify:`` names, as ``watchlists push`` does; returns the stored version."""
        from newswatch.aws.sns_subscriptions import TopicSubscriptions
        from newswatch.watchlists import load_watchlists

        watchlists = load_watchlists(path)
        stack = self.stack
        subscriptions = TopicSubscriptions(
            stack.sns(), stack.dynamodb(), topic_arn=stack.topic_arn, table_name=stack.table
        )
        subscriptions.reconcile(watchlists, dry_run=True)  # refuses before any write
        version = stack.watchlist_store().replace(watchlists)
        subscriptions.reconcile(watchlists)
        return version

    def poll(self, wait_seconds: int = 1, *, worker: int = 0) -> BatchResult:
        """Receive one batch (waiting up to ``wait_seconds``), hand it to ``worker``'s copy of
        the handler as Lambda would, and settle each message by the handler's answer."""
        function, outbox, sqs = self._function, self._outbox, self._sqs
        if function is None or outbox is None or sqs is None:
            raise NewswatchError("the local stack is not started")
        # Concurrent receives are safe: the local server makes each one atomic, as SQS does.
        messages = sqs.receive_message(
            QueueUrl=function.queue_url,
            MaxNumberOfMessages=function.batch_size,
            WaitTimeSeconds=wait_seconds,
            MessageSystemAttributeNames=["All"],
            MessageAttributeNames=["All"],
        ).get("Messages", [])
        if not messages:
            return BatchResult(succeeded=[], failed_messages=0, alerts=[])
        self._in_flight[worker] = [message["ReceiptHandle"] for message in messages]
        try:
            return self._settle(messages, worker)
        finally:
            self._in_flight.pop(worker, None)

    def hand_back(self, worker: int) -> int:
        """Make the batch that ``worker`` was cut off in visible again at once, so that the
        next poll (a restarted worker) retries it; Lambda would leave it hidden for the whole
        visibility timeout. Returns how many messages went back."""
        handles = self._in_flight.pop(worker, [])
        if handles and self._sqs is not None and self._function is not None:
            self._sqs.change_message_visibility_batch(
                QueueUrl=self._function.queue_url,
                Entries=[
                    {"Id": str(index), "ReceiptHandle": handle, "VisibilityTimeout": 0}
                    for index, handle in enumerate(handles)
                ],
            )
        return len(handles)

    def _settle(self, messages: list[Any], worker: int) -> BatchResult:
        """Hand ``messages`` to ``worker``'s handler; delete what succeeded, retry the rest."""
        function, outbox, sqs = self._function, self._outbox, self._sqs
        if function is None or outbox is None or sqs is None:
            raise NewswatchError("the local stack is not started")
        event = {"Records": [self._lambda_record(message) for message in messages]}
        failed_ids = self._failed_message_ids(event, worker)
        succeeded: list[ObjectRef] = []
        for message in messages:
            if message["MessageId"] in failed_ids:
                sqs.change_message_visibility(
                    QueueUrl=function.queue_url,
                    ReceiptHandle=message["ReceiptHandle"],
                    VisibilityTimeout=self._retry_delay_seconds,
                )
                continue
            sqs.delete_message(QueueUrl=function.queue_url, ReceiptHandle=message["ReceiptHandle"])
            # A message the handler accepted without an object in it has nothing to report.
            with contextlib.suppress(UnrecognisedEvent):
                succeeded.extend(object_refs_from_message(message["Body"]))
        with self._outbox_lock:
            alerts = outbox.collect()
        return BatchResult(succeeded=succeeded, failed_messages=len(failed_ids), alerts=alerts)

    def dead_letters(self) -> int:
        """How many messages wait in the dead-letter queue."""
        if self._sqs is None:
            raise NewswatchError("the local stack is not started")
        attributes = self._sqs.get_queue_attributes(
            QueueUrl=self.stack.dlq_url, AttributeNames=["ApproximateNumberOfMessages"]
        )["Attributes"]
        return int(attributes["ApproximateNumberOfMessages"])

    def next_scheduled_run(self, after: datetime) -> datetime | None:
        """When a scheduled function (the digest) next runs after ``after``; ``None`` if the
        template has none."""
        return min((f.schedule.next_after(after) for f in self._scheduled), default=None)

    def run_scheduled(self, event: dict[str, Any] | None = None) -> list[ScheduledRun]:
        """Invoke every scheduled function once, with ``event`` (Scheduler sends ``{}``), and
        collect what it sent. An error is reported, not raised: Scheduler would retry, and the
        next run sends what this one left."""
        if self._outbox is None:
            raise NewswatchError("the local stack is not started")
        runs = []
        for function in self._scheduled:
            with self._handlers_lock:
                if function.logical_id not in self._scheduled_handlers:
                    self._scheduled_handlers[function.logical_id] = _load_handler(
                        function, worker=0
                    )
                handler = self._scheduled_handlers[function.logical_id]
            response, error = None, None
            try:
                response = handler(dict(event or {}), self._context_of(function))
            except Exception as failure:
                error = _one_line(failure)
            with self._outbox_lock:
                alerts = self._outbox.collect()
            runs.append(ScheduledRun(function.logical_id, response, error, alerts))
        return runs

    def _context_of(self, function: IngestFunction | ScheduledFunction) -> LocalLambdaContext:
        return lambda_context(function, self.stack.region)

    def invoke(self, event: dict[str, Any], *, worker: int = 0) -> Any:
        """Call ``worker``'s handler with ``event`` and a Lambda-like context; returns its
        response."""
        function = self._function
        if function is None:
            raise NewswatchError("the local stack is not started")
        handler = self._handler_of(worker)
        return handler(event, self._context_of(function))

    def _handler_of(self, worker: int) -> Handler:
        """``worker``'s own copy of the handler module, loaded on its first batch (a cold
        start): module-level state such as the pipeline is per container in Lambda."""
        function = self._function
        if function is None:
            raise NewswatchError("the local stack is not started")
        with self._handlers_lock:
            if worker not in self._handlers:
                self._handlers[worker] = _load_handler(function, worker=worker)
            return self._handlers[worker]

    def _failed_message_ids(self, event: dict[str, Any], worker: int) -> set[str]:
        """The ids of the messages that failed: those the handler reports, or all of them if
        it raises (Lambda retries the whole batch then). Each one's error is recorded."""
        all_ids = {record["messageId"] for record in event["Records"]}
        if self._failure_log is None:
            raise NewswatchError("the local stack is not started")
        with self._failure_log.capture() as logged:
            try:
                response = self.invoke(event, worker=worker)
            except Exception as error:
                traceback.print_exc()
                failed, raised = all_ids, _one_line(error)
            else:
                failures = (response or {}).get("batchItemFailures", [])
                failed = {str(failure["itemIdentifier"]) for failure in failures} & all_ids
                raised = "the handler reported the record as failed (see its log above)"
        self._record_failures(event, failed, logged, raised)
        return failed

    def _record_failures(
        self, event: dict[str, Any], failed: set[str], logged: Mapping[str, str], fallback: str
    ) -> None:
        """Keep each failed message's last error where `newswatch dlq list` reads it."""
        if self._dead_letter_log is None:
            return
        for record in event["Records"]:
            message_id = record["messageId"]
            if message_id not in failed:
                continue
            try:
                self._dead_letter_log.record_failure(
                    message_id,
                    logged.get(message_id, fallback),
                    receive_count=int(record["attributes"].get("ApproximateReceiveCount", 0)),
                    recorded_by="local runner",
                )
            except Exception:
                # The message is retried all the same; only its error text is lost.
                logger.warning("could not record the error of message %s", message_id)

    def _lambda_record(self, message: Mapping[str, Any]) -> dict[str, Any]:
        """An SQS message as Lambda's event source mapping hands it to a function."""
        return {
            "messageId": message["MessageId"],
            "receiptHandle": message["ReceiptHandle"],
            "body": message["Body"],
            "attributes": dict(message.get("Attributes", {})),
            "messageAttributes": {
                name: {
                    "stringValue": value.get("StringValue"),
                    "binaryValue": value.get("BinaryValue"),
                    "stringListValues": [],
                    "binaryListValues": [],
                    "dataType": value.get("DataType", "String"),
                }
                for name, value in message.get("MessageAttributes", {}).items()
            },
            "md5OfBody": message.get("MD5OfBody", ""),
            "eventSource": "aws:sqs",
            "eventSourceARN": self._function.queue_arn if self._function else "",
            "awsRegion": self.stack.region,
        }

    def _set_environment(
        self, function: IngestFunction, scheduled: Iterable[ScheduledFunction] = ()
    ) -> None:
        environment = {
            **shared_environment([function, *scheduled]),
            **local_aws_environment(self.endpoint_url, self.stack.region),
            "AWS_LAMBDA_FUNCTION_NAME": function.name,
        }
        for name, value in environment.items():
            self._saved_environment.setdefault(name, os.environ.get(name))
            os.environ[name] = value
        # A developer's session token would not belong to the local keys.
        token = os.environ.pop("AWS_SESSION_TOKEN", None)
        self._saved_environment.setdefault("AWS_SESSION_TOKEN", token)


def lambda_context(function: IngestFunction | ScheduledFunction, region: str) -> LocalLambdaContext:
    """A fresh Lambda-like context for one invocation of ``function``."""
    return LocalLambdaContext(
        function_name=function.name,
        memory_limit_in_mb=function.memory_mb,
        invoked_function_arn=f"arn:aws:lambda:{region}:{LOCAL_ACCOUNT_ID}:function:{function.name}",
        timeout_seconds=function.timeout_seconds,
    )


def local_aws_environment(endpoint_url: str, region: str) -> dict[str, str]:
    """What points a handler's boto3 clients at the local stack, with its fixed credentials."""
    return {
        "AWS_ENDPOINT_URL": endpoint_url,
        "AWS_DEFAULT_REGION": region,
        "AWS_REGION": region,
        "AWS_ACCESS_KEY_ID": LOCAL_CREDENTIALS["aws_access_key_id"],
        "AWS_SECRET_ACCESS_KEY": LOCAL_CREDENTIALS["aws_secret_access_key"],
    }


class _HandlerOutput(io.TextIOBase):
    """``sys.stdout`` while a local stack runs: the handlers' output, whole lines at a time
    (workers print concurrently), without their EMF metric records. Those mean something only
    to CloudWatch, and locally one per invocation would bury the alerts. (Turning metrics off
    with POWERTOOLS_METRICS_DISABLED is no answer: Powertools then never clears them.)"""

    def __init__(self, target: Any) -> None:
        self._target = target
        self._partial = threading.local()
        self._lock = threading.Lock()

    @classmethod
    def install(cls) -> _HandlerOutput:
        output = cls(sys.stdout)
        sys.stdout = output
        return output

    def uninstall(self) -> None:
        """Hand ``sys.stdout`` back. A logger that kept this stream still reaches the target."""
        if sys.stdout is self:
            sys.stdout = self._target

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        *lines, rest = (getattr(self._partial, "text", "") + text).split("\n")
        self._partial.text = rest
        shown = [line for line in lines if not _is_metric_record(line)]
        if shown and not getattr(self._target, "closed", False):
            with self._lock:
                self._target.write("".join(f"{line}\n" for line in shown))
                self._target.flush()
        return len(text)

    def flush(self) -> None:
        # A logger may keep this stream after the stack stopped, and its target be closed
        # since (a test's captured output): nothing is lost that was ever shown.
        if not getattr(self._target, "closed", False):
            self._target.flush()

    def close(self) -> None:
        """The target is not ours to close."""


def _is_metric_record(line: str) -> bool:
    if not line.startswith("{"):
        return False
    try:
        record = json.loads(line)
    except ValueError:
        return False
    return isinstance(record, dict) and "_aws" in record


class _RecordFailureLog(logging.Handler):
    """Catches what the handler logs about a failed record (``message_id`` and the exception)
    on the current thread, so the runner can record it as the message's last error."""

    def __init__(self, logger_name: str) -> None:
        super().__init__(level=logging.ERROR)
        self._logger_name = logger_name
        self._captured = threading.local()

    @classmethod
    def attach(cls, logger_name: str) -> _RecordFailureLog:
        failure_log = cls(logger_name)
        logging.getLogger(logger_name).addHandler(failure_log)
        return failure_log

    def detach(self) -> None:
        logging.getLogger(self._logger_name).removeHandler(self)

    @contextlib.contextmanager
    def capture(self) -> Iterator[dict[str, str]]:
        """Message id -> last error, of what this thread logs meanwhile."""
        captured: dict[str, str] = {}
        self._captured.errors = captured
        try:
            yield captured
        finally:
            self._captured.errors = None

    def emit(self, record: logging.LogRecord) -> None:
        errors: dict[str, str] | None = getattr(self._captured, "errors", None)
        message_id = getattr(record, "message_id", None)
        if errors is None or not message_id or not record.exc_info:
            return
        error = record.exc_info[1]
        errors[str(message_id)] = _one_line(error) if error else record.getMessage()


def _one_line(error: BaseException) -> str:
    """``ClientError: An error occurred (ThrottlingException) ...``: the type and message."""
    return "".join(traceback.format_exception_only(error)).strip().splitlines()[-1]


class Dispatcher:
    """Lambda's SQS event source with concurrency: ``workers`` threads, each polling the queue
    and invoking its own copy of the handler, hand their results to :meth:`next_result`.

    The caller's thread only waits, so Ctrl-C and SIGTERM reach it at once; :meth:`stop` does
    not wait for an object in progress longer than its timeout, and hands the abandoned batch
    back to the queue at once (Lambda would leave it hidden for the visibility timeout).
    """

    def __init__(self, local: LocalStack, *, workers: int = 1, wait_seconds: int = 1) -> None:
        if workers < 1:
            raise NewswatchError("at least one worker is needed")
        self._local = local
        self._wait_seconds = wait_seconds
        self._stopping = threading.Event()
        self._results: queue.Queue[BatchResult] = queue.Queue()
        self._threads = [
            threading.Thread(target=self._work, args=(worker,), name=f"handler-{worker}")
            for worker in range(workers)
        ]
        for thread in self._threads:
            # A worker stuck in an object must not keep the process alive after a stop.
            thread.daemon = True

    def start(self) -> Dispatcher:
        for thread in self._threads:
            thread.start()
        return self

    def next_result(self, timeout: float) -> BatchResult | None:
        """The next batch any worker finished, or None after ``timeout`` seconds."""
        try:
            return self._results.get(timeout=timeout)
        except queue.Empty:
            return None

    def stop(self, timeout: float = 1.0) -> bool:
        """Ask every worker to stop; wait at most ``timeout`` seconds in all. True if all
        stopped, False if one is still in an object (it is abandoned, its batch handed back)."""
        self._stopping.set()
        deadline = time.monotonic() + timeout
        for thread in self._threads:
            thread.join(max(0.0, deadline - time.monotonic()))
        abandoned = [worker for worker, thread in enumerate(self._threads) if thread.is_alive()]
        for worker in abandoned:
            try:
                self._local.hand_back(worker)
            except Exception:
                # The server went first: nothing is left to hand back to.
                logger.warning("worker %d: could not hand its batch back", worker)
        return not abandoned

    def _work(self, worker: int) -> None:
        while not self._stopping.is_set():
            try:
                result = self._local.poll(wait_seconds=self._wait_seconds, worker=worker)
            except Exception:
                if self._stopping.is_set():
                    return  # the server went first
                logger.exception("worker %d: poll failed; trying again", worker)
                self._stopping.wait(1)
                continue
            if result.succeeded or result.failed_messages or result.alerts:
                self._results.put(result)


def _load_handler(function: IngestFunction | ScheduledFunction, *, worker: int) -> Handler:
    """Import the handler module from its file, afresh (so its module-level clients bind to
    this stack, and each worker has its own, as each Lambda container does), with its
    directory on ``sys.path`` as in Lambda."""
    if not function.handler_file.is_file():
        raise TemplateError(f"the template's handler file {function.handler_file} is missing")
    code_dir = str(function.handler_file.parent)
    if code_dir not in sys.path:
        sys.path.insert(0, code_dir)
    spec = importlib.util.spec_from_file_location(
        f"newswatch_local_{function.logical_id}_{worker}", function.handler_file
    )
    if spec is None or spec.loader is None:
        raise TemplateError(f"cannot import {function.handler_file}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    handler = getattr(module, function.handler_name, None)
    if not callable(handler):
        raise TemplateError(f"{function.handler_file} defines no {function.handler_name}()")
    return handler  # type: ignore[no-any-return]


def run_scheduled_at(
    template_path: Path, endpoint_url: str, event: dict[str, Any], outbox_dir: Path
) -> list[ScheduledRun]:
    """Invoke the template's scheduled functions once in this process against the local stack
    running at ``endpoint_url`` (``newswatch local digest``), as ``sam local invoke`` would;
    the messages they send are written to ``outbox_dir`` like the running stack's."""
    stack = resolve_stack(endpoint_url=endpoint_url)
    # As `newswatch local` runs its handlers: warnings only, no metric records on the terminal.
    template = LocalTemplate(
        load_template(template_path), endpoint_url=endpoint_url, parameters={"LogLevel": "WARN"}
    )
    functions = scheduled_functions(template, template_path.parent)
    os.environ.update(
        {
            **shared_environment(functions),
            **local_aws_environment(endpoint_url, stack.region),
        }
    )
    os.environ.pop("AWS_SESSION_TOKEN", None)
    outbox = Outbox(endpoint_url, stack.topic_arn, outbox_dir, stack.sns())
    outbox.skip_published()  # the running stack wrote those
    runs = []
    output = _HandlerOutput.install()
    try:
        for function in functions:
            handler = _load_handler(function, worker=0)
            response, error = None, None
            try:
                response = handler(dict(event), lambda_context(function, stack.region))
            except Exception as failure:
                error = _one_line(failure)
            runs.append(ScheduledRun(function.logical_id, response, error, outbox.collect()))
    finally:
        output.uninstall()
    return runs


def drop_files(
    stack: Stack, files: Iterable[Path], prefix: str = DEFAULT_INCOMING_PREFIX
) -> list[tuple[Path, str]]:
    """Upload ``files`` to the stack's bucket under ``prefix``; returns (file, key) pairs."""
    s3 = stack.s3()
    dropped = []
    for path in files:
        key = f"{prefix}{path.name}"
        try:
            s3.upload_file(str(path), stack.bucket, key)
        except OSError as error:
            raise NewswatchError(f"cannot read {path}: {error}") from None
        dropped.append((path, key))
    return dropped
