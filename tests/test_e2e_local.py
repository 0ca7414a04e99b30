"""End to end through the local stack over HTTP, as a user runs it: moto server, the template's
resources, the watchlists pushed, articles put with plain boto3, the real handler fed by the
Lambda-like poller; then the DynamoDB record and moto's record of what SNS sent."""

from __future__ import annotations

import json
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from local_stack import put_and_process, running_stack
from newswatch.local.runner import LocalStack

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[1]
REFERENCE = ROOT / "samples/thehindu-2024-10-30-ukraine-south-korea.html"
DECOY = ROOT / "samples/decoy-kent-coast-storm-warning.html"


@pytest.fixture(scope="module")
def local(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalStack]:
    with running_stack(tmp_path_factory.mktemp("outbox")) as stack:
        yield stack


def sns_sent(local: LocalStack) -> list[dict[str, Any]]:
    """What the alert topic published, from moto's ``/moto-api/data.json``."""
    with urllib.request.urlopen(f"{local.endpoint_url}/moto-api/data.json") as response:
        data = json.load(response)
    (topic,) = [t for t in data["sns"]["Topic"] if t["arn"] == local.stack.topic_arn]
    return [
        {
            "message_id": sent[0],
            "message": json.loads(sent[1]),
            "subject": sent[2],
            "attributes": sent[3],
        }
        for sent in topic["sent_notifications"]
    ]


def test_reference_article_is_stored_and_alerts_nk_russia(local: LocalStack) -> None:
    ref = put_and_process(local, REFERENCE)
    stack = local.stack
    item = stack.dynamodb().get_item(
        TableName=stack.table,
        Key={"PK": {"S": f"ARTICLE#{ref.article_id}"}, "SK": {"S": "ARTICLE"}},
    )["Item"]
    assert item["key"]["S"] == "incoming/thehindu-2024-10-30-ukraine-south-korea.html"
    assert "nk-russia" in [value["S"] for value in item["watchlists"]["L"]]
    store = stack.article_store()
    stored = store.get_article(ref.article_id)
    assert stored is not None
    assert stored.article.title == "Ukraine and South Korea agree to deepen security cooperation"
    assert stored.article.published == "2024-10-30T12:28:00+05:30"

    sent = [
        m
        for m in sns_sent(local)
        if "nk-russia" in json.loads(m["attributes"]["watchlist"]["Value"])
    ]
    assert len(sent) == 1  # one message for every watchlist the story newly alerts for
    message = sent[0]["message"]
    assert "North Korea" in message["email"] and "Russia" in message["email"]
    assert stored.story_id is not None and stored.story_id in message["email"]
    assert "nk-russia" in message["sms"]
    assert "nk-russia" in sent[0]["subject"] and len(sent[0]["subject"]) < 100
    default = json.loads(message["default"])
    assert default["kind"] == "alert" and default["article"]["id"] == ref.article_id
    assert "nk-russia" in [w["name"] for w in default["watchlists"]]
    (record,) = [
        a for a in stack.story_records().alerts(stored.story_id) if a.watchlist == "nk-russia"
    ]
    assert record.article.article_id == ref.article_id and not record.held
    # The watchlists file subscribes analyst@example.com to nk-russia instantly: its inbox.
    inbox = local.outbox_dir / "analyst@example.com"
    assert [p.name.rsplit("-", 1)[0][5:] for p in sorted(inbox.iterdir())] == ["alert"]


def test_cli_digest_now_sends_the_digest_once_through_the_digest_function(
    local: LocalStack, tmp_path: Path
) -> None:
    """`newswatch local digest --now` in a process of its own, against the running stack, after
    the reference article alerted nk-russia (the first test)."""
    command = [
        str(Path(sys.executable).with_name("newswatch")),
        "local",
        "digest",
        "--now",
        "--watchlist",
        "nk-russia",
        "--endpoint-url",
        local.endpoint_url,
        "--outbox",
        str(local.outbox_dir),
    ]
    done = subprocess.run(
        command, capture_output=True, text=True, timeout=120, check=False, cwd=ROOT
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert "digest     nk-russia: 1 story from " in done.stdout
    assert '"_aws"' not in done.stdout
    digests = [m for m in sns_sent(local) if m["attributes"]["kind"]["Value"] == "digest"]
    assert [m["attributes"]["delivery"]["Value"] for m in digests] == ["digest"]
    inbox = local.outbox_dir / "editor@example.com"
    assert [p.name.split("-")[1] for p in sorted(inbox.iterdir())] == ["digest"]

    again = subprocess.run(
        command, capture_output=True, text=True, timeout=120, check=False, cwd=ROOT
    )
    assert again.returncode == 0, again.stderr[-2000:]
    assert "no digest due" in again.stdout
    # The running stack's own hourly run: the window is covered, nothing is sent; its outbox
    # sees the CLI's message (published meanwhile) but does not write it a second time.
    (run,) = local.run_scheduled()
    assert run.error is None
    assert [alert.path for alert in run.alerts] == sorted(inbox.iterdir())
    assert len([m for m in sns_sent(local) if m["attributes"]["kind"]["Value"] == "digest"]) == 1


def test_the_decoy_is_stored_and_alerts_nobody(local: LocalStack) -> None:
    before = len(sns_sent(local))
    ref = put_and_process(local, DECOY)
    stack = local.stack
    store = stack.article_store()
    stored = store.get_article(ref.article_id)
    assert stored is not None
    assert stored.watchlists == ()
    assert store.matches_of_article(ref.article_id) == []
    assert len(sns_sent(local)) == before


def test_demo_shows_the_alert_for_the_reference_and_none_for_the_decoy(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`make demo`'s command, run to completion. After the module's stack: one per process."""
    # In a process of its own, as `make demo` runs it.
    done = subprocess.run(
        [
            str(Path(sys.executable).with_name("newswatch")),
            "local",
            "--demo",
            str(ROOT / "samples"),
            "--port",
            "0",
            "--outbox",
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
        cwd=ROOT,
    )
    output = done.stdout
    assert done.returncode == 0, done.stderr[-2000:]
    assert '"_aws"' not in output  # EMF metric records are for CloudWatch, not the console
    blocks = {block.split(" -> ")[0]: block for block in output.split("\n\n")}
    reference, decoy = blocks[REFERENCE.name], blocks[DECOY.name]
    copy = blocks["wire-copy-ukraine-south-korea.html"]
    assert "nk-russia  alerted by this article" in reference
    # The syndicated copy joins the reference's story and alerts nobody again.
    assert "nk-russia  alerted by an earlier copy" in copy
    assert "2 copies on 2 sites" in copy
    assert "matched    (no watchlist)" in decoy
    assert "alerts     none" in decoy
    inbox = tmp_path / "analyst@example.com"
    assert len([p for p in inbox.iterdir() if "-alert-" in p.name]) == 1
    assert "analyst@example.com: 1 message(s)" in output
    # editor@example.com takes nk-russia's daily digest; the demo sends it now: one email that
    # lists the reference story (once, though its wire copy came too), and no instant alert.
    (digest,) = sorted((tmp_path / "editor@example.com").iterdir())
    assert "-digest-" in digest.name and digest.name.endswith(".email.txt")
    text = digest.read_text()
    assert text.startswith("Subject: newswatch digest [nk-russia] 1 ")
    assert text.count("Ukraine and South Korea agree to deepen security cooperation") == 1
    assert "Carried by: 2 sites" in text
    assert "(as a digest)" in text
    assert "editor@example.com: 1 message(s)" in output
    assert "digest     nk-russia: 1 story from " in output
