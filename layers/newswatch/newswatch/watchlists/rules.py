"""A compiled watchlist rule as typed records: what the index stores and the evaluator reads.

The query tree (:mod:`query`) is what an author wrote; a rule is what to look for: every term
reduced to its *atoms* (ids of the word patterns that the scanner finds, see :mod:`compiler`),
its field, and its text as written (for explanations). In the index a rule is one line of
compact JSON; :func:`decode_rule` turns it back into records and refuses anything that the
compiler cannot have written, so a damaged index is caught when it is loaded, not by the
evaluator in the middle of an article.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, get_args

from newswatch.watchlists.query import MAX_COUNT, MAX_NEAR_DISTANCE, MAX_TREE_DEPTH, Field

FIELD_NAMES: frozenset[str] = frozenset(get_args(Field))
# The parsed tree is at most MAX_TREE_DEPTH deep; the list form and the AND that joins a
# watchlist's parts add a few levels. Twice that bounds decoding without ever refusing a rule
# the compiler wrote.
MAX_RULE_DEPTH = 2 * MAX_TREE_DEPTH


@dataclass(frozen=True, slots=True)
class TermRule:
    """A term: any of ``atoms`` found, within ``field`` if it has one."""

    text: str
    atoms: tuple[int, ...]
    field: Field | None = None


@dataclass(frozen=True, slots=True)
class CountRule:
    """``count(term) >= minimum``."""

    term: TermRule
    minimum: int


@dataclass(frozen=True, slots=True)
class NotRule:
    child: Rule


@dataclass(frozen=True, slots=True)
class NearRule:
    """At most ``distance`` words between a place of ``left`` and one of ``right``; each side
    is a term, a NEAR or alternatives of those (what :func:`yields_positions` allows)."""

    left: Rule
    right: Rule
    distance: int
    ordered: bool


@dataclass(frozen=True, slots=True)
class AllRule:
    children: tuple[Rule, ...]


@dataclass(frozen=True, slots=True)
class AnyRule:
    children: tuple[Rule, ...]


Rule = TermRule | CountRule | NotRule | NearRule | AllRule | AnyRule


def encode_rule(rule: Rule) -> list[Any]:
    """The rule as the index stores it: ``["t", text, [atom, ...], field]``, ``["c", n,
    term]``, ``["&", [...]]``, ``["|", [...]]``, ``["!", child]``, ``["n", distance, ordered,
    left, right]`` (short lists: 100,000 rules are read at every cold start)."""
    if isinstance(rule, TermRule):
        return ["t", rule.text, list(rule.atoms), rule.field or ""]
    if isinstance(rule, CountRule):
        return ["c", rule.minimum, encode_rule(rule.term)]
    if isinstance(rule, NotRule):
        return ["!", encode_rule(rule.child)]
    if isinstance(rule, NearRule):
        return [
            "n",
            rule.distance,
            int(rule.ordered),
            encode_rule(rule.left),
            encode_rule(rule.right),
        ]
    kind = "&" if isinstance(rule, AllRule) else "|"
    return [kind, [encode_rule(child) for child in rule.children]]


def decode_rule(encoded: object, atom_count: int) -> Rule:
    """The records of an encoded rule whose atoms are ids below ``atom_count``; anything else
    (another shape, a type, an atom the index does not have) raises ValueError."""
    return _decode(encoded, atom_count, 0)


def _decode(encoded: object, atom_count: int, depth: int) -> Rule:
    if depth > MAX_RULE_DEPTH:
        raise ValueError(f"a rule nests more than {MAX_RULE_DEPTH} levels deep")
    if not isinstance(encoded, list) or not encoded:
        raise ValueError(f"a rule node is not a non-empty list: {_shown(encoded)}")
    kind, *fields = encoded
    depth += 1
    if kind == "t":
        return _decode_term(encoded, atom_count)
    if kind == "c" and len(fields) == 2 and _in_range(fields[0], 1, MAX_COUNT):
        return CountRule(_decode_term(fields[1], atom_count), fields[0])
    if kind == "!" and len(fields) == 1:
        return NotRule(_decode(fields[0], atom_count, depth))
    if (
        kind == "n"
        and len(fields) == 4
        and _in_range(fields[0], 1, MAX_NEAR_DISTANCE)
        and _in_range(fields[1], 0, 1)
    ):
        left = _decode(fields[2], atom_count, depth)
        right = _decode(fields[3], atom_count, depth)
        if not (_has_positions(left) and _has_positions(right)):
            raise ValueError(f"a NEAR side has no positions: {_shown(encoded)}")
        return NearRule(left, right, fields[0], bool(fields[1]))
    if kind in ("&", "|") and len(fields) == 1 and isinstance(fields[0], list) and fields[0]:
        children = tuple(_decode(child, atom_count, depth) for child in fields[0])
        return AllRule(children) if kind == "&" else AnyRule(children)
    raise ValueError(f"not a rule node: {_shown(encoded)}")


def _decode_term(encoded: object, atom_count: int) -> TermRule:
    if isinstance(encoded, list) and len(encoded) == 4 and encoded[0] == "t":
        _, text, atoms, field = encoded
        if (
            isinstance(text, str)
            and isinstance(atoms, list)
            and atoms
            and all(_in_range(atom, 0, atom_count - 1) for atom in atoms)
            and (field == "" or field in FIELD_NAMES)
        ):
            return TermRule(text, tuple(atoms), field or None)
    raise ValueError(f"not a term of this index: {_shown(encoded)}")


def _in_range(value: object, lowest: int, highest: int) -> bool:
    """Whether ``value`` is an int (not a bool or a float) from ``lowest`` to ``highest``."""
    return type(value) is int and lowest <= value <= highest


def _has_positions(rule: Rule) -> bool:
    if isinstance(rule, TermRule | NearRule):
        return True
    return isinstance(rule, AnyRule) and all(_has_positions(child) for child in rule.children)


def _shown(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def term_rules(rule: Rule) -> Iterator[TermRule]:
    """Every term of a rule, in reading order."""
    if isinstance(rule, TermRule):
        yield rule
    elif isinstance(rule, CountRule):
        yield rule.term
    elif isinstance(rule, NotRule):
        yield from term_rules(rule.child)
    elif isinstance(rule, NearRule):
        yield from term_rules(rule.left)
        yield from term_rules(rule.right)
    else:
        for child in rule.children:
            yield from term_rules(child)


def written_terms(rule: Rule) -> frozenset[str]:
    """The terms of a rule as the author wrote them: what an explanation's clause names."""
    return frozenset(term.text for term in term_rules(rule))


def describe(rule: Rule) -> str:
    """The rule in query syntax, for explanations (``all`` lists read as ``a AND b``)."""
    if isinstance(rule, TermRule):
        text = rule.text
        shown = f'"{text}"' if " " in text and not text.startswith(("=", '"')) else text
        return f"{rule.field}:{shown}" if rule.field else shown
    if isinstance(rule, CountRule):
        return f"count({describe(rule.term)}) >= {rule.minimum}"
    if isinstance(rule, NotRule):
        return f"NOT {describe(rule.child)}"
    if isinstance(rule, NearRule):
        operator = "ONEAR" if rule.ordered else "NEAR"
        return f"{describe(rule.left)} {operator}/{rule.distance} {describe(rule.right)}"
    if isinstance(rule, AllRule):
        return " AND ".join(describe(child) for child in rule.children)
    return "(" + " OR ".join(describe(child) for child in rule.children) + ")"
