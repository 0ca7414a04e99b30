"""Word forms of watchlist terms: what a term counts as, and what it must not count as."""

from __future__ import annotations

from importlib import resources

import pytest
from hypothesis import given
from hypothesis import strategies as st
from newswatch.watchlists.forms import variants, word_forms
from newswatch.watchlists.normalise import tokenise


def forms(term: str) -> frozenset[tuple[str, ...]]:
    return variants(tokenise(term))


@pytest.mark.parametrize(
    ("term", "counts_as"),
    [
        ("North Korea", "North Korean"),
        ("North Korea", "North Koreans"),
        ("North Korea", "North Korea’s"),
        ("North Korea", "north korean's"),
        ("North Korea", "Democratic People's Republic of Korea"),
        ("Russia", "Russian"),
        ("Russia", "Russians"),
        ("Russia", "Russia's"),
        ("Russia", "Russian Federation"),
        ("Ukraine", "Ukrainian"),
        ("Ukraine", "Ukrainians"),
        ("South Korea", "South Korean"),
        ("China", "Chinese"),
        ("China", "China's"),
        ("Switzerland", "Swiss"),
        ("Myanmar", "Burma"),
        ("Ivory Coast", "Côte d’Ivoire"),
        ("Saudi Arabia", "Saudis"),
        ("United Arab Emirates", "Emirati"),
        ("United States", "Americans"),
        ("Turkey", "Turkish"),
        ("Türkiye", "Turks"),
        ("United Kingdom", "British"),
        ("United Kingdom", "Britain"),
        ("Botswana", "Batswana"),
        ("France", "Frenchmen"),
        ("DR Congo", "Congolese"),
        ("Czechia", "Czechs"),
        # the reverse direction: a demonym names its place
        ("Russian", "Russia"),
        ("North Koreans", "North Korea"),
        ("Congolese", "Republic of the Congo"),
        ("Congolese", "Democratic Republic of the Congo"),
        ("Russia's", "Russians"),
        ("the Philippines", "Filipinos"),
        ("the Middle East", "Middle East"),
        # regions
        ("Europe", "European"),
        ("Middle East", "Middle Eastern"),
        ("Latin America", "Latin Americans"),
        ("Kashmir", "Kashmiri"),
        ("Crimea", "Crimean"),
        ("Gaza", "Gazans"),
        ("Korea", "Koreans"),
        ("Scotland", "Scots"),
        # ordinary words: the last token only
        ("troop", "troops"),
        ("city", "cities"),
        ("box", "boxes"),
        ("bus", "buses"),
        ("gas", "gases"),
        ("crisis", "crises"),
        ("analysis", "analyses"),
        ("veto", "vetoes"),
        ("spokesman", "spokesmen"),
        ("child", "children"),
        ("child", "children's"),
        ("Putin", "Putin's"),
        ("Kim Jong Un", "Kim Jong-un's"),
        ("Kim Jong-un", "Kim Jong Un"),
        ("peace talk", "peace talks"),
    ],
)
def test_term_counts_as_form(term: str, counts_as: str) -> None:
    assert tokenise(counts_as) in forms(term)


@pytest.mark.parametrize(
    ("term", "does_not_count_as"),
    [
        ("South Korea", "North Korean"),
        ("South Korea", "North Korea"),
        ("South Korea", "Korea"),
        ("South Korea", "Korean"),
        ("North Korea", "South Korean"),
        ("North Korea", "China"),
        ("China", "Chinas"),
        ("China", "Taiwan"),
        ("Taiwan", "Republic of China"),
        ("Republic of the Congo", "Congo"),
        ("DR Congo", "Republic of the Congo"),
        ("Switzerland", "Swisses"),
        ("Chinese", "Chineses"),
        ("Iceland", "Island"),
        ("French Southern and Antarctic Lands", "French"),
        ("India", "British Indian Ocean Territory"),
        ("Kim Jong Un", "Kims Jong Un"),
        ("peace talks", "peace talkses"),
        ("US", "uses"),
        ("news", "newses"),
        ("areas", "areases"),
        ("tennis", "tennes"),
        ("Nauru", "Pleasant Island"),
        ("the economy", "economy"),
    ],
)
def test_term_does_not_count_as(term: str, does_not_count_as: str) -> None:
    assert tokenise(does_not_count_as) not in forms(term)


def test_ordinary_multi_word_term_varies_its_last_token_only() -> None:
    term = tokenise("nuclear test site")
    for form in variants(term):
        assert form[:-1] == term[:-1]
    assert tokenise("nuclear test sites") in variants(term)


def test_scripts_without_spaces_get_no_english_forms() -> None:
    assert variants(tokenise("北朝鮮")) == {tokenise("北朝鮮")}
    assert word_forms("1945") == frozenset()


def _table_rows() -> list[list[str]]:
    text = (
        resources.files("newswatch.watchlists")
        .joinpath("data", "places.tsv")
        .read_text(encoding="utf-8")
    )
    return [line.split("\t") for line in text.splitlines() if not line.startswith("#")]


def test_every_place_round_trips_between_names_and_demonyms() -> None:
    rows = _table_rows()
    names: dict[str, list[tuple[str, ...]]] = {}
    demonyms: dict[str, list[tuple[str, ...]]] = {}
    for place, kind, form, _plural in rows:
        (names if kind == "name" else demonyms).setdefault(place, []).append(tuple(form.split()))
    assert len(names) > 280
    for place, place_names in names.items():
        for name in place_names:
            for demonym in demonyms.get(place, []):
                assert demonym in variants(name), (place, name, demonym)
                assert name in variants(demonym), (place, name, demonym)


def test_table_forms_are_tokens_as_the_tokeniser_cuts_them() -> None:
    for place, kind, form, plural in _table_rows():
        assert kind in {"name", "demonym"}, place
        for spelling in filter(None, (form, plural)):
            assert tokenise(spelling) == tuple(spelling.split(" ")), (place, spelling)


_words = st.from_regex(r"[a-z]{1,10}(?:'[a-z]{1,3})?", fullmatch=True)
_any_tokens = st.text(min_size=1, max_size=30).map(tokenise).filter(bool)
_terms = st.one_of(st.lists(_words, min_size=1, max_size=4).map(tuple), _any_tokens)


@given(_terms)
def test_a_term_always_counts_as_itself(term: tuple[str, ...]) -> None:
    assert term in variants(term)


@given(_terms)
def test_every_form_is_what_the_tokeniser_makes_of_its_own_text(term: tuple[str, ...]) -> None:
    for form in variants(term):
        assert tokenise(" ".join(form)) == form
