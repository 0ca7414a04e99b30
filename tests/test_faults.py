"""Faults injected at the AWS boundary: real boto3 clients against moto, with botocore's event
hooks raising what AWS raises (throttles, a cancelled transaction, SNS internal errors, a
timeout, a permanent refusal) or stopping the function dead (:class:`Crash`) right after a
step's call returned. For each: no record lost, no alert duplicated except in the documented
publish -> SENT window (exactly one extra), and either success on the retry or a dead-letter
outcome with its reason recorded.

Already covered elsewhere, so not repeated here: SNS unreachable once (test_pipeline), SNS down
while the object is deleted, a throttled alert claim, the same notification twice and after the
receipt expired (test_pipeline), two copies of one story at once and a retry after a push
(test_story_alerts)."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import botocore.session
import pytest
from botocore.exceptions import ClientError, ReadTimeoutError
from ingest_env import REGION, TABLE, IngestEnv, env_fixture  # noqa: F401
from newswatch.alerting.delivery import DeliveryInFlight
from newswatch.aws import clients
from newswatch.aws.dead_letters import DeadLetterLog
from newswatch.events import ObjectRef
from newswatch.local.template import load_template
from newswatch.pipeline import Outcome, Status
from test_handler import LambdaContext, load_app, s3_notification, sqs_record
from test_story_alerts import one_dynamodb_call_at_a_time

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"
REFERENCE = (SAMPLES / "thehindu-2024-10-30-ukraine-south-korea.html").read_bytes()
KEY = "incoming/thehindu.html"
# The ingest queue's maxReceiveCount.
MAX_RECEIVES: int = load_template(ROOT / "template.yaml")["Resources"]["IngestQueue"]["Properties"][
    "RedrivePolicy"
]["maxReceiveCount"]

Call = tuple[str, dict[str, Any]]  # operation name, API parameters
Matches = Callable[[str, dict[str, Any]], bool]


class Crash(BaseException):
    """The function stopping dead (timeout, out of memory) right after a call returned: no
    ``except Exception`` runs, nothing is handed back."""


class Faults:
    """Raises chosen errors from real clients' calls, through botocore's event system (of
    clients, or of a session: every client it makes): before the request is sent (AWS refused
    it) or after the response arrived (it took effect). After a :class:`Crash` every further
    call raises it too, until :meth:`restart`: a dead function's ``except``/``finally`` blocks
    (a claim handed back) never reach AWS."""

    def __init__(self, *emitters: Any) -> None:
        self._current = threading.local()
        self._rules: list[tuple[Matches, Callable[[], BaseException], list[int], bool]] = []
        self._lock = threading.Lock()
        self._dead = False
        for events in emitters:
            events.register("before-parameter-build", self._remember)
            events.register("before-call", self._before)
            events.register("after-call", self._after)

    def inject(
        self,
        matches: Matches,
        error: Callable[[], BaseException],
        *,
        times: int = 1,
        after_call: bool = False,
    ) -> None:
        """Raise ``error()`` from the next ``times`` calls that ``matches`` (-1: every one)."""
        self._rules.append((matches, error, [times], after_call))

    def clear(self) -> None:
        self._rules.clear()

    def restart(self) -> None:
        """A new container takes over: calls reach AWS again (the rules stay)."""
        self._dead = False

    def _remember(self, params: dict[str, Any], model: Any, **_: Any) -> None:
        self._current.call = (model.name, dict(params))

    def _before(self, **_: Any) -> None:
        self._fire(after_call=False)

    def _after(self, **_: Any) -> None:
        self._fire(after_call=True)

    def _fire(self, *, after_call: bool) -> None:
        operation, params = self._current.call
        with self._lock:
            if self._dead:
                raise Crash
            for matches, error, left, when in self._rules:
                if when == after_call and left[0] != 0 and matches(operation, params):
                    left[0] -= 1
                    raised = error()
                    self._dead = isinstance(raised, Crash)
                    raise raised


def operation(name: str) -> Matches:
    return lambda op, _: op == name


def item_put(sk: str) -> Matches:
    """A PutItem of an item whose sort key is ``sk``."""
    return lambda op, params: op == "PutItem" and params["Item"]["SK"]["S"] == sk


def alert_delivery_update(value: str) -> Matches:
    """An UpdateItem of an alert's delivery item that sets ``value`` (``:sending``: the claim,
    ``:done``: marking it sent)."""
    return lambda op, params: (
        op == "UpdateItem"
        and params["Key"]["SK"]["S"].startswith("DELIVERY#ALERT#")
        and value in params.get("ExpressionAttributeValues", {})
    )


def client_error(code: str, operation_name: str, status: int = 400) -> Callable[[], ClientError]:
    return lambda: ClientError(
        {"Error": {"Code": code, "Message": code}, "ResponseMetadata": {"HTTPStatusCode": status}},
        operation_name,
    )


def read_timeout(service: str) -> Callable[[], ReadTimeoutError]:
    return lambda: ReadTimeoutError(endpoint_url=f"https://{service}.us-east-1.amazonaws.com")


@pytest.fixture
def faults(env: IngestEnv) -> Faults:
    env.push_watchlists()
    return Faults(env.s3.meta.events, env.dynamodb.meta.events, env.sns.meta.events)


def retry_until_done(env: IngestEnv, ref: ObjectRef, *, attempts: int = MAX_RECEIVES) -> Outcome:
    """SQS's redeliveries, each by a fresh container (a new pipeline): the first attempt that
    does not raise. A lease a crashed attempt left runs out between attempts."""
    for _ in range(attempts):
        try:
            return env.pipeline().process(ref)
        except DeliveryInFlight:
            expire_leases(env)
        except Exception:
            continue  # the record is retried, as SQS would
    raise AssertionError(f"no attempt of {attempts} succeeded")


def expire_leases(env: IngestEnv) -> None:
    """Time passes: every delivery lease runs out (as it does a function timeout later)."""
    for item in env.items():
        if "lease_until" in item:
            env.dynamodb.update_item(
                TableName=TABLE,
                Key={"PK": item["PK"], "SK": item["SK"]},
                UpdateExpression="SET lease_until = :past",
                ExpressionAttributeValues={":past": {"N": "0"}},
            )


def assert_settled(env: IngestEnv, ref: ObjectRef, *, alerts: int = 1) -> None:
    """One article, its receipt, its alert SENT, ``alerts`` messages delivered, no rejection;
    and a further redelivery is a duplicate that sends nothing."""
    articles = [item for item in env.items() if item["SK"]["S"] == "ARTICLE"]
    assert [item["PK"]["S"] for item in articles] == [f"ARTICLE#{ref.article_id}"]
    assert env.articles.outcome(ref.article_id) == "stored"
    assert list(env.articles.rejections()) == []
    deliveries = [item for item in env.items() if item["SK"]["S"].startswith("DELIVERY#ALERT#")]
    assert [item["state"]["S"] for item in deliveries] == ["SENT"]
    assert len(env.alerts()) == alerts
    assert env.pipeline().process(ref).status is Status.DUPLICATE
    assert env.alerts() == []


# --- transient errors: the attempt fails, the retry succeeds, once --------------------------

TRANSIENT = {
    "s3-getobject-throttled": (
        operation("GetObject"),
        client_error("SlowDown", "GetObject", 503),
    ),
    "s3-getobject-timeout": (operation("GetObject"), read_timeout("s3")),
    "dynamodb-article-throttled": (
        item_put("ARTICLE"),
        client_error("ProvisionedThroughputExceededException", "PutItem"),
    ),
    "dynamodb-matches-throttled": (
        operation("BatchWriteItem"),
        client_error("ThrottlingException", "BatchWriteItem"),
    ),
    "dynamodb-story-transaction-cancelled": (
        operation("TransactWriteItems"),
        client_error("TransactionCanceledException", "TransactWriteItems"),
    ),
    "dynamodb-receipt-throttled": (
        item_put("RECEIPT"),
        client_error("ThrottlingException", "PutItem"),
    ),
    "sns-internal-error": (
        operation("Publish"),
        client_error("InternalError", "Publish", 500),
    ),
    "sns-throttled": (operation("Publish"), client_error("Throttling", "Publish", 400)),
    "sns-timeout-before-sending": (operation("Publish"), read_timeout("sns")),
}


@pytest.mark.parametrize("fault", TRANSIENT.values(), ids=TRANSIENT.keys())
def test_a_transient_fault_fails_the_attempt_and_the_retry_sends_once(
    env: IngestEnv, faults: Faults, fault: tuple[Matches, Callable[[], BaseException]]
) -> None:
    matches, error = fault
    ref = env.put(KEY, REFERENCE)
    faults.inject(matches, error)

    with pytest.raises((ClientError, ReadTimeoutError)):
        env.pipeline().process(ref)
    assert env.articles.outcome(ref.article_id) is None  # not done: SQS must retry it

    assert env.pipeline().process(ref).status is Status.STORED
    assert_settled(env, ref)


def test_a_publish_that_timed_out_after_sns_took_it_is_the_one_documented_extra(
    env: IngestEnv, faults: Faults
) -> None:
    """SNS accepted the message and the answer was lost: the worker cannot know it was sent,
    hands the claim back and the retry sends it again. The publish -> SENT window: exactly one
    extra message, never more."""
    ref = env.put(KEY, REFERENCE)
    faults.inject(operation("Publish"), read_timeout("sns"), after_call=True)

    with pytest.raises(ReadTimeoutError):
        env.pipeline().process(ref)

    assert retry_until_done(env, ref).status is Status.STORED
    assert_settled(env, ref, alerts=2)


def test_sns_refusing_a_message_for_good_is_recorded_not_retried(
    env: IngestEnv, faults: Faults
) -> None:
    ref = env.put(KEY, REFERENCE)
    faults.inject(operation("Publish"), client_error("InvalidParameter", "Publish"), times=-1)

    outcome = env.pipeline().process(ref)

    # The record succeeds (a retry would be refused the same way): stored, the alert FAILED
    # with SNS's reason, the receipt written, nothing sent or retried.
    assert (outcome.status, outcome.alerts_failed) == (Status.STORED, ("nk-russia",))
    (delivery,) = [item for item in env.items() if item["SK"]["S"].startswith("DELIVERY#ALERT#")]
    assert delivery["state"]["S"] == "FAILED" and "InvalidParameter" in delivery["failure"]["S"]
    assert env.articles.outcome(ref.article_id) == "stored"
    assert env.alerts() == []
    assert env.pipeline().process(ref).status is Status.DUPLICATE


# --- the function stopping dead right after a step --------------------------------------------

STEPS = {
    "matches-written": operation("BatchWriteItem"),
    "article-stored": item_put("ARTICLE"),
    "story-copy-recorded": operation("TransactWriteItems"),
    "alert-claimed": alert_delivery_update(":sending"),
    "alert-marked-sent": alert_delivery_update(":done"),
    "receipt-written": item_put("RECEIPT"),
}


@pytest.mark.parametrize("step", STEPS.values(), ids=STEPS.keys())
def test_a_crash_after_a_step_is_finished_by_the_redelivery_alerting_once(
    env: IngestEnv, faults: Faults, step: Matches
) -> None:
    ref = env.put(KEY, REFERENCE)
    faults.inject(step, Crash, after_call=True)

    with pytest.raises(Crash):
        env.pipeline().process(ref)
    faults.restart()

    outcome = retry_until_done(env, ref)
    assert outcome.status in {Status.STORED, Status.DUPLICATE}
    assert_settled(env, ref)


def test_a_crash_right_after_publishing_sends_exactly_one_extra_alert(
    env: IngestEnv, faults: Faults
) -> None:
    """The documented window: published, not yet marked SENT. The lease runs out and the
    redelivery sends it again: one extra, and the ledger ends SENT."""
    ref = env.put(KEY, REFERENCE)
    faults.inject(operation("Publish"), Crash, after_call=True)

    with pytest.raises(Crash):
        env.pipeline().process(ref)
    faults.restart()
    with pytest.raises(DeliveryInFlight):  # inside the lease: nobody else sends it meanwhile
        env.pipeline().process(ref)
    assert len(env.alerts()) == 1

    expire_leases(env)
    assert env.pipeline().process(ref).alerts_sent == ("nk-russia",)
    assert_settled(env, ref, alerts=1)  # the extra one (the first was counted above)


# --- two workers on one object -----------------------------------------------------------------


def test_two_workers_on_the_same_object_at_once_store_and_alert_once(env: IngestEnv) -> None:
    env.push_watchlists()
    one_dynamodb_call_at_a_time(env)
    ref = env.put(KEY, REFERENCE)
    start = threading.Barrier(2)
    outcomes: list[Outcome] = []
    errors: list[BaseException] = []

    def work() -> None:
        start.wait()
        try:
            outcomes.append(env.pipeline().process(ref))
        except DeliveryInFlight as error:  # the other holds the claim: SQS retries this one
            errors.append(error)

    threads = [threading.Thread(target=work) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sum(len(outcome.alerts_sent) for outcome in outcomes) == 1
    # The one that lost the race retries (if it failed) and finds the work done.
    assert_settled(env, ref)


# --- a fault that does not go away: the dead-letter queue, with the reason ---------------------


@pytest.fixture
def app(env: IngestEnv, monkeypatch: pytest.MonkeyPatch) -> Iterator[ModuleType]:
    module = load_app(env, monkeypatch, tracing=False)
    yield module
    module.ingest_pipeline.cache_clear()


@pytest.fixture
def handler_faults(env: IngestEnv) -> Iterator[Faults]:
    """Faults in the clients the handler makes itself (:mod:`newswatch.aws.clients`' session),
    made inside moto's mock."""
    env.push_watchlists()
    session = botocore.session.get_session()
    session.set_config_variable("region", REGION)
    previous = clients.use_session(session)
    yield Faults(session)
    clients.use_session(previous)


def test_a_lasting_fault_dead_letters_the_record_with_its_reason_and_loses_nothing(
    env: IngestEnv, handler_faults: Faults, app: ModuleType
) -> None:
    faults = handler_faults
    ref = env.put(KEY, REFERENCE)
    faults.inject(operation("GetObject"), client_error("SlowDown", "GetObject", 503), times=-1)
    body = s3_notification(ref.key, ref.version_id)

    for receive in range(1, MAX_RECEIVES + 1):
        record = sqs_record("lasting", body) | {
            "attributes": {"ApproximateReceiveCount": str(receive)}
        }
        neighbour = sqs_record("test-event", {"Service": "Amazon S3", "Event": "s3:TestEvent"})
        response = app.handler({"Records": [neighbour, record]}, LambdaContext())
        assert response == {"batchItemFailures": [{"itemIdentifier": "lasting"}]}

    # After maxReceiveCount SQS moves it to the dead-letter queue: `dlq list` shows why.
    failure = DeadLetterLog(env.dynamodb, table_name=TABLE).last_failures(["lasting"])["lasting"]
    assert failure.receive_count == MAX_RECEIVES and "SlowDown" in failure.error
    # Nothing half-done that a redrive would trip over: no article, rejection or receipt.
    assert env.articles.get_article(ref.article_id) is None
    assert list(env.articles.rejections()) == [] and env.articles.outcome(ref.article_id) is None

    faults.clear()  # S3 recovered; `dlq redrive` sends the same body back
    response = app.handler({"Records": [sqs_record("redriven", body)]}, LambdaContext())
    assert response == {"batchItemFailures": []}
    assert_settled(env, ref)
