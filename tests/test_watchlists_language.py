"""Every rule of the watchlist language, in both forms, as match and no-match cases."""

from __future__ import annotations

from typing import Any

import pytest
from newswatch.article import Article
from newswatch.watchlists import load_watchlists

LEAD = "Seoul said on Tuesday that North Korean troops had been sent to Russia."
BODY = (
    "The deployment was confirmed by officials in Kyiv, who said Russia’s army had trained them."
    "\n\nSouth Korea’s president spoke with Volodymyr Zelenskyy by phone about the crisis."
    "\n\nThe US and the WHO were not mentioned; neither was the Red Cross."
)
TITLE = "Ukraine and South Korea agree to deepen security cooperation"


def fires(rule: dict[str, Any], text: str = LEAD + "\n\n" + BODY, title: str = TITLE) -> bool:
    watchlists = load_watchlists({"watchlists": [{"name": "case", **rule}]})
    return [match.watchlist for match in watchlists.match(Article(text=text, title=title))] == [
        "case"
    ]


CASES: list[tuple[str, dict[str, Any], bool]] = [
    # all / any / none, and the same rules as queries
    ("all: every term present", {"all": ["North Korea", "Russia"]}, True),
    ("all: one term missing", {"all": ["North Korea", "China"]}, False),
    ("query AND: every term present", {"query": '"North Korea" AND Russia'}, True),
    ("query AND: one term missing", {"query": '"North Korea" AND China'}, False),
    ("any: one of them present", {"any": ["China", "Ukraine"]}, True),
    ("any: none present", {"any": ["China", "Japan"]}, False),
    ("query OR: one present", {"query": "China OR Ukraine"}, True),
    ("query OR: none present", {"query": "China OR Japan"}, False),
    ("none: excluded term absent", {"all": ["Russia"], "none": ["football"]}, True),
    ("none: excluded term present", {"all": ["Russia"], "none": ["Kyiv"]}, False),
    ("query NOT: excluded absent", {"query": "Russia NOT football"}, True),
    ("query NOT: excluded present", {"query": "Russia NOT Kyiv"}, False),
    ("all + any + none together", {"all": ["Russia"], "any": ["troops"], "none": ["x"]}, True),
    ("implicit AND: both present", {"query": "Kyiv Seoul"}, True),
    ("implicit AND: one missing", {"query": "Kyiv Tokyo"}, False),
    ("parentheses group OR under AND", {"query": "(China OR Kyiv) AND Seoul"}, True),
    ("parentheses change the meaning", {"query": "China OR (Kyiv AND Tokyo)"}, False),
    ("AND binds tighter than OR", {"query": "Tokyo AND China OR Seoul"}, True),
    # terms: word boundaries, phrases, word forms, normalisation
    ("a term needs whole words", {"all": ["Russ"]}, False),
    ("a phrase needs adjacent words", {"query": '"Kyiv officials"'}, False),
    ("a phrase in order matches", {"query": '"officials in Kyiv"'}, True),
    ("list entries are phrases", {"all": ["Red Cross"]}, True),
    ("demonym: North Korea -> North Korean", {"all": ["North Korea"]}, True),
    ("demonym: Ukraine -> Ukrainian", {"all": ["Ukraine"]}, True),
    ("possessive with a curly apostrophe", {"query": '"Russia\'s army"'}, True),
    ("plural of the last word", {"all": ["troop"]}, True),
    ("case-insensitive", {"all": ["ZELENSKYY"]}, True),
    ("accent-insensitive", {"all": ["Zélenskyy"]}, True),
    # NEAR / ONEAR
    ("NEAR within n words", {"query": "troops NEAR/4 Russia"}, True),
    ("NEAR in either order", {"query": "Russia NEAR/4 troops"}, True),
    ("NEAR too far apart", {"query": "Seoul NEAR/3 Russia"}, False),
    ("ONEAR in order", {"query": "troops ONEAR/4 Russia"}, True),
    ("ONEAR in the wrong order", {"query": "Russia ONEAR/4 troops"}, False),
    ("NEAR with alternatives", {"query": "(China OR troops) NEAR/4 Russia"}, True),
    ("NEAR with a phrase", {"query": '"North Korea" NEAR/2 troops'}, True),
    # wildcards
    ("wildcard on a word start", {"query": "deploy*"}, True),
    ("wildcard needs the prefix", {"query": "redeploy*"}, False),
    ("wildcard at the end of a phrase", {"query": '"security coop*"'}, True),
    # fields
    ("title: present in the title", {"query": "title:Ukraine"}, True),
    ("title: only in the text", {"query": "title:Kyiv"}, False),
    ("lead: in the first paragraph", {"query": "lead:Seoul"}, True),
    ("lead: only further down", {"query": "lead:Zelenskyy"}, False),
    ("body: in the text", {"query": "body:Zelenskyy"}, True),
    ("body: only in the title", {"query": "body:cooperation"}, False),
    ("field over a group", {"query": "title:(China OR Ukraine)"}, True),
    # exact
    ("=US matches the acronym", {"query": "=US"}, True),
    ("=WHO matches the acronym", {"query": "=WHO"}, True),
    ("=Who does not match WHO", {"query": "=Who"}, False),
    ("=Seoul, exact case", {"query": "=Seoul"}, True),
    ("=seoul, wrong case", {"query": "=seoul"}, False),
    ('="Red Cross" exact phrase', {"query": '="Red Cross"'}, True),
    ('="red cross" wrong case', {"query": '="red cross"'}, False),
    ("exact list entry", {"all": ["=WHO"]}, True),
    # count
    ("count reached", {"query": "count(Russia) >= 2"}, True),
    ("count not reached", {"query": "count(Russia) >= 3"}, False),
    ("count in a field", {"query": "title:count(Korea) >= 1"}, True),
    # aliases
    (
        "alias counts as its term",
        {"all": ["Ukrainian capital"], "aliases": {"Ukrainian capital": ["Kyiv", "Kiev"]}},
        True,
    ),
    ("without the alias", {"all": ["Ukrainian capital"]}, False),
    (
        "aliases of keys that name the same term all count",
        {
            "all": ["Ukrainian capital"],
            "aliases": {"Ukrainian capital": ["Kyiv"], "ukrainian capital": ["Kiev"]},
        },
        True,
    ),
    (
        "alias inside a query",
        {"query": "capital AND Russia", "aliases": {"capital": ["Kyiv"]}},
        True,
    ),
]


