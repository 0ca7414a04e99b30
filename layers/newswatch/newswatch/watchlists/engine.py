"""One shared index for all watchlists, so an article costs what its own words and hits cost.

Compilation reduces every term (its word forms from :mod:`forms`, its aliases, ``=`` exact
spellings, ``word*`` wildcards) to *atoms*, found through one word-level trie over normalised
tokens. Each watchlist registers under its two rarest requirements (trigger keys that any true
evaluation must find: an atom, or an atom in the title or lead), so matching an article is:
tokenise, look up the words that start a pattern, gather the watchlists whose requirements were
all found, and evaluate only those. The compiled index is JSON and text in zlib sections: a
cold Lambda loads it instead of recompiling, and parses a watchlist's rule only when a hit
first makes it a candidate.
"""

from __future__ import annotations

import hashlib
import json
import unicodedata
import zlib
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any, cast

from newswatch.article import Article
from newswatch.watchlists.diagnostics import Diagnostic, WatchlistError
from newswatch.watchlists.document import WatchlistDefinition
from newswatch.watchlists.explain import Clause, Hit, Match
from newswatch.watchlists.forms import variants
from newswatch.watchlists.normalise import token_spans, tokenise_with_offsets
from newswatch.watchlists.query import And, Count, Near, Node, Not, Term

FORMAT = "newswatch-watchlists/2"
_MAGIC = FORMAT.encode() + b"\n"
MAX_INDEX_BYTES = 1 << 30
MAX_HITS_PER_TERM = 3  # quotes per term in an explanation; enough to judge, cheap to build
WILDCARD_KEY_LENGTH = 3
MAX_PAIRS_PER_WATCHLIST = 64
MAX_NEAR_SPANS = 10_000  # pairs a nested NEAR keeps for the NEAR around it
_APOSTROPHES = str.maketrans({"\u2019": "'", "\u02bc": "'"})
_POSSESSIVE = "'s"
_FIELD_KEY_PREFIXES = {"title": "t", "lead": "l"}
_TITLE, _TEXT = 0, 1

# Encoded rules are JSON lists: ["t", text, [atom, ...], field], ["c", n, term], ["&", [...]],
# ["|", [...]], ["!", child], ["n", distance, ordered, left, right].
Encoded = list[Any]
Occurrence = tuple[int, int, int]  # segment (title 0, text 1), first token, token after last
# Segment, first token, minus the token after the last (so that sorting puts reading order
# first and, at one place, the longest first), term as written.
Evidence = tuple[int, int, int, str]
Span = tuple[int, int, int, tuple[Evidence, ...]]  # segment, first, after last, evidence


def _as_written(piece: str) -> str:
    """A token as ``=`` compares it: case and accents kept, while what a reader cannot see
    (Unicode composition, which code point the apostrophe is) is unified."""
    return unicodedata.normalize("NFC", piece).translate(_APOSTROPHES)


def _exact_spelling(text: str) -> tuple[str, ...]:
    """The tokens of an ``=`` term as written, to compare with an article's."""
    return tuple(_as_written(text[start:end]) for _, start, end in token_spans(text))


def _unquoted(written: str) -> str:
    body = written[1:] if written.startswith("=") else written
    if len(body) >= 2 and body[0] == body[-1] == '"':
        body = body[1:-1]
    return body[:-1] if body.endswith("*") else body


