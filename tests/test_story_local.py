"""Stories end to end through the local stack over HTTP: the reference article and its wire copy
(another site, another headline) dropped as a user drops them become one story with one
``nk-russia`` alert, and ``newswatch stories`` / ``newswatch story`` show it from the server."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from newswatch.cli import main
from newswatch.local.runner import LocalStack

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[1]
REFERENCE = ROOT / "samples/thehindu-2024-10-30-ukraine-south-korea.html"
WIRE_COPY = ROOT / "samples/wire-copy-ukraine-south-korea.html"


@pytest.fixture(scope="module")
def local(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalStack]:
    stack = LocalStack(
        ROOT / "template.yaml",
        port=0,
        outbox_dir=tmp_path_factory.mktemp("outbox"),
        parameters={"LogLevel": "ERROR"},
    )
    stack.start()
    stack.push_watchlists(ROOT / "watchlists.yaml")
    yield stack
    stack.stop()


def drop(local: LocalStack, path: Path) -> None:
    """Put ``path`` under incoming/ with boto3 and poll until the handler has taken it."""
    key = f"incoming/{path.name}"
    local.stack.s3().put_object(Bucket=local.stack.bucket, Key=key, Body=path.read_bytes())
    for _ in range(30):
        if any(ref.key == key for ref in local.poll(wait_seconds=1).succeeded):
            return
    raise AssertionError(f"{key} was not processed")


def test_a_wire_copy_is_listed_on_the_reference_story(
    local: LocalStack, capsys: pytest.CaptureFixture[str]
) -> None:
    drop(local, REFERENCE)
    drop(local, WIRE_COPY)
    where = ["--endpoint-url", str(local.endpoint_url)]
    capsys.readouterr()  # what the stack printed while it processed them

    assert main(["stories", "--json", *where]) == 0
    (line,) = capsys.readouterr().out.splitlines()
    story = json.loads(line)
    assert (story["copies"], story["sites"]) == (2, 2)
    assert "nk-russia" in story["watchlists"]

    assert main(["story", story["story_id"], "--json", *where]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert [a["s3_uri"].rsplit("/", 1)[1] for a in shown["articles"]] == [
        REFERENCE.name,
        WIRE_COPY.name,
    ]
    nk_russia = [alert for alert in shown["alerts"] if alert["watchlist"] == "nk-russia"]
    assert [alert["delivery"] for alert in nk_russia] == ["SENT"]
