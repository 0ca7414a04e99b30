"""Reading and validating a watchlist file as a whole, before anything is applied.

Every entry is checked and every finding collected (not just the first), so ``check`` shows the
author all mistakes at once and ``load_watchlists`` refuses a file with any error in it.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from newswatch.alerting.schedule import DEFAULT_DIGEST, DigestSchedule, ScheduleError
from newswatch.subscriptions.endpoints import SubscriptionError, email, sms
from newswatch.subscriptions.policy import MAX_COMBINATIONS
from newswatch.watchlists.diagnostics import Diagnostic, QuerySyntaxError, WatchlistError
from newswatch.watchlists.query import (
    WILDCARD_MIN_LETTERS,
    And,
    Near,
    Node,
    Not,
    Or,
    Term,
    only_negative,
    parse_query,
    parse_term,
    walk_terms,
)

Source = str | os.PathLike[str] | Mapping[str, Any]

NAME_PATTERN = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?")
TERM_LISTS = ("all", "any", "none")
DELIVERY_KEYS = ("notify", "digest", "max_per_hour")
KNOWN_KEYS = ("name", "description", "query", *TERM_LISTS, "aliases", *DELIVERY_KEYS)
# notify: key -> how its addresses are checked and normalised.
NOTIFY_KEYS = {"email": email, "sms": sms, "digest": email}
DEFAULT_MAX_PER_HOUR = 20
MAX_MAX_PER_HOUR = 10_000
MAX_NOTIFY_ADDRESSES = 100  # per list; more belong on a queue that fans out
_SHORT_ACRONYM = re.compile(r"[A-Z]{2,4}")
_LOWER_CASE_OPERATORS = ("and", "or", "not")


@dataclass(frozen=True, slots=True)
class WatchlistDefinition:
    """One valid watchlist: its name, its rule as a tree, and its canonical entry.

    ``settings`` (delivery: ``max_per_hour``, ``digest``, ``notify``...) are JSON values that
    the engine carries through the compiled index without reading them.
    """

    name: str
    expression: Node
    entry: dict[str, Any]
    settings: Mapping[str, Any] = field(default_factory=dict)


def read_source(source: Source) -> Mapping[str, Any]:
    """The parsed document from a YAML/JSON path or an already parsed mapping."""
    if isinstance(source, Mapping):
        return source
    path = Path(source)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise _file_error(f"cannot read {path}: {error}") from error
    try:
        parsed = json.loads(text) if path.suffix == ".json" else _parse_yaml(path, text)
    except json.JSONDecodeError as error:
        raise _file_error(f"{path}: not valid JSON: {error}") from error
    except RecursionError:
        # Both parsers recurse per nesting level; a watchlist file is a few levels deep.
        raise _file_error(f"{path}: nested too deeply to be a watchlist file") from None
    except ValueError as error:
        # A scalar the parser cannot convert: a YAML tag on the wrong value ("!!int abc",
        # "!!timestamp 2024-13-45") or an integer beyond Python's 4,300-digit conversion limit.
        raise _file_error(f"{path}: a value that cannot be read: {error}") from None
    if not isinstance(parsed, Mapping):
        raise _file_error(f"{path}: expected a mapping with a 'watchlists' list at the top")
    return parsed


def _parse_yaml(path: Path, text: str) -> Any:
    """PyYAML is imported here, where a file is read: the Lambda functions get their watchlists
    from DynamoDB as parsed mappings, so their layer ships without PyYAML."""
    import yaml

    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise _file_error(f"{path}: not valid YAML: {error}") from error


def _file_error(message: str) -> WatchlistError:
    return WatchlistError([Diagnostic("error", None, None, message)])


def validate(document: Mapping[str, Any]) -> tuple[list[WatchlistDefinition], list[Diagnostic]]:
    """Every valid watchlist of ``document`` and every error and warning found in it."""
    findings: list[Diagnostic] = []
    entries = document.get("watchlists")
    extra = sorted(str(key) for key in document if key != "watchlists")
    if extra:
        findings.append(
            Diagnostic(
                "error", None, None, f"unknown top-level keys {extra}: expected only 'watchlists'"
            )
        )
    if not isinstance(entries, list):
        findings.append(
            Diagnostic("error", None, None, "expected 'watchlists:' with a list of watchlists")
        )
        return [], findings
    definitions: list[WatchlistDefinition] = []
    seen: dict[str, int] = {}
    for position, entry in enumerate(entries):
        checker = _EntryChecker(position, entry)
        definition = checker.check()
        findings.extend(checker.findings)
        if definition is None:
            continue
        if definition.name in seen:
            findings.append(
                Diagnostic(
                    "error",
                    definition.name,
                    f"watchlists[{position}]",
                    f"the name is already used by watchlists[{seen[definition.name]}]",
                )
            )
            continue
        seen[definition.name] = position
        definitions.append(definition)
    findings.extend(_subscription_limits(definitions))
    return definitions, findings


def delivery_settings(settings: Mapping[str, Any]) -> dict[str, Any]:
    """A watchlist's delivery settings with the defaults filled in for what its entry left out:
    ``{"max_per_hour": int, "digest": schedule text, "notify": {"email": [...], "sms": [...],
    "digest": [...]}}``."""
    notify = settings.get("notify") or {}
    return {
        "max_per_hour": settings.get("max_per_hour", DEFAULT_MAX_PER_HOUR),
        "digest": settings.get("digest", DEFAULT_DIGEST),
        "notify": {key: list(notify.get(key, ())) for key in NOTIFY_KEYS},
    }


def _subscription_limits(definitions: list[WatchlistDefinition]) -> list[Diagnostic]:
    """An address gets one SNS subscription whose filter policy names every watchlist that
    notifies it (one value per watchlist and delivery mode); SNS refuses more than 150."""
    named: dict[str, int] = {}
    for definition in definitions:
        notify = definition.settings.get("notify", {})
        for address in {*notify.get("email", ()), *notify.get("digest", ())}:
            named[address] = named.get(address, 0) + len(
                [key for key in ("email", "digest") if address in notify.get(key, ())]
            )
        for number in notify.get("sms", ()):
            named[number] = named.get(number, 0) + 1
    return [
        Diagnostic(
            "error",
            None,
            None,
            f"{address} is notified by {count} watchlist deliveries; its one SNS subscription "
            f"can name at most {MAX_COMBINATIONS} (SNS's filter policy limit): notify fewer "
            "watchlists, or subscribe a queue that receives everything",
        )
        for address, count in sorted(named.items())
        if count > MAX_COMBINATIONS
    ]


class _EntryChecker:
    """Validates one watchlist entry, collecting findings instead of stopping at the first."""

    def __init__(self, position: int, entry: object) -> None:
        self.position = position
        self.entry = entry
        self.name: str | None = None
        self.findings: list[Diagnostic] = []

    def error(self, location: str | None, message: str) -> None:
        self.findings.append(Diagnostic("error", self.name, self.where(location), message))

    def warn(self, location: str | None, message: str) -> None:
        self.findings.append(Diagnostic("warning", self.name, self.where(location), message))

    def where(self, location: str | None) -> str | None:
        """Without a valid name, the entry's position is what lets the author find it."""
        entry = f"watchlists[{self.position}]"
        if self.name is not None or (location and location.startswith(entry)):
            return location
        return f"{entry}, {location}" if location else entry

    def check(self) -> WatchlistDefinition | None:
        entry = self.entry
        where = f"watchlists[{self.position}]"
        if not isinstance(entry, Mapping):
            self.error(where, f"expected a mapping with 'name' and terms, found {_describe(entry)}")
            return None
        name = entry.get("name")
        if isinstance(name, str) and NAME_PATTERN.fullmatch(name):
            self.name = name
        else:
            self.error(
                where,
                "'name' must be 1-64 lower-case letters, digits and inner '-', "
                f"found {_describe(name)}",
            )
        unknown = [str(key) for key in entry if key not in KNOWN_KEYS]
        if unknown:
            self.error(where, f"unknown keys {unknown}: expected {', '.join(KNOWN_KEYS)}")
        description = entry.get("description")
        if description is not None and not isinstance(description, str):
            self.error("description", f"expected a string, found {_describe(description)}")
        parts: list[Node] = []
        canonical: dict[str, Any] = {"name": name}
        if description:
            canonical["description"] = description
        query = entry.get("query")
        if query is not None:
            parsed = self.check_query(query)
            if parsed is not None:
                parts.append(parsed)
                canonical["query"] = query
        for key in TERM_LISTS:
            if key in entry:
                terms = self.check_terms(key, entry[key])
                if terms:
                    canonical[key] = [term.text for term in terms]
                    parts.append(_list_node(key, terms))
        if query is None and not any(key in entry for key in TERM_LISTS):
            self.error(where, "needs at least one of 'query', 'all', 'any' or 'none'")
        aliases = self.check_aliases(entry.get("aliases"))
        if aliases:
            canonical["aliases"] = {
                key: [alias.text for alias in found] for key, (_, found) in aliases.items()
            }
        delivery = self.check_delivery(entry)
        # Only what the entry says: 100,000 watchlists without settings carry none in the index.
        settings = {key: delivery[key] for key in DELIVERY_KEYS if key in entry}
        canonical.update(settings)
        if any(finding.severity == "error" for finding in self.findings) or not parts:
            return None
        expression = parts[0] if len(parts) == 1 else And(tuple(parts))
        expression = self.apply_aliases(expression, aliases)
        self.warn_about(expression)
        assert self.name is not None
        return WatchlistDefinition(self.name, expression, canonical, settings)

    def check_delivery(self, entry: Mapping[str, Any]) -> dict[str, Any]:
        """The watchlist's settings: ``max_per_hour`` (int), ``digest`` (normalised schedule
        text) and ``notify`` (``email``, ``sms``, ``digest`` address lists), checked,
        normalised and with defaults filled in."""
        return {
            "max_per_hour": self.check_max_per_hour(entry.get("max_per_hour")),
            "digest": self.check_digest(entry.get("digest")),
            "notify": self.check_notify(entry.get("notify")),
        }

    def check_max_per_hour(self, value: object) -> int:
        if value is None:
            return DEFAULT_MAX_PER_HOUR
        if (
            isinstance(value, bool)
            or not isinstance(value, int)
            or not (1 <= value <= MAX_MAX_PER_HOUR)
        ):
            self.error(
                "max_per_hour",
                f"expected a whole number of instant alerts per hour from 1 to "
                f"{MAX_MAX_PER_HOUR} (default {DEFAULT_MAX_PER_HOUR}), found {_describe(value)}",
            )
            return DEFAULT_MAX_PER_HOUR
        return value

    def check_digest(self, value: object) -> str:
        if value is None:
            return DEFAULT_DIGEST
        if value is False:
            return "off"  # YAML reads an unquoted `off` as the boolean false
        if not isinstance(value, str):
            self.error(
                "digest",
                "expected off, hourly, daily HH:MM ZONE or weekly DAY HH:MM ZONE "
                f"(default {DEFAULT_DIGEST}), found {_describe(value)}",
            )
            return DEFAULT_DIGEST
        try:
            return str(DigestSchedule.parse(value))
        except ScheduleError as error:
            self.error("digest", str(error))
            return DEFAULT_DIGEST

    def check_notify(self, value: object) -> dict[str, list[str]]:
        notify: dict[str, list[str]] = {key: [] for key in NOTIFY_KEYS}
        if value is None:
            return notify
        if not isinstance(value, Mapping):
            self.error(
                "notify",
                f"expected a mapping with email, sms and/or digest lists, found {_describe(value)}",
            )
            return notify
        unknown = [str(key) for key in value if key not in NOTIFY_KEYS]
        if unknown:
            self.error("notify", f"unknown keys {unknown}: expected {', '.join(NOTIFY_KEYS)}")
        for key, check in NOTIFY_KEYS.items():
            addresses = value.get(key)
            if addresses is None:
                continue
            if isinstance(addresses, str):
                addresses = [addresses]
            if not isinstance(addresses, list):
                self.error(f"notify.{key}", f"expected a list, found {_describe(addresses)}")
                continue
            if len(addresses) > MAX_NOTIFY_ADDRESSES:
                self.error(
                    f"notify.{key}",
                    f"{len(addresses)} addresses: at most {MAX_NOTIFY_ADDRESSES} per list "
                    "(subscribe a queue or a mailing list for more)",
                )
                continue
            for index, address in enumerate(addresses):
                where = f"notify.{key}[{index}]"
                if not isinstance(address, str):
                    hint = " (quote phone numbers: '+447700900123')" if key == "sms" else ""
                    self.error(where, f"expected a string, found {_describe(address)}{hint}")
                    continue
                try:
                    normalised = check(address).address
                except SubscriptionError as error:
                    self.error(where, str(error))
                    continue
                if normalised in notify[key]:
                    self.warn(where, f"{normalised} is listed twice")
                else:
                    notify[key].append(normalised)
        return notify

    def check_query(self, query: object) -> Node | None:
        if not isinstance(query, str):
            self.error("query", f"expected a string, found {_describe(query)}")
            return None
        try:
            return parse_query(query)
        except QuerySyntaxError as error:
            self.error(f"query, column {error.column}", error.message)
            return None

    def check_terms(self, key: str, values: object) -> list[Term]:
        if not isinstance(values, list) or not values:
            self.error(key, f"expected a non-empty list of terms, found {_describe(values)}")
            return []
        terms: list[Term] = []
        for index, value in enumerate(values):
            term = self.check_term(f"{key}[{index}]", value)
            if term is not None:
                terms.append(term)
        return terms

    def check_term(self, location: str, value: object) -> Term | None:
        if not isinstance(value, str):
            hint = (
                " (quote it: YAML reads yes/no/on/off/NO as booleans)"
                if isinstance(value, bool)
                else ""
            )
            self.error(location, f"expected a term as a string, found {_describe(value)}{hint}")
            return None
        try:
            return parse_term(value.strip())
        except QuerySyntaxError as error:
            self.error(location, error.message)
            return None

    def check_aliases(self, aliases: object) -> dict[str, tuple[Term, list[Term]]]:
        """Each valid key with its term and its valid aliases; every mistake becomes a finding,
        keys included, so that a bad key shows beside the entry's other errors."""
        if aliases is None:
            return {}
        if not isinstance(aliases, Mapping):
            self.error(
                "aliases",
                f"expected a mapping of term -> list of aliases, found {_describe(aliases)}",
            )
            return {}
        checked: dict[str, tuple[Term, list[Term]]] = {}
        for key, values in aliases.items():
            if not isinstance(key, str) or not key.strip():
                self.error("aliases", f"expected a term as each key, found {_describe(key)}")
                continue
            term = self.check_term(f"aliases[{key!r}]", key)
            if not isinstance(values, list) or not values:
                self.error(
                    f"aliases[{key!r}]",
                    f"expected a non-empty list of aliases, found {_describe(values)}",
                )
                continue
            found = [
                self.check_term(f"aliases[{key!r}][{i}]", value) for i, value in enumerate(values)
            ]
            if term is not None:
                checked[key] = (term, [alias for alias in found if alias is not None])
        return checked

    def apply_aliases(self, expression: Node, aliases: dict[str, tuple[Term, list[Term]]]) -> Node:
        """Attach each alias list to every plain term it names, and warn about unused ones.

        Keys that name the same term ("North Korea", "north korea") pool their aliases: the
        term matches case-insensitively, so the author meant both lists for it.
        """
        by_tokens: dict[tuple[str, ...], tuple[str, tuple[Term, ...]]] = {}
        for key, (term, found) in aliases.items():
            first_key, pooled = by_tokens.get(term.tokens, (key, ()))
            by_tokens[term.tokens] = (first_key, pooled + tuple(found))
        if not by_tokens:
            return expression
        used: set[str] = set()

        def attach(node: Node) -> Node:
            if isinstance(node, Term):
                match = None if node.exact or node.wildcard else by_tokens.get(node.tokens)
                if match is None:
                    return node
                used.add(match[0])
                return replace(node, aliases=match[1])
            if isinstance(node, Not):
                return Not(attach(node.child))
            if isinstance(node, Near):
                return replace(node, left=attach(node.left), right=attach(node.right))
            if isinstance(node, And | Or):
                return type(node)(tuple(attach(child) for child in node.children))
            return replace(node, term=attach(node.term))  # type: ignore[arg-type]

        attached = attach(expression)
        for key, _ in by_tokens.values():
            if key not in used:
                self.warn(f"aliases[{key!r}]", "no term of this watchlist is written like this key")
        return attached

    def warn_about(self, expression: Node) -> None:
        if only_negative(expression):
            self.warn(
                None, "only excludes terms (NOT/none): it fires on every article lacking them"
            )
        for term in walk_terms(expression):
            if term.wildcard and len(term.tokens[-1]) < WILDCARD_MIN_LETTERS:
                self.warn(
                    None,
                    f"{term.text!r}: a wildcard on fewer than {WILDCARD_MIN_LETTERS} letters "
                    "matches a great many words",
                )
            if term.text in _LOWER_CASE_OPERATORS:
                self.warn(
                    None,
                    f"'{term.text}' is searched as a word; "
                    f"write {term.text.upper()} for the operator",
                )
            if not term.exact and _SHORT_ACRONYM.fullmatch(term.text):
                self.warn(
                    None,
                    f"{term.text!r} also matches {term.text.lower()!r} in any case; "
                    f"write ={term.text} for the acronym only",
                )


def _list_node(key: str, terms: list[Term]) -> Node:
    if key == "all":
        return terms[0] if len(terms) == 1 else And(tuple(terms))
    alternatives: Node = terms[0] if len(terms) == 1 else Or(tuple(terms))
    return alternatives if key == "any" else Not(alternatives)


def _describe(value: object) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()}"
    if isinstance(value, str):
        return repr(value)
    if isinstance(value, int | float):
        return f"the number {value}"
    if isinstance(value, Mapping):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return f"a {type(value).__name__}"
