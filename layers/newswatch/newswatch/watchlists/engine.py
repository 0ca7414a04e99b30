"""One shared index for all watchlists, so an article costs what its own words and hits cost.

Compilation reduces every term (with its word forms from :mod:`forms`, its aliases, ``=`` exact
spellings and ``word*`` wildcards) to *atoms*, each found through one dictionary keyed by
normalised token sequences. Each watchlist registers under a minimal set of its atoms (a set
that any true evaluation must hit; the rarest across the whole set is chosen), so matching an
article is: tokenise, look its tokens up, then evaluate only the watchlists whose trigger atoms
were found. The compiled form is plain JSON (zlib-compressed): a cold Lambda loads it rather
than recompiling, and loading parses each watchlist's rule only when a hit first needs it.
"""

from __future__ import annotations

import hashlib
import json
import unicodedata
import zlib
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, cast

from newswatch.article import Article
from newswatch.watchlists.diagnostics import Diagnostic, WatchlistError
from newswatch.watchlists.document import WatchlistDefinition
from newswatch.watchlists.explain import Hit, Match
from newswatch.watchlists.forms import variants
from newswatch.watchlists.normalise import token_spans, tokenise_with_offsets
from newswatch.watchlists.query import And, Count, Near, Node, Not, Term

FORMAT = "newswatch-watchlists/1"
MAX_INDEX_BYTES = 1 << 30
MAX_HITS_PER_TERM = 5
WILDCARD_KEY_LENGTH = 3
MAX_PAIRS_PER_WATCHLIST = 64
_APOSTROPHES = str.maketrans({"\u2019": "'", "\u02bc": "'"})
_POSSESSIVE = "'s"
_FIELD_CODES = {None: "", "title": "title", "lead": "lead", "body": "body"}
_TITLE, _TEXT = 0, 1

# Encoded rules are JSON lists: ["t", text, [atom, ...], field], ["c", n, term], ["&", [...]],
# ["|", [...]], ["!", child], ["n", distance, ordered, left, right].
Encoded = list[Any]
Occurrence = tuple[int, int, int]  # segment (title 0, text 1), first token, token after last
Evidence = tuple[str, int, int, int]  # term as written, segment, first token, token after last
Group = tuple[int, int, int, tuple[Evidence, ...]]


def _exact_spelling(text: str) -> tuple[str, ...]:
    """The tokens of ``text`` as written (case and accents kept), for ``=`` comparisons."""
    return tuple(
        unicodedata.normalize("NFC", text[start:end]).translate(_APOSTROPHES)
        for _, start, end in token_spans(text)
    )


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
            return ["t", node.text, sorted(set(atoms)), _FIELD_CODES[node.field]]
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


def _requirements(rule: Encoded, cost: Callable[[frozenset[int]], int]) -> list[frozenset[int]]:
    """Groups of atoms that a true ``rule`` needs: from each group, at least one must occur.

    An AND needs what each part needs; a NEAR what both sides need; an OR needs one of its
    alternatives, so it contributes the union of each alternative's cheapest group; a NOT
    needs nothing.
    """
    kind = rule[0]
    if kind == "t":
        return [frozenset(rule[2])]
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


