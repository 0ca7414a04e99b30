"""Validation: errors say which watchlist, where and what was expected; bad files are refused."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from newswatch.article import Article
from newswatch.errors import NewswatchError
from newswatch.watchlists import (
    Diagnostic,
    WatchlistError,
    WatchlistSet,
    check_watchlists,
    load_watchlists,
)
from newswatch.watchlists.document import read_source


def errors(document: dict[str, Any]) -> list[str]:
    return [str(found) for found in check_watchlists(document) if found.severity == "error"]


def warnings(document: dict[str, Any]) -> list[str]:
    return [str(found) for found in check_watchlists(document) if found.severity == "warning"]


def one(rule: dict[str, Any]) -> dict[str, Any]:
    return {"watchlists": [{"name": "w", **rule}]}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("Russia AND", "watchlist 'w', query, column 11: expected a term after AND, found the end"),
        ("(Russia OR China", "query, column 17: expected ')' to close the '(' at column 1"),
        ("Russia)", "query, column 7: unbalanced ')'"),
        ("Russia NEAR China", "query, column 8: expected NEAR/n with a number of words"),
        ("Russia NEAR/3 (China Japan)", "query, column 8: NEAR/3 needs a term, a phrase"),
        ('"North Korea', "query, column 1: expected a closing '\"'"),
        ("headline:Russia", "query, column 1: unknown field 'headline:'"),
        ("count(Russia) > 2", "query, column 1: expected count(term) >= n"),
        ("Rus*sia", "query, column 1: 'Rus*sia': a wildcard '*' may only end a word"),
        ("Kyiv =Ukrain*", "query, column 6: '=Ukrain*': '=' (exact) and '*' (wildcard) do not mix"),
        ("OR Russia", "query, column 1: expected a term after the start of the query, found 'OR'"),
        ("(" * 40 + "x" + ")" * 40, "nested more than 32 levels deep"),
    ],
)
def test_query_errors_name_the_watchlist_the_column_and_what_was_expected(
    query: str, expected: str
) -> None:
    (found,) = errors(one({"query": query}))
    assert expected in found


@pytest.mark.parametrize(
    ("document", "expected"),
    [
        ({"watchlists": [{"name": "Bad Name", "all": ["x"]}]}, "'name' must be 1-64 lower-case"),
        ({"watchlists": [{"all": ["x"]}]}, "'name' must be"),
        ({"watchlists": [{"name": "w"}]}, "needs at least one of 'query', 'all', 'any' or 'none'"),
        ({"watchlists": [{"name": "w", "all": []}]}, "all: expected a non-empty list of terms"),
        ({"watchlists": [{"name": "w", "all": "Russia"}]}, "all: expected a non-empty list"),
        ({"watchlists": [{"name": "w", "all": [False]}]}, "all[0]: expected a term as a string"),
        ({"watchlists": [{"name": "w", "all": ["--"]}]}, "all[0]: '--' has no letters or digits"),
        ({"watchlists": [{"name": "w", "alll": ["x"]}]}, "unknown keys ['alll']"),
        (
            {"watchlists": [{"name": "w", "all": ["x"], "aliases": ["y"]}]},
            "aliases: expected a mapping",
        ),
        ({"watchlists": "nope"}, "expected 'watchlists:' with a list"),
        ({"watchlist": []}, "unknown top-level keys ['watchlist']"),
        (
            {"watchlists": [{"name": "w", "all": ["x"]}, {"name": "w", "all": ["y"]}]},
            "watchlist 'w', watchlists[1]: the name is already used by watchlists[0]",
        ),
    ],
)
def test_document_errors(document: dict[str, Any], expected: str) -> None:
    assert any(expected in found for found in errors(document)), errors(document)


def test_yaml_booleans_get_a_hint(tmp_path: Path) -> None:
    path = tmp_path / "w.yaml"
    path.write_text("watchlists:\n  - name: nordic\n    any: [Sweden, NO]\n", encoding="utf-8")
    (found,) = errors(load_document(path))
    assert "any[1]: expected a term as a string, found the boolean false (quote it" in found


def load_document(path: Path) -> dict[str, Any]:
    return dict(read_source(path))


def test_the_whole_file_is_validated_and_every_error_reported(tmp_path: Path) -> None:
    path = tmp_path / "w.json"
    path.write_text(
        json.dumps(
            {
                "watchlists": [
                    {"name": "good", "all": ["Russia"]},
                    {"name": "bad-query", "query": "Russia AND"},
                    {"name": "bad-term", "any": [3]},
                ]
            }
        ),
        encoding="utf-8",
    )
    with pytest.raises(WatchlistError) as raised:
        load_watchlists(path)
    assert isinstance(raised.value, NewswatchError)
    message = str(raised.value)
    assert "2 errors" in message
    assert "watchlist 'bad-query', query, column 11" in message
    assert "watchlist 'bad-term', any[0]" in message


def test_a_bad_alias_key_is_reported_beside_the_entrys_other_errors() -> None:
    document = {"watchlists": [{"name": "x", "query": "Russia AND (", "aliases": {'"': ["a"]}}]}
    found = [(finding.location, finding.message) for finding in check_watchlists(document)]
    assert found == [
        ("query, column 13", "expected a term after '(', found the end of the query"),
        ("aliases['\"']", "'\"' has no letters or digits to match"),
    ]


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("watchlists: [", "not valid YAML"),
        ("- just a list", "expected a mapping with a 'watchlists' list"),
    ],
)
def test_unparseable_files(tmp_path: Path, content: str, expected: str) -> None:
    path = tmp_path / "w.yaml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(WatchlistError, match=expected):
        load_watchlists(path)
    assert expected in str(check_watchlists(path)[0])


def test_a_missing_file_is_an_error_not_a_crash(tmp_path: Path) -> None:
    (found,) = check_watchlists(tmp_path / "absent.yaml")
    assert found.severity == "error" and "cannot read" in found.message


@pytest.mark.parametrize(
    ("rule", "expected"),
    [
        ({"query": "ab* AND Russia"}, "'ab*': a wildcard on fewer than 3 letters"),
        ({"query": "NOT Russia"}, "only excludes terms"),
        ({"none": ["Russia"]}, "only excludes terms"),
        ({"all": ["US", "sanctions"]}, "'US' also matches 'us' in any case; write =US"),
        ({"query": "WHO AND outbreak"}, "write =WHO"),
        ({"query": "Russia or China"}, "'or' is searched as a word; write OR"),
        ({"all": ["Korea"], "aliases": {"Japan": ["Nippon"]}}, "aliases['Japan']: no term"),
    ],
)
def test_warnings_for_likely_mistakes(rule: dict[str, Any], expected: str) -> None:
    found = warnings(one(rule))
    assert any(expected in warning for warning in found), found
    load_watchlists(one(rule))  # a warning does not stop the file from loading


def test_no_warnings_for_a_clean_watchlist() -> None:
    assert check_watchlists(one({"query": '=US AND "North Korea" NEAR/5 troop*'})) == []


def test_diagnostics_are_plain_values() -> None:
    found = check_watchlists(one({"query": "Russia AND"}))
    assert found == [
        Diagnostic(
            "error",
            "w",
            "query, column 11",
            "expected a term after AND, found the end of the query",
        )
    ]


def test_the_canonical_document_reloads_to_the_same_version_and_matches() -> None:
    entries: list[dict[str, Any]] = [
        {"any": ["Seoul"], "name": "a", "aliases": {"Seoul": ["South Korean capital"]}},
        {"name": "b", "query": "Russia NEAR/3 troops", "description": "why"},
    ]
    source = {"watchlists": entries}
    first = load_watchlists(source)
    again = load_watchlists(first.to_document())
    assert again.version == first.version
    assert again.names == first.names == ("a", "b")
    assert len(again) == 2
    reordered = {"watchlists": [dict(reversed(list(entry.items()))) for entry in entries]}
    assert load_watchlists(reordered).version == first.version
    changed = {"watchlists": entries[:1]}
    assert load_watchlists(changed).version != first.version


def test_the_serialised_index_loads_back_and_matches_the_same() -> None:
    original = load_watchlists(
        {
            "watchlists": [
                {"name": "nk-russia", "all": ["North Korea", "Russia"]},
                {"name": "exact", "query": "=US AND sanction* AND title:talks"},
                {
                    "name": "near",
                    "query": '"Kim Jong Un" NEAR/5 Putin',
                    "aliases": {"Putin": ["Kremlin"]},
                },
            ]
        }
    )
    data = original.dumps()
    assert isinstance(data, bytes)
    restored = WatchlistSet.loads(data)
    assert (restored.version, restored.names) == (original.version, original.names)
    assert restored.to_document() == original.to_document()
    article = Article(
        title="US sanctions talks",
        text="North Korean leader Kim Jong Un met the Kremlin envoy; the US sanctioned Russia.",
    )
    assert [m.to_dict() for m in restored.match(article)] == [
        m.to_dict() for m in original.match(article)
    ]
    assert [m.watchlist for m in restored.match(article)] == ["nk-russia", "exact", "near"]


@pytest.mark.parametrize("suffix", [".json", ".yaml"])
def test_a_file_nested_absurdly_deep_is_an_error_not_a_recursion_error(
    tmp_path: Path, suffix: str
) -> None:
    path = tmp_path / f"deep{suffix}"
    path.write_text('{"watchlists": ' + "[" * 100_000 + "]" * 100_000 + "}", encoding="utf-8")
    (found,) = check_watchlists(path)
    assert found.message.endswith("nested too deeply to be a watchlist file")


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("w.yaml", "watchlists: !!int abc\n"),
        ("w.yaml", "watchlists:\n  - name: x\n    all: [!!timestamp 2024-13-45]\n"),
        ("w.yaml", "watchlists: " + "1" * 5000 + "\n"),
        ("w.json", '{"watchlists": ' + "1" * 5000 + "}"),
    ],
)
def test_a_value_the_parser_cannot_convert_is_an_error_not_a_value_error(
    tmp_path: Path, name: str, content: str
) -> None:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    with pytest.raises(WatchlistError, match="a value that cannot be read"):
        load_watchlists(path)
    (found,) = check_watchlists(path)
    assert found.severity == "error" and name in found.message


def test_without_a_valid_name_errors_point_at_the_entry_position() -> None:
    entries = [{"name": "ok", "all": ["x"]}, {"name": "Bad", "query": "a AND"}]
    assert errors({"watchlists": entries})[-1] == (
        "error: watchlists[1], query, column 6: "
        "expected a term after AND, found the end of the query"
    )


def test_a_long_near_chain_is_refused_before_it_can_overflow_the_stack() -> None:
    chain = " NEAR/1 ".join(["a"] * 1000)
    (found,) = errors(one({"query": chain}))
    assert "query, column 1: nested more than 64 levels deep" in found


def test_an_empty_set_round_trips_empty() -> None:
    empty = load_watchlists({"watchlists": []})
    restored = WatchlistSet.loads(empty.dumps())
    assert (len(restored), restored.names, restored.version) == (0, (), empty.version)
    assert restored.match(Article(text="anything", title="")) == []
