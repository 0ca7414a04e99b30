"""``newswatch stories`` and ``newswatch story`` read what the pipeline stored, on moto: the
listing newest first with copies, sites and watchlists, one story's copies and its alerts with
their delivery state, and page text that cannot drive the terminal."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from ingest_env import IngestEnv, env_fixture  # noqa: F401
from newswatch.cli import main
from newswatch.pipeline import Outcome
from test_cli_rejections import deploy_outputs

STORIES = Path(__file__).resolve().parent / "fixtures" / "stories"
REFERENCE = "../../../samples/thehindu-2024-10-30-ukraine-south-korea.html"
WIRE_COPY = "../../../samples/wire-copy-ukraine-south-korea.html"
KURSK = "nk-kursk-harbourtimes.html"
WATCHLISTS = {
    "watchlists": [
        {"name": "nk-russia", "all": ["North Korea", "Russia"]},
        {"name": "kursk", "all": ["Kursk"]},
    ]
}
STACK = ["--stack", "newswatch-test"]


def process(
    env: IngestEnv, name: str, key: str | None = None, body: bytes | None = None
) -> Outcome:
    data = body if body is not None else (STORIES / name).read_bytes()
    return env.pipeline().process(env.put(key or f"incoming/{Path(name).name}", data))


@pytest.fixture(name="stored")
def stored_fixture(env: IngestEnv) -> tuple[IngestEnv, Outcome, Outcome]:
    """The reference story with its wire copy and a re-upload, then a different Kursk report."""
    deploy_outputs(env)
    env.push_watchlists(WATCHLISTS)
    reference = process(env, REFERENCE)
    process(env, WIRE_COPY)
    process(env, REFERENCE, key="incoming/again/hindu.html.gz")
    kursk = process(env, KURSK)
    assert reference.story_id and kursk.story_id and reference.story_id != kursk.story_id
    return env, reference, kursk


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    code = main([*argv, *STACK])
    return code, capsys.readouterr().out


def test_stories_lists_newest_first_with_copies_sites_and_watchlists(
    stored: tuple[IngestEnv, Outcome, Outcome], capsys: pytest.CaptureFixture[str]
) -> None:
    _, reference, kursk = stored
    code, out = run(capsys, "stories", "--json")
    assert code == 0
    newest, oldest = (json.loads(line) for line in out.splitlines())
    assert [newest["story_id"], oldest["story_id"]] == [kursk.story_id, reference.story_id]
    assert (oldest["copies"], oldest["sites"]) == (3, 2)
    assert oldest["watchlists"] == ["nk-russia"]
    assert newest["copies"] == 1 and "kursk" in newest["watchlists"]

    code, out = run(capsys, "stories")
    assert code == 0
    assert out.index(str(kursk.story_id)) < out.index(str(reference.story_id))
    assert "3 copies on 2 sites" in out


def test_stories_for_one_watchlist_and_a_limit(
    stored: tuple[IngestEnv, Outcome, Outcome], capsys: pytest.CaptureFixture[str]
) -> None:
    _, reference, kursk = stored
    _, out = run(capsys, "stories", "--json", "--watchlist", "kursk")
    listed = [json.loads(line)["story_id"] for line in out.splitlines()]
    assert kursk.story_id in listed and reference.story_id not in listed
    _, out = run(capsys, "stories", "--json", "--limit", "1")
    assert [json.loads(line)["story_id"] for line in out.splitlines()] == [kursk.story_id]
    _, out = run(capsys, "stories", "--watchlist", "nobody")
    assert out.strip() == "no stories stored for nobody"


def test_story_shows_every_copy_and_each_alert_with_its_delivery(
    stored: tuple[IngestEnv, Outcome, Outcome], capsys: pytest.CaptureFixture[str]
) -> None:
    _, reference, _ = stored
    code, out = run(capsys, "story", str(reference.story_id), "--json")
    assert code == 0
    shown = json.loads(out)
    keys = [article["s3_uri"].split("/", 3)[3] for article in shown["articles"]]
    assert keys == [
        "incoming/thehindu-2024-10-30-ukraine-south-korea.html",
        "incoming/wire-copy-ukraine-south-korea.html",
        "incoming/again/hindu.html.gz",
    ]
    assert shown["articles"][0]["article_id"] == reference.article_id
    assert [(a["watchlist"], a["delivery"], a["article_id"]) for a in shown["alerts"]] == [
        ("nk-russia", "SENT", reference.article_id)
    ]

    code, out = run(capsys, "story", str(reference.story_id))
    assert code == 0
    assert "3 copies on 2 sites" in out
    assert "incoming/again/hindu.html.gz" in out
    assert "nk-russia" in out and "SENT" in out


def test_a_story_that_is_not_there_is_an_error(
    stored: tuple[IngestEnv, Outcome, Outcome], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["story", "0" * 24, *STACK]) == 1
    assert "no story" in capsys.readouterr().err


def test_page_text_cannot_drive_the_terminal(
    env: IngestEnv, capsys: pytest.CaptureFixture[str]
) -> None:
    deploy_outputs(env)
    env.push_watchlists(WATCHLISTS)
    page = (STORIES / KURSK).read_bytes()
    hostile = page.replace(b"<title>", b"<title>\xe2\x80\xae\x1b[2J", 1)
    assert hostile != page
    outcome = process(env, KURSK, key="incoming/\x1b]0;owned\x07.html", body=hostile)
    for argv in (["stories"], ["story", str(outcome.story_id)]):
        _, out = run(capsys, *argv)
        assert "\x1b" not in out and "\u202e" not in out and "\x07" not in out
        _, out = run(capsys, *argv, "--json")
        assert out.isascii() and "\x1b" not in out