def _atoms_in(rule: Encoded) -> Iterable[int]:
    kind = rule[0]
    if kind == "t":
        yield from rule[2]
    elif kind in ("c", "!"):
        yield from _atoms_in(rule[-1])
    elif kind == "n":
        yield from _atoms_in(rule[3])
        yield from _atoms_in(rule[4])
    else:
        for child in rule[1]:
            yield from _atoms_in(child)


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
    """A compiled, immutable set of watchlists: match articles, store and reload the index."""

    def __init__(self, tables: dict[str, Any]) -> None:
        if tables.get("format") != FORMAT:
            raise WatchlistError(
                [
                    Diagnostic(
                        "error",
                        None,
                        None,
                        f"not a {FORMAT} index (format {tables.get('format')!r})",
                    )
                ]
            )
        self._tables = tables
        self.version: str = tables["version"]
        self.names: tuple[str, ...] = tuple(tables["names"])
        self._rules: list[str] = tables["rules"]
        self._words: dict[str, list[Any]] = tables["words"]
        self._wildcards: dict[str, list[list[Any]]] = tables["wildcards"]
        self._wildcard_key_lengths = sorted({len(key) for key in self._wildcards})
        self._exact = {int(atom): tuple(spelling) for atom, spelling in tables["exact"].items()}
        self._triggers: list[list[Any]] = tables["triggers"]
        self._always: list[int] = tables["always"]
        self._parsed: dict[int, Encoded] = {}

    @classmethod
    def compile(
        cls, definitions: list[WatchlistDefinition], document: dict[str, Any]
    ) -> WatchlistSet:
        """Build the index from validated definitions and their canonical document."""
        compiler = _Compiler()
        rules = [compiler.encode(definition.expression) for definition in definitions]
        frequency = [0] * len(compiler.atom_ids)
        for rule in rules:
            for atom in set(_atoms_in(rule)):
                frequency[atom] += 1

        def cost(group: frozenset[int]) -> int:
            return sum(frequency[atom] for atom in group)

        # Per atom: the watchlists it alone makes candidates, and {other atom: watchlists} for
        # those that need this atom AND another (the second-rarest requirement).
        triggers: list[list[Any]] = [[[], {}] for _ in frequency]
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
                for atom in sorted(first):
                    triggers[atom][0].append(position)
                continue
            for atom in sorted(first):
                for other in sorted(second):
                    triggers[atom][1].setdefault(str(other), []).append(position)
        canonical = json.dumps(document, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        tables = {
            "format": FORMAT,
            "version": hashlib.sha256(canonical.encode()).hexdigest()[:16],
            "names": [definition.name for definition in definitions],
            "rules": [
                json.dumps(rule, ensure_ascii=False, separators=(",", ":")) for rule in rules
            ],
            "words": compiler.words,
            "wildcards": compiler.wildcards,
            "exact": compiler.exact,
            "triggers": triggers,
            "always": always,
            "document": canonical,
        }
        return cls(tables)

    def __len__(self) -> int:
        return len(self.names)

    def __repr__(self) -> str:
        return f"<WatchlistSet {self.version}: {len(self)} watchlists>"

    def to_document(self) -> dict[str, Any]:
        """The canonical ``{"watchlists": [...]}`` document, which loads back into this set."""
        return cast(dict[str, Any], json.loads(self._tables["document"]))

    def dumps(self) -> bytes:
        """The compiled index as compressed JSON (a safe format: loading runs no code)."""
        payload = json.dumps(self._tables, ensure_ascii=False, separators=(",", ":"))
        return zlib.compress(payload.encode(), 6)

    @classmethod
    def loads(cls, data: bytes) -> WatchlistSet:
        """The inverse of :meth:`dumps`; a damaged or foreign index raises WatchlistError."""
        try:
            inflater = zlib.decompressobj()
            payload = inflater.decompress(data, MAX_INDEX_BYTES)
            if inflater.unconsumed_tail:
                raise ValueError(f"larger than {MAX_INDEX_BYTES} bytes once decompressed")
            tables = json.loads(payload)
            if not isinstance(tables, dict):
                raise ValueError("not a JSON object")
            return cls(tables)
        except (zlib.error, ValueError, KeyError, TypeError) as error:
            message = f"cannot load the compiled watchlist index: {error}"
            raise WatchlistError([Diagnostic("error", None, None, message)]) from error

    def rule(self, position: int) -> Encoded:
        parsed = self._parsed.get(position)
        if parsed is None:
            parsed = self._parsed[position] = json.loads(self._rules[position])
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
        found_keys = {str(atom) for atom in found}
        for atom in found:
            alone, with_other = self._triggers[atom]
            candidates.update(alone)
            if with_other:
                for other in with_other.keys() & found_keys:
                    candidates.update(with_other[other])
        evaluator = _Evaluator(found, segments)
        matches = []
        for position in sorted(candidates):
            rule = self.rule(position)
            evidence = evaluator.truth(rule)
            if evidence is not None:
                hits = _hits(evidence, segments, (article.title or "", text))
                matches.append(Match(self.names[position], hits, describe(rule)))
        return matches

    def _find(self, number: int, segment: _Segment, found: dict[int, list[Occurrence]]) -> None:
        """Every atom occurrence in one segment: one set intersection picks the tokens that
        start a pattern, so only those positions are visited."""
        tokens = segment.tokens
        words = self._words
        present = words.keys() & set(tokens)
        if present:
            positions: dict[str, list[int]] = {}
            for index in [index for index, token in enumerate(tokens) if token in present]:
                positions.setdefault(tokens[index], []).append(index)
            for token, starts in positions.items():
                atoms, following, wildcards = words[token]
                if atoms:
                    occurrences = [(number, start, start + 1) for start in starts]
                    for atom in atoms:
                        found.setdefault(atom, []).extend(occurrences)
                if following or wildcards:
                    for start in starts:
                        _follow(number, tokens, start, following, wildcards, found)
        if self._wildcards:
            self._find_wildcards(number, tokens, found)

    def _find_wildcards(
        self, number: int, tokens: list[str], found: dict[int, list[Occurrence]]
    ) -> None:
        """``word*`` terms: each distinct token is looked up by its first letters once."""
        wildcards = self._wildcards
        lengths = self._wildcard_key_lengths
        atoms_of: dict[str, list[int]] = {}
        for token in set(tokens):
            for length in lengths:
                for prefix, atom in wildcards.get(token[:length], ()):
                    if token.startswith(prefix):
                        atoms_of.setdefault(token, []).append(atom)
        if atoms_of:
            for start in [start for start, token in enumerate(tokens) if token in atoms_of]:
                for atom in atoms_of[tokens[start]]:
                    found.setdefault(atom, []).append((number, start, start + 1))

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
                    unicodedata.normalize("NFC", segment.text[first:last]).translate(_APOSTROPHES)
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


def _follow(
    number: int,
    tokens: list[str],
    start: int,
    following: dict[str, list[Any]] | None,
    wildcards: list[list[Any]] | None,
    found: dict[int, list[Occurrence]],
) -> None:
    """Walk the trie from the word at ``start`` for as long as the next words continue a phrase."""
    end = start + 1
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
    """Evaluates encoded rules against the atoms found in one article."""

    def __init__(
        self, found: dict[int, list[Occurrence]], segments: tuple[_Segment, _Segment]
    ) -> None:
        self.found = found
        self.lead_tokens = segments[_TEXT].lead_tokens

    def truth(self, rule: Encoded) -> list[Evidence] | None:
        """The evidence that ``rule`` holds (possibly empty, for a NOT), or None if it does not."""
        kind = rule[0]
        if kind == "&":
            evidence: list[Evidence] = []
            for child in rule[1]:
                found = self.truth(child)
                if found is None:
                    return None
                evidence.extend(found)
            return evidence
        if kind == "|":
            results = [
                found for found in (self.truth(child) for child in rule[1]) if found is not None
            ]
            return [item for found in results for item in found] if results else None
        if kind == "!":
            return [] if self.truth(rule[1]) is None else None
        if kind == "c":
            groups = self.positions(rule[2])
            return (
                [item for group in groups for item in group[3]] if len(groups) >= rule[1] else None
            )
        groups = self.positions(rule)
        return [item for group in groups for item in group[3]] if groups else None

    def positions(self, rule: Encoded) -> list[Group]:
        """Where a term, a group of alternatives or a NEAR occurs, each with its evidence."""
        kind = rule[0]
        if kind == "t":
            return self.term_positions(rule)
        if kind == "|":
            merged = [group for child in rule[1] for group in self.positions(child)]
            return sorted(set(merged))
        return self.near_positions(rule)

    def term_positions(self, rule: Encoded) -> list[Group]:
        _, text, atoms, where = rule
        if len(atoms) == 1:
            occurrences = self.found.get(atoms[0], [])
        else:
            occurrences = sorted({found for atom in atoms for found in self.found.get(atom, ())})
        if where == "title":
            occurrences = [found for found in occurrences if found[0] == _TITLE]
        elif where == "body":
            occurrences = [found for found in occurrences if found[0] == _TEXT]
        elif where == "lead":
            occurrences = [
                found for found in occurrences if found[0] == _TEXT and found[1] < self.lead_tokens
            ]
        return [
            (number, start, end, ((text, number, start, end),))
            for number, start, end in occurrences
        ]

    def near_positions(self, rule: Encoded) -> list[Group]:
        """Pairs at most ``distance`` words apart (words strictly between them), same field.

        The right side is sorted, so each left occurrence looks only at the window of right
        occurrences that can be close enough (bisect), not at all of them.
        """
        _, distance, ordered, left_rule, right_rule = rule
        right = self.positions(right_rule)
        if not right:
            return []
        keys = [(group[0], group[1]) for group in right]
        widest = max(group[2] - group[1] for group in right)
        pairs = set()
        for number, start, end, evidence in self.positions(left_rule):
            lowest = end if ordered else start - distance - widest
            first = bisect_left(keys, (number, lowest))
            last = bisect_right(keys, (number, end + distance))
            for _, other_start, other_end, other_evidence in right[first:last]:
                if other_start < end and start < other_end:
                    continue  # the same words cannot be both sides
                gap = other_start - end if other_start >= end else start - other_end
                if gap <= distance:
                    span = (number, min(start, other_start), max(end, other_end))
                    pairs.add((*span, evidence + other_evidence))
        return sorted(pairs)


def _hits(
    evidence: list[Evidence], segments: tuple[_Segment, _Segment], texts: tuple[str, str]
) -> tuple[Hit, ...]:
    """Evidence as hits in reading order: title first, then the text; at most a few per term."""
    per_term: dict[str, int] = {}
    hits = []
    for term, number, start, end in sorted(
        set(evidence), key=lambda item: (item[1], item[2], item[3], item[0])
    ):
        if per_term.get(term, 0) >= MAX_HITS_PER_TERM:
            continue
        per_term[term] = per_term.get(term, 0) + 1
        first, last = segments[number].starts[start], segments[number].ends[end - 1]
        if number == _TITLE:
            where = "title"
        else:
            where = "lead" if start < segments[_TEXT].lead_tokens else "body"
        source = texts[number]
        hits.append(Hit(term, where, first, last, source[first:last], source))
    return tuple(hits)
