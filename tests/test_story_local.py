"""Stories end to end through the local stack over HTTP: the reference article and its wire copy
(another site, another headline) dropped as a user drops them become one story with one
``nk-russia`` alert, and ``newswatch stories`` / ``newswatch story`` show it from the server."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from local_stack import put_and_process, running_stack
from newswatch.cli import main
from newswatch.local.runner import LocalStack

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[1]
REFERENCE = ROOT / "samples/thehindu-2024-10-30-ukraine-south-korea.html"
WIRE_COPY = ROOT / "samples/wire-copy-ukraine-south-korea.html"


@pytest.fixture(scope="module")
def local(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalStack]:
    with running_stack(tmp_path_factory.mktemp("outbox")) as stack:
        yield stack


def test_a_wire_copy_is_listed_on_the_reference_story(
    local: LocalStack, capsys: pytest.CaptureFixture[str]
) -> None:
    put_and_process(local, REFERENCE)
    put_and_process(local, WIRE_COPY)
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
