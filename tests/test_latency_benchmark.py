"""The latency suite with a few uploads: every upload alerts, each figure is a time after the
upload that follows the one before it, and the two goals come back as `python -m benchmarks`
reads them."""

from __future__ import annotations

import boto3
import pytest
from newswatch.aws import clients

from benchmarks import latency


def test_a_few_uploads_alert_and_the_goals_are_judged(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(boto3, "DEFAULT_SESSION", None)
    monkeypatch.setattr(clients, "_session", None)
    figures = latency.main(uploads=3)
    assert figures["alerted"] == figures["uploads"] == 3
    # Published after receipt; the batch returns after the publish (it deletes the message).
    assert figures["in_queue_median_s"] < figures["median_s"] <= figures["batch_returned_median_s"]
    assert figures["median_s"] <= figures["p95_s"] <= figures["max_s"]
    assert figures["handler_aws_calls_median"] >= 2  # at least the object read and the publish
    assert [entry["met"] for entry in figures["goals"]] != [None, None]
    assert {"goal", "figure", "met"} <= set(figures["goals"][0])
    # The suite's own session is gone with its stack.
    assert boto3.DEFAULT_SESSION is None
    assert clients.use_session(None) is None
