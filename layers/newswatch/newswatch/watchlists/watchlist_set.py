"""One shared index for all watchlists, so an article costs what its own words and hits cost.

Matching an article is: tokenise it and find every atom (:mod:`scanner`), gather the watchlists
whose trigger keys were all found (:mod:`triggers`), and evaluate only those (:mod:`evaluator`).
Compiling (:mod:`compiler`) and the stored form (:mod:`index`) are modules of their own; a
cold function loads the index instead of compiling, and decodes a watchlist's rule only when a
hit first makes it a candidate.
"""

from __future__ import annotations

import hashlib
import json
import zlib
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, cast

from newswatch.article import Article
from newswatch.watchlists import index
from newswatch.watchlists.compiler import Compiler
from newswatch.watchlists.document import WatchlistDefinition
from newswatch.watchlists.errors import WatchlistIndexCorrupt
from newswatch.watchlists.evaluator import Evaluator
from newswatch.watchlists.explain import Clause, Match
from newswatch.watchlists.rules import (
    AllRule,
    NotRule,
    Rule,
    decode_rule,
    describe,
    encode_rule,
    written_terms,
)
from newswatch.watchlists.scanner import TEXT, Scanner, segments_of
from newswatch.watchlists.triggers import build_triggers, candidates, found_keys

_NO_SETTINGS: Mapping[str, Any] = MappingProxyType({})


@dataclass(frozen=True, slots=True)
class _DecodedRule:
    """A watchlist's rule with what every match of it shows: its text and top-level clauses."""

    rule: Rule
    description: str
    clauses: tuple[Clause, ...]

    @classmethod
    def of(cls, rule: Rule) -> _DecodedRule:
        parts = rule.children if isinstance(rule, AllRule) else (rule,)
        clauses = tuple(
            Clause(describe(part), isinstance(part, NotRule), written_terms(part)) for part in parts
        )
        return cls(rule, describe(rule), clauses)


class WatchlistSet:
    """A compiled, immutable set of watchlists: match articles, store and reload the index.

    ``compiled_at_load`` is True when whoever loaded the set had to compile it from the
    watchlists because the stored index was missing, stale or corrupt (the store sets it, and
    logs why): a caller can count those, since each costs a compilation at a cold start.
    """

    def __init__(self, data: index.IndexData) -> None:
        tables = data.tables
        self.version: str = tables["version"]
        self.names: tuple[str, ...] = tuple(data.names)
        self.compiled_at_load = False
        self._data = data
        self._scanner = Scanner(tables["words"], tables["wildcards"], tables["exact"])
        self._triggers: dict[str, list[Any]] = tables["triggers"]
        self._always: list[int] = tables["always"]
        self._atom_count: int = tables["atoms"]
        self._settings: dict[str, dict[str, Any]] = tables["settings"]
        self._decoded: dict[int, _DecodedRule] = {}
        self._positions: dict[str, int] | None = None

    @classmethod
    def compile(
        cls, definitions: list[WatchlistDefinition], document: dict[str, Any]
    ) -> WatchlistSet:
        """Build the index from validated definitions and their canonical document."""
        compiler = Compiler()
        rules = [compiler.rule(definition.expression) for definition in definitions]
        canonical = json.dumps(document, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        triggers, always = build_triggers(rules)
        tables = {
            "format": index.FORMAT,
            "word_forms": index.word_forms_key(),
            "version": hashlib.sha256(canonical.encode()).hexdigest()[:16],
            "words": compiler.words,
            "wildcards": compiler.wildcards,
            "exact": compiler.exact,
            "count": len(rules),
            "atoms": len(compiler.atom_ids),
            "triggers": triggers,
            "always": always,
            # Carried for the alerting side, which alone gives them meaning.
            "settings": {
                definition.name: dict(definition.settings)
                for definition in definitions
                if definition.settings
            },
        }
        return cls(
            index.IndexData(
                tables,
                [definition.name for definition in definitions],
                [index.compact_json(encode_rule(rule)).encode() for rule in rules],
                zlib.compress(canonical.encode()),
            )
        )

    @classmethod
    def loads(cls, data: bytes) -> WatchlistSet:
        """The inverse of :meth:`dumps`; raises WatchlistIndexStale for an index compiled with
        other word forms or format, WatchlistIndexCorrupt for a damaged one."""
        return cls(index.load(data))

    def dumps(self) -> bytes:
        """The compiled index (JSON and text in zlib sections: loading it runs no code)."""
        return index.dump(self._data)

    def __len__(self) -> int:
        return len(self.names)

    def __repr__(self) -> str:
        return f"<WatchlistSet {self.version}: {len(self)} watchlists>"

    def to_document(self) -> dict[str, Any]:
        """The canonical ``{"watchlists": [...]}`` document, which loads back into this set."""
        return cast(dict[str, Any], json.loads(zlib.decompress(self._data.packed_document)))

    def settings(self, name: str) -> Mapping[str, Any]:
        """The delivery settings of watchlist ``name`` as its file gave them (empty if none);
        a name not in the set raises KeyError."""
        if self._positions is None:
            self._positions = {watchlist: position for position, watchlist in enumerate(self.names)}
        if name not in self._positions:
            raise KeyError(name)
        found = self._settings.get(name)
        return MappingProxyType(found) if found else _NO_SETTINGS

    def match(self, article: Article) -> list[Match]:
        """The watchlists that fire on ``article`` (title and main text), in file order."""
        segments = segments_of(article)
        found = self._scanner.find(segments)
        keys = found_keys(found, segments[TEXT].lead_tokens)
        evaluator = Evaluator(found, segments)
        matches = []
        for position in sorted(candidates(self._triggers, self._always, keys)):
            decoded = self._rule(position)
            if evaluator.holds(decoded.rule):
                hits, mentions = evaluator.explain(decoded.rule)
                matches.append(
                    Match(
                        self.names[position], hits, decoded.description, decoded.clauses, mentions
                    )
                )
        return matches

    def _rule(self, position: int) -> _DecodedRule:
        """The rule of the watchlist at ``position``, decoded and checked once (a warm function
        reuses it for every article)."""
        decoded = self._decoded.get(position)
        if decoded is None:
            try:
                rule = decode_rule(json.loads(self._data.rules[position]), self._atom_count)
            except (ValueError, RecursionError) as error:
                # Only a writer that broke the format without bumping it gets here (the digest
                # rules out damage after writing): say which rule, not an IndexError.
                detail = f"the rule of watchlist {self.names[position]!r}: {error}"
                raise WatchlistIndexCorrupt(self.version, detail) from error
            decoded = self._decoded[position] = _DecodedRule.of(rule)
        return decoded
