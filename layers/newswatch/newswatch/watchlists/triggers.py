"""Which watchlists an article makes candidates, so that only those are evaluated.

A *trigger key* is an atom (``"12"``), or an atom in the title (``"t12"``) or the lead
(``"l12"``). Each watchlist registers under its two rarest requirements (groups of keys of which
any true evaluation must find one), so it is a candidate only when the article has both: an
article's cost depends on its words and hits, not on how many watchlists exist.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from typing import Any

from newswatch.watchlists.rules import (
    AllRule,
    CountRule,
    NearRule,
    NotRule,
    Rule,
    TermRule,
    term_rules,
)
from newswatch.watchlists.scanner import TEXT, TITLE, Occurrence

# tuned: benchmarks/watchlists.py (key pairs one watchlist may register; beyond it, one key)
MAX_PAIRS_PER_WATCHLIST = 64
_FIELD_KEY_PREFIXES = {"title": "t", "lead": "l"}

# triggers[key] = [watchlists that need only this key, {other key: watchlists that need both}]
# where a lone watchlist is a bare int (most pairs have one; 100,000 one-element lists load
# measurably slower).
Triggers = dict[str, list[Any]]


def term_keys(term: TermRule) -> frozenset[str]:
    """Trigger keys of a term: its atoms, prefixed ``t``/``l`` when it must be in the title or
    the lead (few words, so a watchlist keyed there is rarely a candidate for nothing)."""
    prefix = _FIELD_KEY_PREFIXES.get(term.field or "", "")
    return frozenset(f"{prefix}{atom}" for atom in term.atoms)


def requirements(rule: Rule, cost: Callable[[frozenset[str]], int]) -> list[frozenset[str]]:
    """Groups of trigger keys that a true ``rule`` needs: from each group, one must occur.

    An AND needs what each part needs; a NEAR what both sides need; an OR needs one of its
    alternatives, so it contributes the union of each alternative's cheapest group; a NOT
    needs nothing.
    """
    if isinstance(rule, TermRule):
        return [term_keys(rule)]
    if isinstance(rule, CountRule):
        return [term_keys(rule.term)]
    if isinstance(rule, NotRule):
        return []
    if isinstance(rule, NearRule):
        return requirements(rule.left, cost) + requirements(rule.right, cost)
    groups = [requirements(child, cost) for child in rule.children]
    if isinstance(rule, AllRule):
        return [group for child in groups for group in child]
    if any(not child for child in groups):
        return []
    return [frozenset().union(*(min(child, key=cost) for child in groups))]


def build_triggers(rules: list[Rule]) -> tuple[Triggers, list[int]]:
    """The trigger table of ``rules`` and the positions of those that need no term at all
    (candidates for every article)."""
    frequency: dict[str, int] = {}
    for rule in rules:
        for key in {key for term in term_rules(rule) for key in term_keys(term)}:
            frequency[key] = frequency.get(key, 0) + 1

    def cost(group: frozenset[str]) -> int:
        return sum(frequency[key] for key in group)

    triggers: Triggers = {}
    always: list[int] = []
    for position, rule in enumerate(rules):
        groups = sorted(
            set(requirements(rule, cost)), key=lambda group: (cost(group), sorted(group))
        )
        if not groups:
            always.append(position)
            continue
        first = groups[0]
        second = groups[1] if len(groups) > 1 else None
        if second is None or len(first) * len(second) > MAX_PAIRS_PER_WATCHLIST:
            for key in sorted(first):
                triggers.setdefault(key, [[], {}])[0].append(position)
            continue
        for key in sorted(first):
            pairs = triggers.setdefault(key, [[], {}])[1]
            for other in sorted(second):
                pairs.setdefault(other, []).append(position)
    for _, pairs in triggers.values():
        for other, watchlists in pairs.items():
            if len(watchlists) == 1:
                pairs[other] = watchlists[0]
    return triggers, always


def found_keys(found: dict[int, list[Occurrence]], lead_tokens: int) -> set[str]:
    """The trigger keys present: every atom found, and ``t``/``l`` keys for those in the title
    or the lead (occurrences are sorted, so the first ones tell)."""
    keys = set()
    for atom, occurrences in found.items():
        key = str(atom)
        keys.add(key)
        number, start, _ = occurrences[0]
        if number == TITLE:
            keys.add("t" + key)
            number, start, _ = next((item for item in occurrences if item[0] == TEXT), (0, 0, 0))
        if number == TEXT and start < lead_tokens:
            keys.add("l" + key)
    return keys


def candidates(triggers: Triggers, always: Collection[int], keys: set[str]) -> set[int]:
    """Positions of the watchlists whose registered keys are all among ``keys``."""
    chosen = set(always)
    for key in triggers.keys() & keys:
        alone, with_other = triggers[key]
        chosen.update(alone)
        if with_other:
            for other in with_other.keys() & keys:
                watchlists = with_other[other]
                if type(watchlists) is int:
                    chosen.add(watchlists)
                else:
                    chosen.update(watchlists)
    return chosen