class _Compiler:
    """Turns validated definitions into the index's plain (JSON-ready) tables."""

    def __init__(self) -> None:
        self.atom_ids: dict[tuple[Any, ...], int] = {}
        self.words: dict[str, list[Any]] = {}
        self.wildcards: dict[str, list[list[Any]]] = {}
        self.exact: dict[str, list[str]] = {}

    def atom(self, term: Term) -> int:
        if term.exact:
            spelling = _exact_spelling(_unquoted(term.text))
            key: tuple[Any, ...] = ("=", spelling)
        else:
            key = ("*" if term.wildcard else "", term.tokens)
        found = self.atom_ids.get(key)
        if found is not None:
            return found
        atom = len(self.atom_ids)
        self.atom_ids[key] = atom
        tokens = term.tokens
        if term.wildcard:
            self.add_wildcard(tokens, atom)
        elif term.exact:
            self.exact[str(atom)] = list(key[1])
            for form in (tokens, (*tokens[:-1], tokens[-1] + _POSSESSIVE)):
                self.add_pattern(form, atom)
        else:
            for form in sorted(variants(tokens)):
                self.add_pattern(form, atom)
        return atom

    def node(self, tokens: tuple[str, ...]) -> list[Any]:
        """The trie node reached by ``tokens``: [atoms ending here, {next token: node} or None,
        [[prefix, atom], ...] for wildcards on the next token, or None]."""
        node = self.words.setdefault(tokens[0], [[], None, None])
        for token in tokens[1:]:
            if node[1] is None:
                node[1] = {}
            node = node[1].setdefault(token, [[], None, None])
        return node

    def add_pattern(self, tokens: tuple[str, ...], atom: int) -> None:
        atoms = self.node(tokens)[0]
        if atom not in atoms:
            atoms.append(atom)

    def add_wildcard(self, tokens: tuple[str, ...], atom: int) -> None:
        prefix = tokens[-1]
        if len(tokens) == 1:
            self.wildcards.setdefault(prefix[:WILDCARD_KEY_LENGTH], []).append([prefix, atom])
            return
        node = self.node(tokens[:-1])
        if node[2] is None:
            node[2] = []
        node[2].append([prefix, atom])

    def encode(self, node: Node) -> Encoded:
        if isinstance(node, Term):
            atoms = [self.atom(node), *(self.atom(alias) for alias in node.aliases)]
            return ["t", node.text, sorted(set(atoms)), node.field or ""]
        if isinstance(node, Count):
            return ["c", node.minimum, self.encode(node.term)]
        if isinstance(node, Not):
            return ["!", self.encode(node.child)]
        if isinstance(node, Near):
            return [
                "n",
                node.distance,
                int(node.ordered),
                self.encode(node.left),
                self.encode(node.right),
            ]
        return [
            "&" if isinstance(node, And) else "|",
            [self.encode(child) for child in node.children],
        ]


def _term_keys(term: Encoded) -> frozenset[str]:
    """Trigger keys of a term: its atoms, prefixed ``t``/``l`` when it must be in the title or
    the lead (few words, so a watchlist keyed there is rarely a candidate for nothing)."""
    prefix = _FIELD_KEY_PREFIXES.get(term[3], "")
    return frozenset(f"{prefix}{atom}" for atom in term[2])


def _requirements(rule: Encoded, cost: Callable[[frozenset[str]], int]) -> list[frozenset[str]]:
    """Groups of trigger keys that a true ``rule`` needs: from each group, one must occur.

    An AND needs what each part needs; a NEAR what both sides need; an OR needs one of its
    alternatives, so it contributes the union of each alternative's cheapest group; a NOT
    needs nothing.
    """
    kind = rule[0]
    if kind == "t":
        return [_term_keys(rule)]
    if kind == "c":
        return _requirements(rule[2], cost)
    if kind == "!":
        return []
    if kind == "n":
        return _requirements(rule[3], cost) + _requirements(rule[4], cost)
    groups = [_requirements(child, cost) for child in rule[1]]
    if kind == "&":
        return [group for child in groups for group in child]
    if any(not child for child in groups):
        return []
    return [frozenset().union(*(min(child, key=cost) for child in groups))]