@pytest.mark.parametrize(
    ("rule", "expected"),
    [(rule, expected) for _, rule, expected in CASES],
    ids=[name for name, _, _ in CASES],
)
def test_rule(rule: dict[str, Any], expected: bool) -> None:
    assert fires(rule) is expected


@pytest.mark.parametrize(
    ("rule", "text", "expected"),
    [
        ({"all": ["Kim Jong-un"]}, "Kim Jong Un met Putin.", True),
        ({"all": ["Kim Jong Un"]}, "Kim Jong-un met Putin.", True),
        ({"all": ["Russia"]}, "Russian troops advanced.", True),
        ({"all": ["Russia"]}, "Prussian history.", False),
        ({"all": ["South Korea"]}, "North Korean troops.", False),
        ({"all": ["São Paulo"]}, "Sao Paulo flooded.", True),
        ({"all": ["Straße"]}, "STRASSE closed", True),
        ({"all": ["İstanbul"]}, "istanbul talks", True),
        ({"all": ["北朝鮮"]}, "北朝鮮はミサイルを発射した", True),
        ({"all": ["북한"]}, "북한군이 러시아에", True),
        ({"all": ["북한"]}, "남한군", False),
        ({"query": "=Müller"}, "Thomas Müller scored", True),
        ({"query": "=Müller"}, "Thomas Muller scored", False),
        ({"query": "=Müller"}, "Thomas Mu\u0308ller scored", True),
        ({"query": "Müller"}, "Thomas Muller scored", True),
        ({"query": "=US"}, "they told us", False),
        ({"query": "=US"}, "the US’s allies", True),
    ],
)
def test_forms_and_normalisation(rule: dict[str, Any], text: str, expected: bool) -> None:
    assert fires(rule, text=text, title="") is expected


