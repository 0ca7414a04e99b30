"""The local stack: an embedded moto server, the template's resources in it, and a poller that
plays Lambda's SQS event source for the real ingest handler.

The handler runs unchanged: it gets the environment the template gives the function (plus
``AWS_ENDPOINT_URL``, so its boto3 clients talk to moto) and SQS batch events shaped like
Lambda's. As with Lambda, messages the handler reports in ``batchItemFailures`` (or the whole
batch, if it raises) stay on the queue and come back, and the queue's redrive policy moves a
message that keeps failing to the dead-letter queue. Only the wait differs: a failed message is
visible again after ``retry_delay_seconds`` instead of the full visibility timeout.
"""

from __future__ import annotations

import contextlib
import importlib.util
import io
import json
import logging
import os
import socket
import sys
import time
import traceback
import urllib.request
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any

from newswatch.config import DEFAULT_INCOMING_PREFIX
from newswatch.errors import NewswatchError
from newswatch.events import ObjectRef, UnrecognisedEvent, object_refs_from_message
from newswatch.local.outbox import DeliveredAlert, Outbox
from newswatch.local.provision import provision
from newswatch.local.template import (
    LOCAL_ACCOUNT_ID,
    LocalTemplate,
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
    properties = function.properties
    module_name, handler_name = str(properties["Handler"]).rsplit(".", 1)
    queue_arn = str(trigger["Queue"])
    queue_name = queue_arn.rsplit(":", 1)[-1]
    return IngestFunction(
        logical_id=function.logical_id,
        name=function.physical_name,
        handler_file=template_dir / str(properties["CodeUri"]) / f"{module_name}.py",
        handler_name=handler_name,
        environment={
            name: str(value)
            for name, value in (properties.get("Environment") or {}).get("Variables", {}).items()
        },
        queue_arn=queue_arn,
        queue_url=f"{template.endpoint_url}/{template.account_id}/{queue_name}",
        batch_size=int(trigger.get("BatchSize", 10)),
        timeout_seconds=int(properties.get("Timeout", 3)),
        memory_mb=int(properties.get("MemorySize", 128)),
    )


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
    """Start with :meth:`start` (or ``with``), feed the handler with :meth:`poll`, stop with
    :meth:`stop`. ``parameters`` override template parameters (e.g. ``LogLevel``)."""

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
        self._server: Any = None
        self._saved_environment: dict[str, str | None] = {}
        self._stack: Stack | None = None
        self._function: IngestFunction | None = None
        self._handler: Handler | None = None
        self._outbox: Outbox | None = None
        self._sqs: SQSClient | None = None
        self._key_filters: list[tuple[str, str]] = []

    @property
    def stack(self) -> Stack:
        if self._stack is None:
            raise NewswatchError("the local stack is not started")
        return self._stack

    def start(self) -> Stack:
        """Start moto, create the template's resources, and load the handler."""
        from moto.server import ThreadedMotoServer

        # moto's server thread dies silently (and start() waits forever) if it cannot bind:
        # claim the port first. Port 0 means any free port.
        self.port = _free_port(self.port)
        self.endpoint_url = f"http://127.0.0.1:{self.port}"
        template = LocalTemplate(
            load_template(self.template_path),
            endpoint_url=self.endpoint_url,
            parameters=self._parameters,
        )
        function = ingest_function(template, self.template_path.parent)
        self._key_filters = announced_key_filters(template, function.queue_arn)
        # One line per request would bury the alerts.
        logging.getLogger("werkzeug").setLevel(logging.WARNING)
        self._server = ThreadedMotoServer(ip_address="127.0.0.1", port=self.port, verbose=False)
        self._server.start()
        try:
            # moto keeps its state in module globals: a server started earlier in this process
            # (a previous run, a test) would otherwise hand its resources to this one.
            _reset_moto(self.endpoint_url)
            declared = stack_from_outputs(
                template.outputs(), region=template.region, endpoint_url=self.endpoint_url
            )
            provision(template, declared, self.template_path)
            # Read back the way every other command will find it.
            self._stack = resolve_stack(endpoint_url=self.endpoint_url)
            self._function = function
            self._set_environment(function)
            self._handler = _load_handler(function)
            self._outbox = Outbox(
                self.endpoint_url, self._stack.topic_arn, self.outbox_dir, self._stack.sns()
            )
            self._sqs = self._stack.sqs()
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
        """Validate and store the watchlists of ``path``; returns the stored version."""
        from newswatch.watchlists import load_watchlists

        return self.stack.watchlist_store().replace(load_watchlists(path))

    def poll(self, wait_seconds: int = 1) -> BatchResult:
        """Receive one batch (waiting up to ``wait_seconds``), hand it to the handler as Lambda
        would, and settle each message by the handler's answer."""
        function, outbox, sqs = self._function, self._outbox, self._sqs
        if function is None or outbox is None or sqs is None:
            raise NewswatchError("the local stack is not started")
        messages = sqs.receive_message(
            QueueUrl=function.queue_url,
            MaxNumberOfMessages=function.batch_size,
            WaitTimeSeconds=wait_seconds,
            MessageSystemAttributeNames=["All"],
            MessageAttributeNames=["All"],
        ).get("Messages", [])
        if not messages:
            return BatchResult(succeeded=[], failed_messages=0, alerts=[])
        event = {"Records": [self._lambda_record(message) for message in messages]}
        failed_ids = self._failed_message_ids(event)
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
        return BatchResult(
            succeeded=succeeded, failed_messages=len(failed_ids), alerts=outbox.collect()
        )

    def dead_letters(self) -> int:
        """How many messages wait in the dead-letter queue."""
        if self._sqs is None:
            raise NewswatchError("the local stack is not started")
        attributes = self._sqs.get_queue_attributes(
            QueueUrl=self.stack.dlq_url, AttributeNames=["ApproximateNumberOfMessages"]
        )["Attributes"]
        return int(attributes["ApproximateNumberOfMessages"])

    def invoke(self, event: dict[str, Any]) -> Any:
        """Call the handler with ``event`` and a Lambda-like context; returns its response."""
        function, handler = self._function, self._handler
        if function is None or handler is None:
            raise NewswatchError("the local stack is not started")
        context = LocalLambdaContext(
            function_name=function.name,
            memory_limit_in_mb=function.memory_mb,
            invoked_function_arn=(
                f"arn:aws:lambda:{self.stack.region}:{LOCAL_ACCOUNT_ID}:function:{function.name}"
            ),
            timeout_seconds=function.timeout_seconds,
        )
        printed = io.StringIO()
        try:
            with contextlib.redirect_stdout(printed):
                return handler(event, context)
        finally:
            _print_all_but_metrics(printed.getvalue())

    def _failed_message_ids(self, event: dict[str, Any]) -> set[str]:
        """The ids of the messages that failed: those the handler reports, or all of them if
        it raises (Lambda retries the whole batch then)."""
        all_ids = {record["messageId"] for record in event["Records"]}
        try:
            response = self.invoke(event)
        except Exception:
            traceback.print_exc()
            return all_ids
        failures = (response or {}).get("batchItemFailures", [])
        return {str(failure["itemIdentifier"]) for failure in failures} & all_ids

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

    def _set_environment(self, function: IngestFunction) -> None:
        environment = {
            **function.environment,
            "AWS_ENDPOINT_URL": self.endpoint_url,
            "AWS_DEFAULT_REGION": self.stack.region,
            "AWS_REGION": self.stack.region,
            "AWS_ACCESS_KEY_ID": LOCAL_CREDENTIALS["aws_access_key_id"],
            "AWS_SECRET_ACCESS_KEY": LOCAL_CREDENTIALS["aws_secret_access_key"],
            "AWS_LAMBDA_FUNCTION_NAME": function.name,
        }
        for name, value in environment.items():
            self._saved_environment.setdefault(name, os.environ.get(name))
            os.environ[name] = value
        # A developer's session token would not belong to the local keys.
        token = os.environ.pop("AWS_SESSION_TOKEN", None)
        self._saved_environment.setdefault("AWS_SESSION_TOKEN", token)


def _print_all_but_metrics(printed: str) -> None:
    """Echo what the handler printed, except its EMF metric records: they mean something only
    to CloudWatch, and locally one per invocation would bury the alerts. (Turning metrics off
    with POWERTOOLS_METRICS_DISABLED is no answer: Powertools then never clears them.)"""
    for line in printed.splitlines():
        try:
            record = json.loads(line)
        except ValueError:
            record = None
        if not (isinstance(record, dict) and "_aws" in record):
            print(line)


def _reset_moto(endpoint_url: str) -> None:
    # The local server this process just started on 127.0.0.1.
    request = urllib.request.Request(f"{endpoint_url}/moto-api/reset", method="POST")  # noqa: S310
    with urllib.request.urlopen(request, timeout=10):  # noqa: S310
        pass


def _free_port(port: int) -> int:
    """``port`` if nothing listens on it (any free port for 0), else a clear error."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        # As the server will: connections of a previous run in TIME_WAIT do not block the
        # port, a listening server does.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", port))
        except OSError as error:
            raise NewswatchError(
                f"cannot listen on 127.0.0.1:{port} ({error.strerror}): is another local stack "
                "running? Choose another with --port"
            ) from None
        return int(probe.getsockname()[1])


def _load_handler(function: IngestFunction) -> Handler:
    """Import the handler module from its file, afresh (so its module-level clients bind to
    this stack), with its directory on ``sys.path`` as in Lambda."""
    if not function.handler_file.is_file():
        raise TemplateError(f"the template's handler file {function.handler_file} is missing")
    code_dir = str(function.handler_file.parent)
    if code_dir not in sys.path:
        sys.path.insert(0, code_dir)
    spec = importlib.util.spec_from_file_location(
        f"newswatch_local_{function.logical_id}", function.handler_file
    )
    if spec is None or spec.loader is None:
        raise TemplateError(f"cannot import {function.handler_file}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    handler = getattr(module, function.handler_name, None)
    if not callable(handler):
        raise TemplateError(f"{function.handler_file} defines no {function.handler_name}()")
    return handler  # type: ignore[no-any-return]


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
