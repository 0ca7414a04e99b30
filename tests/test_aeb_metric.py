"""The benchmark metric must give the published numbers, so its edge rules are pinned here."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from benchmarks.aeb import (
    PageScore,
    aggregate,
    load_pages,
    load_paired_pages,
    score_page,
    shingles,
)


def test_shingles_are_four_token_runs_counted_as_a_multiset() -> None:
    runs = shingles("a b c d a b c d")
    assert runs[("a", "b", "c", "d")] == 2
    assert sum(runs.values()) == 5


def test_tokens_are_unicode_words_with_case_kept() -> None:
    assert shingles("Сеул, 30 октября") == {("Сеул", "30", "октября"): 1}
    assert ("Word",) in shingles("Word") and ("word",) not in shingles("Word")


def test_short_text_gives_one_shorter_shingle_and_empty_text_none() -> None:
    assert shingles("two words") == {("two", "words"): 1}
    assert shingles(" ,. ") == {}


def test_scores_are_normalised_to_sum_to_one() -> None:
    score = score_page("one two three four five", "two three four five six")
    assert score.tp + score.fp + score.fn == pytest.approx(1.0)
    assert score.precision == pytest.approx(0.5)
    assert score.recall == pytest.approx(0.5)


def test_exact_prediction_scores_one() -> None:
    score = score_page("a b c d e", "a  b, c d e")
    assert (score.precision, score.recall) == (1.0, 1.0)


def test_disjoint_prediction_scores_zero() -> None:
    score = score_page("a b c d", "w x y z")
    assert (score.precision, score.recall) == (0.0, 0.0)


def test_empty_prediction_lowers_recall_but_not_precision() -> None:
    full = score_page("a b c d e", "a b c d e")
    empty = score_page("a b c d e", "")
    assert (empty.precision, empty.recall) == (0.0, 0.0)
    total = aggregate([full, empty])
    assert total.precision == 1.0  # the empty page predicted nothing: not in the precision mean
    assert total.recall == 0.5


def test_page_without_truth_counts_only_for_precision() -> None:
    spurious = score_page("", "a b c d")
    assert (spurious.precision, spurious.recall) == (0.0, 0.0)
    total = aggregate([score_page("a b c d", "a b c d"), spurious])
    assert total.precision == 0.5
    assert total.recall == 1.0


def test_both_empty_is_perfect_but_counts_in_neither_mean() -> None:
    nothing = score_page("", "")
    assert (nothing.precision, nothing.recall) == (1.0, 1.0)
    assert aggregate([nothing, PageScore(0.5, 0.5, 0.0)]).recall == 1.0


def test_f1_is_taken_from_the_means_not_averaged_per_page() -> None:
    total = aggregate([PageScore(1.0, 0.0, 0.0), PageScore(0.5, 0.0, 0.5)])
    assert total.precision == 1.0
    assert total.recall == 0.75
    assert total.f1 == pytest.approx(2 * 0.75 / 1.75)


def test_loader_reads_gzip_pages_with_their_truth(tmp_path: Path) -> None:
    (tmp_path / "html").mkdir()
    (tmp_path / "html" / "p1.html.gz").write_bytes(gzip.compress(b"<p>Hello</p>"))
    truth = {
        "p1": {"articleBody": "Hello", "url": "https://example.com/"},
        "gone": {"articleBody": "x"},
    }
    (tmp_path / "ground-truth.json").write_text(json.dumps(truth))
    [page] = load_pages(tmp_path)
    assert (page.page_id, page.html, page.truth, page.url) == (
        "p1",
        b"<p>Hello</p>",
        "Hello",
        "https://example.com/",
    )


def test_paired_loader_takes_pages_that_have_an_expected_text(tmp_path: Path) -> None:
    (tmp_path / "html").mkdir()
    (tmp_path / "txt").mkdir()
    (tmp_path / "html" / "story.html").write_bytes(b"<p>Hello</p>")
    (tmp_path / "txt" / "story.txt").write_text("Hello", encoding="utf-8")
    (tmp_path / "html" / "home_page.html").write_bytes(b"<a href='/'>Home</a>")
    [page] = load_paired_pages(tmp_path)
    assert (page.page_id, page.html, page.truth) == ("story", b"<p>Hello</p>", "Hello")


def test_benchmark_counts_failures_and_scores_every_extractor_on_the_same_pages() -> None:
    from benchmarks.aeb import Page
    from benchmarks.extraction import format_table, measure

    pages = [
        Page("a", "", b"alpha beta gamma delta", "alpha beta gamma delta"),
        Page("b", "", b"one two three four", "one two three four"),
    ]

    def echo(html: bytes) -> str:
        return html.decode()

    def broken(html: bytes) -> str:
        raise ValueError("cannot parse")

    results = {
        r.name: r
        for r in measure({"echo": (echo, True), "broken": (broken, True)}, pages, rounds=2)
    }
    assert results["echo"].score is not None and results["echo"].score.f1 == 1.0
    assert results["echo"].failures == 0
    assert results["broken"].failures == 2
    assert results["broken"].score is not None and results["broken"].score.recall == 0.0
    table = format_table(list(results.values()), reference="echo")
    assert "broken" in table and "1.00x" in table
