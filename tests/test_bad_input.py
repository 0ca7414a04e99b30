"""Issue 9's bad-input corpus (``tests/bad_input/corpus.py``): every case ends as it states,
through the whole pipeline on moto, and its extraction stays within a time bound linear in its
size and under 256 MB of memory, in a process of its own that a hang cannot outlive.
"""

from __future__ import annotations

import json
import subprocess
import sys
import unicodedata
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any
from urllib.parse import quote_plus

import pytest
from bad_input.corpus import ARTICLE, CASES, KEYS, STORED, Case
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ingest_env import BUCKET, REGION, IngestEnv, create_ingest_env
from moto import mock_aws
from newswatch.errors import Rejection
from newswatch.events import ObjectRef, object_refs
from newswatch.extraction import extract_article
from newswatch.pipeline import Status

PROBE = Path(__file__).parent / "bad_input" / "probe.py"
# Generous, for a shared and noisy machine: real pages take milliseconds per MB.
BASE_SECONDS = 2.0
SECONDS_PER_MB = 1.0
PEAK_MEMORY_MB = 256
# A probe that runs past this is killed: far beyond any case's bound, short of a stalled suite.
PROBE_WALL_SECONDS = 90
# The machine has 2 cores; the probes run 2 at a time.
PROBE_WORKERS = 2


def case_id(case: Case) -> str:
    return case.name


@pytest.fixture(scope="module")
def probes() -> Iterator[dict[str, Future[dict[str, Any]]]]:
    """Every case's extraction probe, started with the first test (so they run beside the
    pipeline tests) two at a time; each bounds test waits for its own."""
    with ThreadPoolExecutor(PROBE_WORKERS) as pool:
        yield {case.name: pool.submit(_probe, case) for case in CASES}