def _triggers(rules: list[Encoded]) -> dict[str, Any]:
    """Which watchlists each trigger key makes candidates.

    ``triggers[key]`` is [watchlists that need only this key, {other key: watchlists that need
    both}]: a watchlist registers under its two rarest requirements, so it becomes a candidate
    only when both occur (a lone watchlist is stored as a bare int: most pairs have one, and
    loading 100,000 one-element lists is measurable). ``always`` lists rules that need no term.
    """
    frequency: dict[str, int] = {}
    for rule in rules:
        for key in {key for term in _term_nodes(rule) for key in _term_keys(term)}:
            frequency[key] = frequency.get(key, 0) + 1

    def cost(group: frozenset[str]) -> int:
        return sum(frequency[key] for key in group)

    triggers: dict[str, list[Any]] = {}
    always: list[int] = []
    for position, rule in enumerate(rules):
        groups = sorted(
            set(_requirements(rule, cost)), key=lambda group: (cost(group), sorted(group))
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
    return {"triggers": triggers, "always": always}


def _written_terms(rule: Encoded) -> frozenset[str]:
    """The terms of a rule as the author wrote them: what an explanation's clause names."""
    return frozenset(term[1] for term in _term_nodes(rule))


def _term_nodes(rule: Encoded) -> Iterator[Encoded]:
    """Every term node of a rule, in reading order."""
    kind = rule[0]
    if kind == "t":
        yield rule
    elif kind in ("c", "!"):
        yield from _term_nodes(rule[-1])
    elif kind == "n":
        yield from _term_nodes(rule[3])
        yield from _term_nodes(rule[4])
    else:
        for child in rule[1]:
            yield from _term_nodes(child)


@cache
def engine_fingerprint() -> str:
    """What a compiled index depends on besides the watchlists: the format and the word forms.

    Stored in the index and checked on loading, so that a deployment with a new place table
    recompiles the stored watchlists instead of matching with stale forms.
    """
    package = resources.files(__package__)
    digest = hashlib.sha256(FORMAT.encode())
    for part in ("forms.py", "normalise.py", "data/places.tsv"):
        digest.update(package.joinpath(part).read_bytes())
    return digest.hexdigest()[:16]


def _compact_json(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _inflate(section: bytes) -> bytes:
    inflater = zlib.decompressobj()
    inflated = inflater.decompress(section, MAX_INDEX_BYTES)
    if inflater.unconsumed_tail:
        raise ValueError(f"a section is larger than {MAX_INDEX_BYTES} bytes")
    return inflated


def describe(rule: Encoded) -> str:
    """The rule in query syntax, for explanations (``all`` lists read as ``a AND b``)."""
    kind = rule[0]
    if kind == "t":
        text = rule[1]
        shown = f'"{text}"' if " " in text and not text.startswith(("=", '"')) else text
        return f"{rule[3]}:{shown}" if rule[3] else shown
    if kind == "c":
        return f"count({describe(rule[2])}) >= {rule[1]}"
    if kind == "!":
        return f"NOT {describe(rule[1])}"
    if kind == "n":
        operator = "ONEAR" if rule[2] else "NEAR"
        return f"{describe(rule[3])} {operator}/{rule[1]} {describe(rule[4])}"
    joined = (" AND " if kind == "&" else " OR ").join(describe(child) for child in rule[1])
    return joined if kind == "&" else f"({joined})"


@dataclass(frozen=True, slots=True)
class _Segment:
    """The title or the body text, tokenised once, with offsets for exact checks and hits."""

    text: str
    tokens: list[str]
    starts: list[int]
    ends: list[int]
    lead_tokens: int

    @classmethod
    def of(cls, text: str, lead_end: int | None = None) -> _Segment:
        found = tokenise_with_offsets(text)
        lead = bisect_left(found.starts, lead_end) if lead_end is not None else 0
        return cls(text, found.tokens, found.starts, found.ends, lead)


def _lead_end(text: str, lead: str) -> int:
    return text.find(lead) + len(lead) if lead else 0


class WatchlistSet:
    """A compiled, immutable set of watchlists: match articles, store and reload the index.

    The serialised form is four zlib-compressed sections after a magic line: the lookup tables
    (JSON), the names and the rules (one per line, each rule compact JSON) and the canonical
    document. Loading inflates the first three and splits lines (no per-rule parsing: a rule is
    parsed when a hit first makes it a candidate); the document stays compressed until asked for.
    """

    def __init__(
        self,
        tables: dict[str, Any],
        names: list[str],
        rules: list[bytes],
        packed_document: bytes,
    ) -> None:
        self.version: str = tables["version"]
        self.names: tuple[str, ...] = tuple(names)
        if len(rules) != len(self.names):
            raise ValueError(f"{len(self.names)} names but {len(rules)} rules")
        self._tables = tables
        self._rules = rules
        self._packed_document = packed_document
        self._words: dict[str, list[Any]] = tables["words"]
        self._wildcards: dict[str, list[list[Any]]] = tables["wildcards"]
        self._wildcard_key_lengths = sorted({len(key) for key in self._wildcards})
        self._exact = {int(atom): tuple(spelling) for atom, spelling in tables["exact"].items()}
        self._triggers: dict[str, list[Any]] = tables["triggers"]
        self._always: list[int] = tables["always"]
        self._parsed: dict[int, tuple[Encoded, str, tuple[Clause, ...]]] = {}

    @classmethod
    def compile(
        cls, definitions: list[WatchlistDefinition], document: dict[str, Any]
    ) -> WatchlistSet:
        """Build the index from validated definitions and their canonical document."""
        compiler = _Compiler()
        rules = [compiler.encode(definition.expression) for definition in definitions]
        canonical = json.dumps(document, sort_keys=True, ensure_ascii=False, separators=(",", ":"))

        tables = {
            "format": FORMAT,
            "engine": engine_fingerprint(),
            "version": hashlib.sha256(canonical.encode()).hexdigest()[:16],
            "words": compiler.words,
            "wildcards": compiler.wildcards,
            "exact": compiler.exact,
            "count": len(rules),
            **_triggers(rules),
        }
        return cls(
            tables,
            [definition.name for definition in definitions],
            [_compact_json(rule).encode() for rule in rules],
            zlib.compress(canonical.encode()),
        )

    def __len__(self) -> int:
        return len(self.names)

    def __repr__(self) -> str:
        return f"<WatchlistSet {self.version}: {len(self)} watchlists>"

    def to_document(self) -> dict[str, Any]:
        """The canonical ``{"watchlists": [...]}`` document, which loads back into this set."""
        return cast(dict[str, Any], json.loads(zlib.decompress(self._packed_document)))

    def dumps(self) -> bytes:
        """The compiled index (JSON and text in zlib sections: loading it runs no code)."""
        tables = _compact_json(self._tables).encode()
        sections = [
            zlib.compress(tables),
            zlib.compress("\n".join(self.names).encode()),
            zlib.compress(b"\n".join(self._rules)),
            self._packed_document,
        ]
        framed = [_MAGIC]
        for section in sections:
            framed += [len(section).to_bytes(8, "big"), section]
        return b"".join(framed)

    @classmethod
    def loads(cls, data: bytes) -> WatchlistSet:
        """The inverse of :meth:`dumps`; a damaged or foreign index raises WatchlistError."""
        try:
            if not data.startswith(_MAGIC):
                raise ValueError(f"it does not start with {_MAGIC!r}")
            sections = []
            position = len(_MAGIC)
            for _ in range(4):
                size = int.from_bytes(data[position : position + 8], "big")
                position += 8
                if size == 0 or position + size > len(data):
                    raise ValueError("it is truncated")
                sections.append(data[position : position + size])
                position += size
            tables = json.loads(_inflate(sections[0]))
            if not isinstance(tables, dict) or tables.get("format") != FORMAT:
                raise ValueError(f"its tables are not in the {FORMAT} format")
            if tables.get("engine") != engine_fingerprint():
                raise ValueError("it was compiled with other word forms or engine: recompile it")
            # An empty set has empty sections, which split into one empty line each.
            names = _inflate(sections[1]).decode().split("\n") if tables["count"] else []
            rules = _inflate(sections[2]).split(b"\n") if tables["count"] else []
            return cls(tables, names, rules, sections[3])
        except (zlib.error, ValueError, KeyError, TypeError, UnicodeDecodeError) as error:
            message = f"cannot load the compiled watchlist index: {error}"
            raise WatchlistError([Diagnostic("error", None, None, message)]) from error

    def rule(self, position: int) -> tuple[Encoded, str, tuple[Clause, ...]]:
        """The rule of the watchlist at ``position``, its description and its top-level
        clauses, parsed once (a warm function reuses them for every article)."""
        parsed = self._parsed.get(position)
        if parsed is None:
            rule = json.loads(self._rules[position])
            parts = rule[1] if rule[0] == "&" else [rule]
            clauses = tuple(
                Clause(describe(part), part[0] == "!", _written_terms(part)) for part in parts
            )
            parsed = self._parsed[position] = (rule, describe(rule), clauses)
        return parsed

    def match(self, article: Article) -> list[Match]:
        """The watchlists that fire on ``article`` (title and main text), in file order."""
        text = article.text or ""
        segments = (
            _Segment.of(article.title or ""),
            _Segment.of(text, _lead_end(text, article.lead)),
        )
        found: dict[int, list[Occurrence]] = {}
        for number, segment in enumerate(segments):
            self._find(number, segment, found)
        for occurrences in found.values():
            occurrences.sort()
        if self._exact:
            self._confirm_exact(segments, found)
        candidates = set(self._always)
        found_keys = _found_keys(found, segments[_TEXT].lead_tokens)
        triggers = self._triggers
        for key in triggers.keys() & found_keys:
            alone, with_other = triggers[key]
            candidates.update(alone)
            if with_other:
                for other in with_other.keys() & found_keys:
                    watchlists = with_other[other]
                    if type(watchlists) is int:
                        candidates.add(watchlists)
                    else:
                        candidates.update(watchlists)
        evaluator = _Evaluator(found, segments)
        matches = []
        for position in sorted(candidates):
            rule, description, clauses = self.rule(position)
            if evaluator.holds(rule):
                hits, mentions = evaluator.explain(rule)
                name = self.names[position]
                matches.append(Match(name, hits, description, clauses, mentions))
        return matches

    def _find(self, number: int, segment: _Segment, found: dict[int, list[Occurrence]]) -> None:
        """Every atom occurrence in one segment. Set operations pick the distinct words that
        start a pattern or fit a wildcard; one pass then collects their positions."""
        tokens = segment.tokens
        count = len(tokens)
        distinct = set(tokens)
        words = self._words
        present = words.keys() & distinct
        wildcard_atoms = self._wildcard_atoms(distinct) if self._wildcards else {}
        if not present and not wildcard_atoms:
            return
        positions: dict[str, list[int]] = {token: [] for token in present}
        positions.update((token, []) for token in wildcard_atoms)
        for index in [index for index, token in enumerate(tokens) if token in positions]:
            positions[tokens[index]].append(index)
        for token, starts in positions.items():
            entry = words.get(token)
            if entry is None:
                atoms, following, wildcards = wildcard_atoms[token], None, None
            else:
                atoms, following, wildcards = entry
                if token in wildcard_atoms:
                    atoms = atoms + wildcard_atoms[token]
            if atoms:
                occurrences = [(number, start, start + 1) for start in starts]
                for atom in atoms:
                    found.setdefault(atom, []).extend(occurrences)
            if wildcards:
                for start in starts:
                    _follow(number, tokens, start, start + 1, following, wildcards, found)
            elif following:
                # Most occurrences of a phrase's first word ("the", "south") do not go on with
                # the phrase, and most phrases are two words ("south korea"): take the second
                # step here and walk the trie only for a longer phrase.
                for start in starts:
                    node = following.get(tokens[start + 1]) if start + 1 < count else None
                    if node is None:
                        continue
                    for atom in node[0]:
                        found.setdefault(atom, []).append((number, start, start + 2))
                    if node[1] or node[2]:
                        _follow(number, tokens, start, start + 2, node[1], node[2], found)

    def _wildcard_atoms(self, distinct: set[str]) -> dict[str, list[int]]:
        """The ``word*`` atoms each distinct word fits, found by whichever is fewer: the words,
        each looked up by its first letters, or the prefixes, each bisected into the words."""
        wildcards = self._wildcards
        atoms_of: dict[str, list[int]] = {}
        if len(wildcards) < len(distinct):
            ordered = sorted(distinct)
            for entries in wildcards.values():
                for prefix, atom in entries:
                    index = bisect_left(ordered, prefix)
                    while index < len(ordered) and ordered[index].startswith(prefix):
                        atoms_of.setdefault(ordered[index], []).append(atom)
                        index += 1
        else:
            for token in distinct:
                for length in self._wildcard_key_lengths:
                    for prefix, atom in wildcards.get(token[:length], ()):
                        if token.startswith(prefix):
                            atoms_of.setdefault(token, []).append(atom)
        return atoms_of

    def _confirm_exact(
        self, segments: tuple[_Segment, _Segment], found: dict[int, list[Occurrence]]
    ) -> None:
        """Keep only the ``=`` hits spelt exactly as written (a possessive 's may follow)."""
        for atom, spelling in self._exact.items():
            occurrences = found.get(atom)
            if not occurrences:
                continue
            kept = []
            for number, start, end in occurrences:
                segment = segments[number]
                written = tuple(
                    _as_written(segment.text[first:last])
                    for first, last in zip(
                        segment.starts[start:end], segment.ends[start:end], strict=True
                    )
                )
                if written[:-1] == spelling[:-1] and written[-1] in (
                    spelling[-1],
                    spelling[-1] + _POSSESSIVE,
                ):
                    kept.append((number, start, end))
            if kept:
                found[atom] = kept
            else:
                del found[atom]


def _found_keys(found: dict[int, list[Occurrence]], lead_tokens: int) -> set[str]:
    """The trigger keys present: every atom found, and ``t``/``l`` keys for those in the title
    or the lead (occurrences are sorted, so the first ones tell)."""
    keys = set()
    for atom, occurrences in found.items():
        key = str(atom)
        keys.add(key)
        number, start, _ = occurrences[0]
        if number == _TITLE:
            keys.add("t" + key)
            number, start, _ = next((item for item in occurrences if item[0] == _TEXT), (0, 0, 0))
        if number == _TEXT and start < lead_tokens:
            keys.add("l" + key)
    return keys


def _words_between(start: int, end: int, other_start: int, other_end: int) -> int | None:
    """How many words lie strictly between two token spans (what ``NEAR/n`` bounds), or None
    when they overlap: the same words cannot be both sides of a NEAR."""
    if other_start < end and start < other_end:
        return None
    return other_start - end if other_start >= end else start - other_end


def _follow(
    number: int,
    tokens: list[str],
    start: int,
    end: int,
    following: dict[str, list[Any]] | None,
    wildcards: list[list[Any]] | None,
    found: dict[int, list[Occurrence]],
) -> None:
    """Walk on through the trie from the words ``tokens[start:end]`` (whose node gave
    ``following`` and ``wildcards``) for as long as the next words continue a phrase."""
    count = len(tokens)
    while end < count:
        token = tokens[end]
        if wildcards:
            for prefix, atom in wildcards:
                if token.startswith(prefix):
                    found.setdefault(atom, []).append((number, start, end + 1))
        node = following.get(token) if following else None
        if node is None:
            return
        end += 1
        for atom in node[0]:
            found.setdefault(atom, []).append((number, start, end))
        following, wildcards = node[1], node[2]


class _Evaluator:
    """Evaluates encoded rules against the atoms found in one article.

    ``holds`` answers yes or no as cheaply as possible, for every candidate; ``evidence`` is
    asked only of the rules that hold, and keeps a few occurrences per term (enough to explain).
    """

    def __init__(
        self, found: dict[int, list[Occurrence]], segments: tuple[_Segment, _Segment]
    ) -> None:
        self.found = found
        self.segments = segments
        self.lead_tokens = segments[_TEXT].lead_tokens
        # Many watchlists that fire on one article share terms: their evidence and hits are
        # built once per article.
        self._term_evidence: dict[tuple[Any, ...], tuple[int, list[Evidence]]] = {}
        self._hits: dict[Evidence, Hit] = {}

    def holds(self, rule: Encoded) -> bool:
        kind = rule[0]
        if kind == "t":
            if rule[3]:
                return bool(self.occurrences(rule))
            atoms = rule[2]
            if len(atoms) == 1:
                return atoms[0] in self.found
            return not self.found.keys().isdisjoint(atoms)
        if kind == "&":
            return all(map(self.holds, rule[1]))
        if kind == "|":
            return any(map(self.holds, rule[1]))
        if kind == "!":
            return not self.holds(rule[1])
        if kind == "c":
            return len(self.occurrences(rule[2])) >= int(rule[1])
        return self.near_holds(rule)

    def evidence(self, rule: Encoded, mentions: dict[str, int]) -> list[Evidence]:
        """The occurrences that make a holding ``rule`` true (none for a NOT); ``mentions``
        gathers how often each term that helped occurs in all (the evidence keeps a few)."""
        kind = rule[0]
        if kind in ("t", "c"):
            term = rule if kind == "t" else rule[2]
            key = (term[1], term[3], *term[2])
            cached = self._term_evidence.get(key)
            if cached is None:
                text = term[1]
                occurrences = self.occurrences(term)
                shown = [
                    (number, start, -end, text)
                    for number, start, end in occurrences[:MAX_HITS_PER_TERM]
                ]
                cached = self._term_evidence[key] = (len(occurrences), shown)
            count, shown = cached
            if count > mentions.get(term[1], 0):
                mentions[term[1]] = count
            return shown
        if kind == "!":
            return []
        if kind == "&":  # it holds, so every part does
            return [item for child in rule[1] for item in self.evidence(child, mentions)]
        if kind == "|":
            return [
                item
                for child in rule[1]
                if self.holds(child)
                for item in self.evidence(child, mentions)
            ]
        for term in _term_nodes(rule):
            self.evidence(term, mentions)
        spans = self.spans(rule, MAX_HITS_PER_TERM)[:MAX_HITS_PER_TERM]
        return [item for span in spans for item in span[3]]

    def explain(self, rule: Encoded) -> tuple[tuple[Hit, ...], tuple[tuple[str, int], ...]]:
        """The hits of a holding ``rule`` in reading order, title first (a few per term, none
        nested in another of the same term: "Korean" inside "North Korean" when both are
        forms of "Korea"), and how often each term occurs."""
        mentions: dict[str, int] = {}
        shown: dict[str, int] = {}
        reached: dict[tuple[str, int], int] = {}
        made = self._hits
        hits = []
        for item in sorted(set(self.evidence(rule, mentions))):
            number, start, negative_end, term = item
            if shown.get(term, 0) >= MAX_HITS_PER_TERM or start < reached.get((term, number), 0):
                continue
            shown[term] = shown.get(term, 0) + 1
            reached[term, number] = -negative_end
            hit = made.get(item)
            if hit is None:
                hit = made[item] = self._hit(item)
            hits.append(hit)
        return tuple(hits), tuple(mentions.items())

    def _hit(self, item: Evidence) -> Hit:
        number, start, negative_end, term = item
        segment = self.segments[number]
        first, last = segment.starts[start], segment.ends[-negative_end - 1]
        where = "title" if number == _TITLE else "lead" if start < self.lead_tokens else "body"
        source = segment.text
        return Hit(term, where, first, last, source[first:last], source)

    def occurrences(self, term: Encoded) -> list[Occurrence]:
        """Where a term occurs (any of its atoms), in order, within its field if it has one."""
        _, _, atoms, where = term
        if len(atoms) == 1:
            occurrences = self.found.get(atoms[0], [])
        else:
            occurrences = sorted({found for atom in atoms for found in self.found.get(atom, ())})
        if where == "title":
            return [found for found in occurrences if found[0] == _TITLE]
        if where == "body":
            return [found for found in occurrences if found[0] == _TEXT]
        if where == "lead":
            lead = self.lead_tokens
            return [found for found in occurrences if found[0] == _TEXT and found[1] < lead]
        return occurrences

    def spans(self, rule: Encoded, limit: int = MAX_NEAR_SPANS) -> list[Span]:
        """Where a term, a group of alternatives or a NEAR occurs, each with its evidence.

        A NEAR stops after ``limit`` pairs: one answers whether it holds, a few explain it, and
        the cap keeps "the NEAR/1000 a" over a long text from building millions of pairs.
        """
        kind = rule[0]
        if kind == "t":
            text = rule[1]
            return [
                (number, start, end, ((number, start, -end, text),))
                for number, start, end in self.occurrences(rule)
            ]
        if kind == "|":
            return sorted({span for child in rule[1] for span in self.spans(child, limit)})
        return self.near_spans(rule, limit)

    def places(self, rule: Encoded) -> list[Occurrence]:
        """Where a NEAR's side occurs, sorted, without the evidence that :meth:`spans` attaches:
        enough to decide a NEAR, and a shared term's occurrences are not copied into spans."""
        kind = rule[0]
        if kind == "t":
            return self.occurrences(rule)
        if kind == "|":
            return sorted({place for child in rule[1] for place in self.places(child)})
        return [span[:3] for span in self.near_spans(rule, MAX_NEAR_SPANS)]

    def near_holds(self, rule: Encoded) -> bool:
        """Whether a NEAR has one pair: :meth:`near_spans` with ``limit`` 1, but on bare
        places and stopping at the first pair. Most candidates only need this answer."""
        _, distance, ordered, left_rule, right_rule = rule
        right = self.places(right_rule)
        if not right:
            return False
        widest = max(end - start for _, start, end in right)
        for number, start, end in self.places(left_rule):
            lowest = end if ordered else start - distance - widest
            # (number, s) < (number, s, e): these bounds select starts in [lowest, end + distance].
            first = bisect_left(right, (number, lowest))
            last = bisect_left(right, (number, end + distance + 1))
            for index in range(first, last):
                _, other_start, other_end = right[index]
                gap = _words_between(start, end, other_start, other_end)
                if gap is not None and gap <= distance:
                    return True
        return False

    def near_spans(self, rule: Encoded, limit: int) -> list[Span]:
        """Pairs at most ``distance`` words apart (words strictly between them), same field.

        The right side is sorted, so each left occurrence looks only at the window of right
        occurrences that can be close enough (bisect), not at all of them.
        """
        _, distance, ordered, left_rule, right_rule = rule
        right = self.spans(right_rule)
        if not right:
            return []
        keys = [(span[0], span[1]) for span in right]
        widest = max(span[2] - span[1] for span in right)
        pairs: set[Span] = set()
        for number, start, end, evidence in self.spans(left_rule):
            lowest = end if ordered else start - distance - widest
            first = bisect_left(keys, (number, lowest))
            last = bisect_right(keys, (number, end + distance))
            for _, other_start, other_end, other_evidence in right[first:last]:
                gap = _words_between(start, end, other_start, other_end)
                if gap is not None and gap <= distance:
                    span = (number, min(start, other_start), max(end, other_end))
                    pairs.add((*span, evidence + other_evidence))
            if len(pairs) >= limit:
                break
        return sorted(pairs)
