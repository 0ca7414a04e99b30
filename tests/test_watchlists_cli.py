"""``newswatch match`` and ``newswatch watchlists check|push|preview`` as a user runs them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from ingest_env import BUCKET, IngestEnv, env_fixture  # noqa: F401
from newswatch.article import Article
from newswatch.cli import main
from newswatch.watchlists import WatchlistsUnavailable
from test_cli_rejections import deploy_outputs

ROOT = Path(__file__).resolve().parent.parent
REFERENCE = ROOT / "samples" / "thehindu-2024-10-30-ukraine-south-korea.html"
DECOY = ROOT / "samples" / "decoy-kent-coast-storm-warning.html"
DEMO = ROOT / "watchlists.yaml"


def write(tmp_path: Path, document: dict[str, object]) -> Path:
    path = tmp_path / "watchlists.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


def test_match_json_has_one_object_per_page(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["match", str(REFERENCE), str(DECOY), "--watchlists", str(DEMO), "--json"]) == 0
    reference, decoy = (json.loads(line) for line in capsys.readouterr().out.splitlines())
    assert reference["source"] == str(REFERENCE)
    assert reference["title"] == "Ukraine and South Korea agree to deepen security cooperation"
    fired = {match["watchlist"]: match for match in reference["matches"]}
    assert "nk-russia" in fired
    hit = fired["nk-russia"]["hits"][0]
    assert set(hit) == {"term", "field", "start", "end", "matched", "snippet"}
    assert (hit["term"], hit["matched"]) == ("North Korea", "North Korean")
    assert decoy == {"source": str(DECOY), "title": decoy["title"], "matches": []}


def test_match_explain_shows_rule_hits_and_snippets(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["match", str(REFERENCE), "-w", str(DEMO), "--explain"]) == 0
    out = capsys.readouterr().out
    assert 'nk-russia: "North Korea" AND Russia' in out
    assert "North Korea (as 'North Korean') in lead" in out
    assert "**North Korean**" in out


def test_match_reports_an_unreadable_page_and_fails(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "absent.html"
    assert main(["match", str(missing), "-w", str(DEMO), "--json"]) == 1
    assert json.loads(capsys.readouterr().out) == {
        "source": str(missing),
        "rejection": "unreadable",
        "detail": "no such file",
    }


def test_check_accepts_the_demo_file(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["watchlists", "check", str(DEMO)]) == 0
    assert capsys.readouterr().out.strip().endswith("watchlists OK")


def test_check_names_watchlist_position_and_expectation(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path, {"watchlists": [{"name": "oops", "query": "Russia AND (China"}]})
    assert main(["watchlists", "check", str(path)]) == 1
    out = capsys.readouterr().out
    assert (
        f"{path}: error: watchlist 'oops', query, column 18: "
        "expected ')' to close the '(' at column 12, found the end of the query"
    ) in out


def test_check_strict_fails_on_warnings(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path, {"watchlists": [{"name": "us", "all": ["US", "sanctions"]}]})
    assert main(["watchlists", "check", str(path)]) == 0
    assert main(["watchlists", "check", "--strict", str(path)]) == 1
    assert "write =US for the acronym only" in capsys.readouterr().out


def test_push_refuses_a_file_that_check_rejects_and_writes_nothing(
    env: IngestEnv, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    deploy_outputs(env)
    path = write(
        tmp_path,
        {
            "watchlists": [
                {"name": "fine", "all": ["Russia"]},
                {"name": "broken", "query": "NEAR/3 Russia"},
            ]
        },
    )
    assert main(["watchlists", "push", str(path), "--stack", "newswatch-test"]) == 2
    assert "watchlist 'broken', query, column 1" in capsys.readouterr().err
    with pytest.raises(WatchlistsUnavailable):
        env.watchlist_store().current()  # nothing was applied


def test_push_then_preview_over_stored_articles(
    env: IngestEnv, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    deploy_outputs(env)
    assert main(["watchlists", "push", str(DEMO), "--stack", "newswatch-test"]) == 0
    assert "pushed 7 watchlists as version" in capsys.readouterr().out
    assert "nk-russia" in env.watchlist_store().current().names

    korea = Article(title="Troops", text="North Korean troops reached Russia’s Kursk region.")
    storm = Article(title="Storm", text="A storm warning was issued for the coast.")
    for name, article in (("a", korea), ("b", storm)):
        # Preview extracts the full text again from the stored object version.
        page = (
            f"<html><head><title>{article.title}</title></head><body><article>"
            + (f"<p>{article.text} It was the main news of the day in the region.</p>" * 5)
            + "</article></body></html>"
        )
        env.articles.put_article(
            env.put(f"incoming/{name}.html", page.encode()),
            article,
            watchlists=[],
            story_id=None,
            ingested_at=f"2024-10-30T12:00:0{len(name)}+00:00",
        )
    preview = write(tmp_path, {"watchlists": [{"name": "nk", "all": ["North Korea", "Russia"]}]})
    assert main(["watchlists", "preview", str(preview), "--stack", "newswatch-test"]) == 0
    out = capsys.readouterr().out
    assert "Troops  [nk]" in out and f"s3://{BUCKET}/incoming/a.html" in out
    assert "Storm" not in out
    assert out.strip().endswith("1 of 2 stored articles would match")
    assert (
        main(["watchlists", "preview", str(preview), "--stack", "newswatch-test", "--limit", "1"])
        == 0
    )
    assert capsys.readouterr().out.strip().endswith(" of 1 stored articles would match")

    args = ["watchlists", "preview", str(DEMO), "--stack", "newswatch-test", "--json"]
    assert main([*args, "--only", "storm-warnings"]) == 0
    (line,) = capsys.readouterr().out.splitlines()
    record = json.loads(line)
    assert record["title"] == "Storm"
    assert [match["watchlist"] for match in record["matches"]] == ["storm-warnings"]


def test_preview_of_an_unknown_watchlist_is_a_clear_error(
    env: IngestEnv, capsys: pytest.CaptureFixture[str]
) -> None:
    deploy_outputs(env)
    args = ["watchlists", "preview", str(DEMO), "--stack", "newswatch-test", "--only", "nope"]
    assert main(args) == 2
    assert "no watchlist named nope in the file" in capsys.readouterr().err
