"""`make loadtest` with a few articles: it ends by itself, loses nothing, alerts nothing twice,
dead-letters only the messages that can never succeed, and ends with the line scripts read."""

from __future__ import annotations

import re
from pathlib import Path

import boto3
import pytest
from newswatch.aws import clients

from benchmarks import loadtest

LAST_LINE = re.compile(
    r"loadtest: uploaded=(\d+) stored=(\d+) rejected=(\d+) dead-lettered=(\d+) "
    r"duplicate-alerts=(\d+) throughput=[\d.]+/s p50=[\d.]+s p95=[\d.]+s"
)


def test_a_small_load_test_counts_everything_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # It installs its own session, with faults.
    monkeypatch.setattr(boto3, "DEFAULT_SESSION", None)
    monkeypatch.setattr(clients, "_session", None)
    articles = 60
    assert (
        loadtest.main(
            ["--articles", str(articles), "--outbox", str(tmp_path), "--log", str(tmp_path / "log")]
        )
        == 0
    )
    last = capsys.readouterr().out.splitlines()[-1]
    found = LAST_LINE.fullmatch(last)
    assert found, last
    uploaded, stored, rejected, dead, duplicates = map(int, found.groups())
    assert uploaded == articles == stored + rejected
    assert rejected == articles // loadtest.REJECTED_EVERY
    assert dead == loadtest.PERMANENT_FAILURES
    assert duplicates == 0
