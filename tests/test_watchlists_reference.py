"""The reference article (The Hindu, 30 October 2024): the product's canonical promise."""

from __future__ import annotations

from pathlib import Path

import pytest
from newswatch.article import Article
from newswatch.extraction import extract_article
from newswatch.watchlists import WatchlistSet, load_watchlists

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"


@pytest.fixture(scope="module")
def article() -> Article:
    """The reference page as the pipeline sees it: it says "North Korean", never "North Korea"."""
    page = SAMPLES / "thehindu-2024-10-30-ukraine-south-korea.html"
    found = extract_article(page.read_bytes())
    assert "North Korean" in found.text
    assert "North Korea " not in found.text and "North Korea," not in found.text
    return found


@pytest.fixture(scope="module")
def watchlists() -> WatchlistSet:
    return load_watchlists(
        {
            "watchlists": [
                {"name": "nk-russia", "all": ["North Korea", "Russia"]},
                {"name": "south-north", "all": ["South Korea", "North Korea"]},
                {"name": "nk-china", "all": ["North Korea", "China"]},
            ]
        }
    )


def test_the_canonical_watchlists_fire_and_the_china_one_does_not(
    article: Article, watchlists: WatchlistSet
) -> None:
    assert [match.watchlist for match in watchlists.match(article)] == ["nk-russia", "south-north"]


def test_hits_point_at_the_article_own_words(article: Article, watchlists: WatchlistSet) -> None:
    nk_russia = watchlists.match(article)[0]
    terms = {hit.term for hit in nk_russia.hits}
    assert terms == {"North Korea", "Russia"}
    for hit in nk_russia.hits:
        source = article.title if hit.field == "title" else article.text
        assert source is not None
        assert source[hit.start : hit.end] == hit.matched
        assert f"**{hit.matched}**" in hit.snippet
        assert len(hit.snippet) <= 160
    assert "North Korean" in {hit.matched for hit in nk_russia.hits}


def test_the_demo_watchlists_file_loads_and_fires_nk_russia(article: Article) -> None:
    demo = load_watchlists(ROOT / "watchlists.yaml")
    assert "nk-russia" in [match.watchlist for match in demo.match(article)]


def test_the_decoy_fires_none_of_the_demo_watchlists() -> None:
    decoy = extract_article((SAMPLES / "decoy-kent-coast-storm-warning.html").read_bytes())
    assert load_watchlists(ROOT / "watchlists.yaml").match(decoy) == []