def test_a_match_explains_each_hit_with_offsets_and_a_marked_snippet() -> None:
    text = LEAD + "\n\n" + BODY
    watchlists = load_watchlists(
        {"watchlists": [{"name": "nk-russia", "all": ["North Korea", "Russia"]}]}
    )
    (match,) = watchlists.match(Article(text=text, title=TITLE))
    assert match.watchlist == "nk-russia"
    korean = next(hit for hit in match.hits if hit.term == "North Korea")
    assert (korean.field, korean.matched) == ("lead", "North Korean")
    assert text[korean.start : korean.end] == "North Korean"
    assert "**North Korean**" in korean.snippet and len(korean.snippet) <= 160
    assert {hit.field for hit in match.hits} == {"lead", "body"}
    explained = match.explain()
    assert explained.splitlines()[0] == 'nk-russia: "North Korea" AND Russia'
    assert "North Korea (as 'North Korean') in lead" in explained
    as_dict = match.to_dict()
    assert as_dict["watchlist"] == "nk-russia"
    assert as_dict["hits"][0]["snippet"] == match.hits[0].snippet


def test_title_hits_point_into_the_title() -> None:
    watchlists = load_watchlists({"watchlists": [{"name": "t", "query": "title:security"}]})
    (match,) = watchlists.match(Article(text=LEAD, title=TITLE))
    (hit,) = match.hits
    assert (hit.field, TITLE[hit.start : hit.end]) == ("title", "security")


def test_hits_via_an_alias_name_the_term_and_show_the_alias() -> None:
    watchlists = load_watchlists(
        {"watchlists": [{"name": "a", "all": ["DPRK"], "aliases": {"DPRK": ["North Korea"]}}]}
    )
    (match,) = watchlists.match(Article(text=LEAD, title=""))
    assert [(hit.term, hit.matched) for hit in match.hits] == [("DPRK", "North Korean")]


def test_matches_come_in_file_order_and_only_those_that_fire() -> None:
    watchlists = load_watchlists(
        {
            "watchlists": [
                {"name": "b-second", "all": ["Seoul"]},
                {"name": "a-never", "all": ["Tokyo"]},
                {"name": "c-only-not", "none": ["Tokyo"]},
            ]
        }
    )
    fired = [match.watchlist for match in watchlists.match(Article(text=LEAD, title=""))]
    assert fired == ["b-second", "c-only-not"]


def test_the_explanation_says_what_satisfied_each_clause() -> None:
    watchlists = load_watchlists(
        {
            "watchlists": [
                {
                    "name": "troops",
                    "all": ["North Korea"],
                    "any": ["troops", "soldiers"],
                    "none": ["football"],
                }
            ]
        }
    )
    (match,) = watchlists.match(Article(text=LEAD, title=""))
    lines = match.explain().splitlines()
    assert lines[:4] == [
        'troops: "North Korea" AND (troops OR soldiers) AND NOT football',
        '  + "North Korea": found North Korea (1x)',
        "  + (troops OR soldiers): found troops (1x)",
        "  + NOT football: none of it present",
    ]


def test_a_near_of_a_near() -> None:
    # Seoul(0) ... North Korean(5-6) troops had been sent to Russia(12): 5 words between the
    # inner pair, and 4 between Seoul and the span it makes.
    inner = '("North Korean" NEAR/5 Russia)'
    assert fires({"query": f"{inner} NEAR/4 Seoul"}, text=LEAD, title="")
    assert not fires({"query": f"{inner} NEAR/3 Seoul"}, text=LEAD, title="")
    assert not fires({"query": '("North Korean" NEAR/4 Russia) NEAR/12 Seoul'}, text=LEAD, title="")


def test_hits_quote_a_few_places_but_mentions_count_them_all() -> None:
    watchlists = load_watchlists({"watchlists": [{"name": "r", "query": "Russia NOT Kyiv"}]})
    text = " ".join(["Russia’s army moved.", "Russia said so."] * 3)
    (match,) = watchlists.match(Article(text=text, title="Russia"))
    assert [hit.field for hit in match.hits] == ["title", "lead", "lead"]
    assert match.mentions == (("Russia", 7),)
    assert match.to_dict()["mentions"] == {"Russia": 7}
    assert "  + Russia: found Russia (7x)" in match.explain()