@pytest.fixture(scope="module")
def corpus_env() -> Iterator[IngestEnv]:
    """One moto stack for the corpus (each case has its own key): setting one up per case
    would cost more than the cases."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("AWS_DEFAULT_REGION", REGION)
        with mock_aws():
            env = create_ingest_env()
            env.push_watchlists()
            yield env


def test_the_corpus_covers_issue_9s_list(probes: dict[str, Future[dict[str, Any]]]) -> None:
    assert probes.keys() == {case.name for case in CASES}
    assert len(CASES) >= 60
    outcomes = {case.outcome for case in CASES}
    assert outcomes >= {STORED, "empty", "not-html", "undecodable", "too-large", "too-deep"}
    assert outcomes >= {"too-many-attributes", "tag-too-long", "no-article-text"}


# --- (a) through the whole pipeline -------------------------------------------------------


def notified_ref(env: IngestEnv, case: Case, body: bytes) -> ObjectRef:
    """Upload ``body`` under the case's key and read it back from the notification S3 sends
    (keys URL-encoded, spaces as '+'), as the handler would."""
    put = env.s3.put_object(
        Bucket=BUCKET, Key=case.object_key, Body=body, ContentType=case.content_type
    )
    record = {
        "eventSource": "aws:s3",
        "eventName": "ObjectCreated:Put",
        "s3": {
            "bucket": {"name": BUCKET},
            "object": {
                "key": quote_plus(case.object_key, safe="/"),
                "size": len(body),
                "versionId": put["VersionId"],
                "eTag": put["ETag"].strip('"'),
            },
        },
    }
    (ref,) = object_refs({"Records": [record]})
    assert ref.key == case.object_key
    return ref


@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_each_case_ends_as_stated_through_the_pipeline(corpus_env: IngestEnv, case: Case) -> None:
    env = corpus_env
    ref = notified_ref(env, case, case.build())
    pipeline = env.pipeline()

    outcome = pipeline.process(ref)

    expected = case.expected_in_pipeline
    if expected == STORED:
        assert (outcome.status, outcome.reason) == (Status.STORED, None)
        stored = env.articles.get_article(ref.article_id, full_text=True)
        assert stored is not None and stored.key == case.object_key
        if case.check is not None:
            assert case.check(stored.article.title, stored.article.text)
    else:
        assert (outcome.status, outcome.reason) == (Status.REJECTED, expected)
        (rejection,) = [r for r in env.articles.rejections() if r.article_id == ref.article_id]
        assert (rejection.reason, rejection.key) == (expected, case.object_key)
    # Either way the outcome is final: a redelivery finds the receipt.
    assert pipeline.process(ref).status is Status.DUPLICATE


def test_nfc_and_nfd_twins_are_two_objects_and_two_records(corpus_env: IngestEnv) -> None:
    env = corpus_env
    nfc, nfd = (key.replace("bad-input/", "twins/") for key in (KEYS["key-nfc"], KEYS["key-nfd"]))
    assert nfc != nfd and unicodedata.normalize("NFC", nfd) == nfc
    pipeline = env.pipeline()
    outcomes = [
        pipeline.process(notified_ref(env, Case(key, lambda: ARTICLE, STORED, key=key), ARTICLE))
        for key in (nfc, nfd)
    ]
    assert [o.status for o in outcomes] == [Status.STORED, Status.STORED]
    assert outcomes[0].article_id != outcomes[1].article_id
    keys = {env.articles.get_article(o.article_id).key for o in outcomes}  # type: ignore[union-attr]
    assert keys == {nfc, nfd}


def test_a_page_past_its_deadline_is_a_stored_too_slow_rejection(corpus_env: IngestEnv) -> None:
    """The last line of defence: a page still slow after every bound is refused for good (a
    retry would be as slow), not retried until it fails its batch-mates into the DLQ."""
    env = corpus_env
    ref = env.put("incoming/slow.html", ARTICLE)
    pipeline = env.pipeline(object_deadline_seconds=1e-9)

    outcome = pipeline.process(ref)

    assert (outcome.status, outcome.reason) == (Status.REJECTED, "too-slow")
    assert "per-object deadline" in (outcome.detail or "")
    assert [r.reason for r in env.articles.rejections() if r.article_id == ref.article_id] == [
        "too-slow"
    ]
    assert pipeline.process(ref).status is Status.DUPLICATE


# --- (b) extraction in a bounded process of its own ---------------------------------------


def _probe(case: Case) -> dict[str, Any]:
    run = subprocess.run(
        [sys.executable, str(PROBE), case.name],
        capture_output=True,
        text=True,
        timeout=PROBE_WALL_SECONDS,
        check=False,
    )
    if run.returncode != 0:
        return {"error": run.stderr[-2000:]}
    result: dict[str, Any] = json.loads(run.stdout.splitlines()[-1])
    return result


@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_each_case_extracts_within_its_time_and_memory_bounds(
    probes: dict[str, Future[dict[str, Any]]], case: Case
) -> None:
    result = probes[case.name].result()
    assert "error" not in result, result.get("error")
    assert result["outcome"] == case.outcome
    if case.check is not None and case.outcome == STORED:
        assert result["check_passed"], result["title"]
    megabytes = result["bytes"] / 1_000_000
    assert result["seconds"] < BASE_SECONDS + SECONDS_PER_MB * megabytes
    assert result["peak_mb"] < PEAK_MEMORY_MB


# --- (c) properties -----------------------------------------------------------------------
# The query parser raising only WatchlistError, and matching never raising on any article, are
# properties in test_watchlists_properties.py; arbitrary text and tag soup through extraction
# in test_extraction_bounds.py. Here: bytes built from the corpus's hostile pieces.

HOSTILE_PIECES = [
    b"\x1f\x8b",
    b"\xef\xbb\xbf",
    b"\xff\xfe",
    b"\x00",
    b"<",
    b"<div ",
    b"a=1 " * 50,
    b'"',
    b"'",
    b"<!--",
    b"-->",
    b"<script>",
    b"</script",
    b'<meta charset="utf-7">',
    b'<meta charset="base64">',
    b"<p>",
    PARAGRAPH_BYTES := b"flood barrier for four hundred homes along the river ",
    b"&#xD800;",
    b"&lol;",
    b"<!DOCTYPE x [<!ENTITY lol 'lol'>]>",
    b"<rss>",
    b"\xc3",
    b"<![CDATA[",
    b'<img src="data:',
]


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(HOSTILE_PIECES), max_size=200).map(b"".join))
def test_extraction_raises_only_rejections_on_hostile_bytes(data: bytes) -> None:
    try:
        article = extract_article(data)
    except Rejection as rejection:
        assert rejection.reason and rejection.reason == rejection.reason.lower()
    else:
        assert article.text.strip()
        article.text.encode("utf-8")  # storable: no lone surrogates
