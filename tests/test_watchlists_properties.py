"""Properties of the watchlist language and engine, checked on generated queries and texts."""

from __future__ import annotations

import json
import re
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from newswatch.article import Article
from newswatch.watchlists import WatchlistError, check_watchlists, load_watchlists
from newswatch.watchlists.compiler import Compiler
from newswatch.watchlists.document import validate
from newswatch.watchlists.evaluator import Evaluator
from newswatch.watchlists.explain import SNIPPET_LIMIT, snippet
from newswatch.watchlists.rules import decode_rule, encode_rule
from newswatch.watchlists.scanner import Scanner, segments_of

WORDS = ["Russia", "North Korea", "troops", "Kyiv", "Seoul", "talks", "China", "US", "sanctions"]
FILLER = ["the", "said", "on", "Tuesday", "and", "a", "report", "of"]
PROPERTIES = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def fired(watchlists: dict[str, Any], article: Article) -> list[str]:
    return [match.watchlist for match in load_watchlists(watchlists).match(article)]


texts = st.lists(st.sampled_from(WORDS + FILLER), min_size=0, max_size=40).map(" ".join)
articles = st.builds(lambda title, text: Article(text=text, title=title), texts, texts)

plain_terms = st.sampled_from(WORDS).map(lambda word: f'"{word}"' if " " in word else word)
terms = st.one_of(
    plain_terms,
    st.sampled_from(["=US", "=Seoul", '="North Korea"', "sanct*", "tro*"]),
    st.builds(
        lambda field, term: f"{field}:{term}",
        st.sampled_from(["title", "lead", "body"]),
        plain_terms,
    ),
    st.builds(lambda term, n: f"count({term}) >= {n}", plain_terms, st.integers(1, 3)),
)


def _combine(children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return st.one_of(
        st.builds(lambda a, b: f"({a} AND {b})", children, children),
        st.builds(lambda a, b: f"({a} OR {b})", children, children),
        st.builds(lambda a, b: f"({a} {b})", children, children),
        st.builds(lambda a: f"NOT {a}", children),
    )


near = st.builds(
    lambda a, op, n, b: f"{a} {op}/{n} {b}",
    plain_terms,
    st.sampled_from(["NEAR", "ONEAR"]),
    st.integers(1, 6),
    plain_terms,
)
queries = st.recursive(st.one_of(terms, near), _combine, max_leaves=6)


@PROPERTIES
@given(
    st.text(alphabet=st.characters(categories=["L", "N"]), min_size=1, max_size=12),
    st.lists(st.text(alphabet=st.characters(categories=["L", "N"]), min_size=1), max_size=2),
    texts,
    texts,
)
def test_a_term_matches_any_text_containing_it_verbatim(
    word: str, more: list[str], before: str, after: str
) -> None:
    term = " ".join([word, *more])
    article = Article(text=f"{before} {term}. {after}", title="")
    assert fired({"watchlists": [{"name": "w", "all": [term]}]}, article) == ["w"]
    assert fired({"watchlists": [{"name": "w", "query": f'"{term}"'}]}, article) == ["w"]


@PROPERTIES
@given(queries, plain_terms, articles)
def test_adding_a_not_never_adds_a_match(query: str, excluded: str, article: Article) -> None:
    without = fired({"watchlists": [{"name": "w", "query": query}]}, article)
    with_not = fired({"watchlists": [{"name": "w", "query": f"({query}) NOT {excluded}"}]}, article)
    assert set(with_not) <= set(without)


@PROPERTIES
@given(st.lists(queries, min_size=1, max_size=8), articles)
def test_the_shared_index_finds_exactly_what_evaluating_every_watchlist_finds(
    rules: list[str], article: Article
) -> None:
    document = {"watchlists": [{"name": f"w{i}", "query": query} for i, query in enumerate(rules)]}
    definitions, _ = validate(document)
    compiler = Compiler()
    compiled = [
        (definition.name, compiler.rule(definition.expression)) for definition in definitions
    ]
    segments = segments_of(article)
    scanner = Scanner(compiler.words, compiler.wildcards, compiler.exact)
    evaluator = Evaluator(scanner.find(segments), segments)
    everyone = [name for name, rule in compiled if evaluator.holds(rule)]
    fired = load_watchlists(document).match(article)
    assert [match.watchlist for match in fired] == everyone


@PROPERTIES
@given(queries)
def test_every_compiled_rule_decodes_back_from_the_index_as_it_was(query: str) -> None:
    """The rule check that loading applies never refuses what the compiler writes."""
    (definition,), _ = validate({"watchlists": [{"name": "w", "query": query}]})
    compiler = Compiler()
    rule = compiler.rule(definition.expression)
    stored = json.loads(json.dumps(encode_rule(rule)))
    assert decode_rule(stored, len(compiler.atom_ids)) == rule


@PROPERTIES
@given(st.text(max_size=80))
def test_the_parser_raises_only_its_own_validation_error(query: str) -> None:
    document = {"watchlists": [{"name": "w", "query": query}]}
    findings = check_watchlists(document)
    try:
        load_watchlists(document)
    except WatchlistError as error:
        assert error.diagnostics and any(found.severity == "error" for found in findings)
    else:
        assert not any(found.severity == "error" for found in findings)


json_values = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=10)),
    lambda children: st.one_of(
        st.lists(children, max_size=3), st.dictionaries(st.text(max_size=6), children, max_size=3)
    ),
    max_leaves=10,
)
entries = st.dictionaries(
    st.sampled_from(["name", "query", "all", "any", "none", "aliases", "description", "x"]),
    json_values,
    max_size=5,
)


@PROPERTIES
@given(st.one_of(json_values, st.lists(entries, max_size=3)))
def test_any_document_shape_gets_diagnostics_not_a_crash(value: object) -> None:
    document = {"watchlists": value}
    try:
        load_watchlists(document)
    except WatchlistError:
        assert any(found.severity == "error" for found in check_watchlists(document))


query_pieces = st.sampled_from(
    [
        "a",
        "b",
        "AND",
        "OR",
        "NOT",
        "(",
        ")",
        "NEAR/2",
        "ONEAR/1",
        '"',
        "title:",
        "lead:",
        "=",
        "count(",
        ")>=",
        "2",
        "x*",
        "ab*",
        "*",
        "=US",
        "NEAR",
        "headline:",
    ]
)


@PROPERTIES
@given(st.lists(query_pieces, max_size=400), st.sampled_from([" ", ""]))
def test_operator_soup_gets_diagnostics_or_a_match_never_a_crash(
    pieces: list[str], separator: str
) -> None:
    document = {"watchlists": [{"name": "w", "query": separator.join(pieces)}]}
    try:
        watchlists = load_watchlists(document)
    except WatchlistError:
        assert any(found.severity == "error" for found in check_watchlists(document))
    else:
        watchlists.match(Article(text="a b a x ab US " * 20, title="a b"))


@PROPERTIES
@given(st.text(alphabet=st.sampled_from("ab .,\n\t"), max_size=600), st.data())
def test_a_snippet_fits_the_limit_and_marks_the_hit_whatever_the_text(
    text: str, data: st.DataObject
) -> None:
    start = data.draw(st.integers(0, len(text)))
    end = data.draw(st.integers(start, len(text)))
    shown = snippet(text, start, end)
    assert len(shown) <= SNIPPET_LIMIT
    hit = re.sub(r"\s+", " ", text[start:end])  # paragraph breaks show as one space
    if len(hit) + len("****") <= SNIPPET_LIMIT:
        assert f"**{hit}**" in shown
