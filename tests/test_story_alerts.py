"""One alert per (story, watchlist) through the whole pipeline on moto: copies alert once,
traps stay apart, two workers at once still alert once, storms are capped, and a retry finishes
the first attempt's decision."""

from __future__ import annotations

import contextlib
import json
import threading
from pathlib import Path
from typing import Any

from ingest_env import IngestEnv, env_fixture  # noqa: F401
from newswatch.pipeline import Outcome

STORIES = Path(__file__).resolve().parent / "fixtures" / "stories"
# The reference story and its wire copy are the demo's pages; the labelled set names them too.
REFERENCE = "../../../samples/thehindu-2024-10-30-ukraine-south-korea.html"
WIRE_COPY = "../../../samples/wire-copy-ukraine-south-korea.html"
NK_RUSSIA = {"watchlists": [{"name": "nk-russia", "all": ["North Korea", "Russia"]}]}


def page(name: str) -> bytes:
    return (STORIES / name).read_bytes()


def process(env: IngestEnv, name: str, key: str | None = None) -> Outcome:
    return env.pipeline().process(env.put(key or f"incoming/{Path(name).name}", page(name)))


def test_a_syndicated_copy_joins_the_story_and_alerts_nobody_again(env: IngestEnv) -> None:
    env.push_watchlists(NK_RUSSIA)
    first = process(env, REFERENCE)
    copy = process(env, WIRE_COPY)
    again = process(env, REFERENCE, key="incoming/reupload/hindu.html")

    assert first.alerts_sent == ("nk-russia",)
    assert copy.story_id == again.story_id == first.story_id
    assert copy.alerts_sent == again.alerts_sent == ()
    assert len(env.alerts()) == 1
    records = env.pipeline()._stories  # the same table the CLI reads
    assert len(records.copies(str(first.story_id))) == 3


def test_a_report_sharing_background_paragraphs_is_a_story_of_its_own(env: IngestEnv) -> None:
    env.push_watchlists(NK_RUSSIA)
    reference = process(env, REFERENCE)
    other = process(env, "nk-kursk-harbourtimes.html")
    assert other.story_id != reference.story_id
    assert other.alerts_sent == ("nk-russia",)
    assert len(env.alerts()) == 2


def one_dynamodb_call_at_a_time(env: IngestEnv) -> None:
    """moto's in-memory DynamoDB is not thread-safe (TransactWriteItems deep-copies a table
    while another thread writes to it). DynamoDB applies each call atomically; holding a lock
    for the span of one call gives moto the same guarantee and leaves free the interleaving
    between calls, which is where two workers race."""
    lock = threading.Lock()

    def acquire(**_: Any) -> None:
        assert lock.acquire(timeout=30)

    def release(**_: Any) -> None:
        lock.release()

    env.dynamodb.meta.events.register("before-call.dynamodb", acquire)
    env.dynamodb.meta.events.register("after-call.dynamodb", release)


def test_two_copies_at_the_same_moment_alert_once(env: IngestEnv) -> None:
    env.push_watchlists(NK_RUSSIA)
    one_dynamodb_call_at_a_time(env)
    refs = [env.put(f"incoming/{Path(name).name}", page(name)) for name in (REFERENCE, WIRE_COPY)]
    pipelines = [env.pipeline(), env.pipeline()]
    start = threading.Barrier(2)
    outcomes: list[Outcome] = []

    def work(index: int) -> None:
        start.wait()
        outcomes.append(pipelines[index].process(refs[index]))

    threads = [threading.Thread(target=work, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len({outcome.story_id for outcome in outcomes}) == 1
    assert sorted(len(outcome.alerts_sent) for outcome in outcomes) == [0, 1]
    assert len(env.alerts()) == 1


def test_a_storm_is_capped_with_one_notice_and_the_rest_held(env: IngestEnv) -> None:
    env.push_watchlists(
        {"watchlists": [{"name": "kursk", "any": ["Kursk", "Russia"], "max_per_hour": 1}]}
    )
    names = [REFERENCE, "nk-kursk-harbourtimes.html", "nk-kursk-metrowire.html"]
    outcomes = [process(env, name) for name in names]
    stories = {outcome.story_id for outcome in outcomes}
    sent = env.alerts()
    kinds = sorted(m["MessageAttributes"]["kind"]["Value"] for m in sent)
    assert outcomes[0].alerts_sent == ("kursk",)
    held = [o for o in outcomes if o.alerts_held == ("kursk",)]
    assert len(held) == len(stories) - 1
    assert kinds == ["alert", "notice"] if held else ["alert"]
    if held:
        notice = next(m for m in sent if m["MessageAttributes"]["kind"]["Value"] == "notice")
        assert "more than 1 matching stories" in json.loads(notice["Message"])["text"]


def test_a_retry_after_a_push_finishes_the_first_decision(env: IngestEnv) -> None:
    """Issue 9, defect 7: the retry does not alert for a watchlist pushed in between."""
    env.push_watchlists(NK_RUSSIA)
    ref = env.put("incoming/a.html", page(REFERENCE))
    fail = [1]

    def sns_down_once(**_: Any) -> None:
        if fail:
            fail.pop()
            raise RuntimeError("SNS down")

    env.sns.meta.events.register("before-call.sns.Publish", sns_down_once)
    with contextlib.suppress(RuntimeError):
        env.pipeline().process(ref)
    env.push_watchlists(
        {"watchlists": [*NK_RUSSIA["watchlists"], {"name": "kyiv", "all": ["Kyiv"]}]}
    )
    retried = env.pipeline().process(ref)
    assert retried.matched == ("nk-russia",) and retried.alerts_sent == ("nk-russia",)
    (alert,) = env.alerts()
    assert json.loads(alert["MessageAttributes"]["watchlist"]["Value"]) == ["nk-russia"]
