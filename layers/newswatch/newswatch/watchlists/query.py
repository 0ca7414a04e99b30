"""The watchlist language: boolean queries as media-monitoring tools write them.

``query:`` strings are parsed here into a small tree (:class:`Term`, :class:`And`, :class:`Or`,
:class:`Not`, :class:`Near`, :class:`Count`); the ``all``/``any``/``none`` lists become the same
tree, so the engine knows one language. Precedence, loosest first: ``OR``, ``AND`` (also implicit
between adjacent terms), ``NOT``, ``NEAR/n``/``ONEAR/n``. Operators are upper-case; a lower-case
``or`` is a word to search for (``check`` warns about it). Parsing is iterative where input
decides the length and depth-bounded where it nests, so no query can exhaust the stack.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Literal

from newswatch.watchlists.diagnostics import QuerySyntaxError
from newswatch.watchlists.normalise import tokenise

Field = Literal["title", "lead", "body"]
FIELDS: tuple[Field, ...] = ("title", "lead", "body")
MAX_QUERY_LENGTH = 10_000
MAX_DEPTH = 32  # parentheses, NOT and fields, counted while parsing
MAX_TREE_DEPTH = 64  # the parsed tree, NEAR chains included: evaluation recurses this deep
MAX_NEAR_DISTANCE = 1_000
MAX_COUNT = 1_000
WILDCARD_MIN_LETTERS = 3


@dataclass(frozen=True, slots=True)
class Term:
    """A word or phrase to find. ``text`` is as the author wrote it (shown in explanations)."""

    text: str
    tokens: tuple[str, ...]
    exact: bool = False
    wildcard: bool = False
    field: Field | None = None
    aliases: tuple[Term, ...] = ()


@dataclass(frozen=True, slots=True)
class And:
    children: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Or:
    children: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Not:
    child: Node


@dataclass(frozen=True, slots=True)
class Near:
    """``left NEAR/distance right``: at most ``distance`` words apart (in order if ``ordered``)."""

    left: Node
    right: Node
    distance: int
    ordered: bool


@dataclass(frozen=True, slots=True)
class Count:
    """``count(term) >= minimum``: the term is mentioned at least ``minimum`` times."""

    term: Term
    minimum: int


Node = Term | And | Or | Not | Near | Count

# A known field name followed by ':' is always a field; another "word:" glued to a term is a
# mistyped field ("headline:Russia"), reported rather than searched for as a word.
_FIELD_PREFIX = re.compile(r"(title|lead|body):|([A-Za-z]+):(?=[^\s:/])")
_PROXIMITY = re.compile(r"(O?NEAR)(?:/(\d*))?")
_WORD_END = re.compile(r'[\s()"]')
_COUNT = re.compile(r'count\(\s*(=?"[^"]*"|[^\s()"]+)\s*\)\s*>=\s*(\d+)')


@dataclass(frozen=True, slots=True)
class _Token:
    kind: Literal["(", ")", "AND", "OR", "NOT", "NEAR", "FIELD", "COUNT", "TERM", "END"]
    column: int
    text: str = ""
    term: Term | None = None
    number: int = 0
    ordered: bool = False


def parse_term(written: str, column: int = 1) -> Term:
    """One list entry or query word: ``=`` in front means exact, ``*`` at the end a wildcard."""
    exact = written.startswith("=")
    body = written[1:] if exact else written
    if exact and len(body) >= 2 and body[0] == body[-1] == '"':
        body = body[1:-1]
    wildcard = body.endswith("*")
    stem = body[:-1] if wildcard else body
    if exact and wildcard:
        raise QuerySyntaxError(column, f"{written!r}: '=' (exact) and '*' (wildcard) do not mix")
    if "*" in stem:
        raise QuerySyntaxError(column, f"{written!r}: a wildcard '*' may only end a word")
    if wildcard and (not stem or not (stem[-1].isalnum() or stem[-1] == "_")):
        raise QuerySyntaxError(column, f"{written!r}: a wildcard needs letters before the '*'")
    tokens = tokenise(stem)
    if not tokens:
        raise QuerySyntaxError(column, f"{written!r} has no letters or digits to match")
    return Term(text=written, tokens=tokens, exact=exact, wildcard=wildcard)


def _lex(query: str) -> list[_Token]:
    tokens: list[_Token] = []
    position = 0
    length = len(query)
    while position < length:
        char = query[position]
        column = position + 1
        if char.isspace():
            position += 1
        elif char in "()":
            tokens.append(_Token(char, column))  # type: ignore[arg-type]
            position += 1
        elif char == '"' or (char == "=" and query.startswith('="', position)):
            opening = position + (1 if char == "=" else 0)
            closing = query.find('"', opening + 1)
            if closing < 0:
                raise QuerySyntaxError(column, "expected a closing '\"' for this phrase")
            written = query[position : closing + 1]
            phrase = written if char == "=" else written[1:-1]
            tokens.append(_Token("TERM", column, written, term=parse_term(phrase, column)))
            position = closing + 1
        else:
            field = _FIELD_PREFIX.match(query, position)
            if field:
                name = field.group(1) or field.group(2)
                if name not in FIELDS:
                    raise QuerySyntaxError(
                        column, f"unknown field '{name}:' (expected title:, lead: or body:)"
                    )
                tokens.append(_Token("FIELD", column, name))
                position = field.end()
                continue
            end_match = _WORD_END.search(query, position)
            end = end_match.start() if end_match else length
            word = query[position:end]
            if word == "count" and query.startswith("(", end):
                tokens.append(_lex_count(query, position))
                position = _COUNT.match(query, position).end()  # type: ignore[union-attr]
                continue
            tokens.append(_classify_word(word, column))
            position = end
    tokens.append(_Token("END", length + 1))
    return tokens


def _lex_count(query: str, position: int) -> _Token:
    column = position + 1
    found = _COUNT.match(query, position)
    if not found:
        raise QuerySyntaxError(column, "expected count(term) >= n, e.g. count(Russia) >= 3")
    written, digits = found.groups()
    minimum = int(digits)
    if not 1 <= minimum <= MAX_COUNT:
        raise QuerySyntaxError(column, f"count(...) >= n needs n from 1 to {MAX_COUNT}")
    if written.startswith('"'):
        written = written[1:-1]
    return _Token("COUNT", column, found.group(0), term=parse_term(written, column), number=minimum)


def _classify_word(word: str, column: int) -> _Token:
    if word in ("AND", "OR", "NOT"):
        return _Token(word, column, word)  # type: ignore[arg-type]
    proximity = _PROXIMITY.fullmatch(word)
    if proximity:
        operator, digits = proximity.groups()
        if not digits:
            raise QuerySyntaxError(
                column, f"expected {operator}/n with a number of words, e.g. {operator}/5"
            )
        distance = int(digits)
        if not 1 <= distance <= MAX_NEAR_DISTANCE:
            raise QuerySyntaxError(
                column, f"{word}: the distance must be 1 to {MAX_NEAR_DISTANCE} words"
            )
        return _Token("NEAR", column, word, number=distance, ordered=operator == "ONEAR")
    return _Token("TERM", column, word, term=parse_term(word, column))


class _Parser:
    """Recursive descent over the lexed query; recursion only at parentheses, NOT and fields."""

    def __init__(self, query: str) -> None:
        self.query = query
        self.tokens = _lex(query)
        self.index = 0
        self.depth = 0

    def peek(self) -> _Token:
        return self.tokens[self.index]

    def take(self) -> _Token:
        token = self.tokens[self.index]
        self.index += 1
        return token

    def expect_operand(self, after: str) -> None:
        token = self.peek()
        if token.kind in ("END", ")", "AND", "OR", "NEAR"):
            found = (
                "the end of the query" if token.kind == "END" else f"'{token.text or token.kind}'"
            )
            raise QuerySyntaxError(token.column, f"expected a term after {after}, found {found}")

    def parse(self) -> Node:
        self.expect_operand("the start of the query")
        node = self.parse_or(None)
        token = self.peek()
        if token.kind == ")":
            raise QuerySyntaxError(token.column, "unbalanced ')': no '(' is open here")
        if token.kind != "END":  # pragma: no cover - parse_or consumes all it can
            raise QuerySyntaxError(token.column, f"unexpected {token.text!r}")
        return node

    def parse_or(self, field: Field | None) -> Node:
        children = [self.parse_and(field)]
        while self.peek().kind == "OR":
            self.take()
            self.expect_operand("OR")
            children.append(self.parse_and(field))
        return children[0] if len(children) == 1 else Or(tuple(children))

    def parse_and(self, field: Field | None) -> Node:
        children = [self.parse_not(field)]
        while True:
            token = self.peek()
            if token.kind == "AND":
                self.take()
                self.expect_operand("AND")
            elif token.kind not in ("(", "NOT", "FIELD", "COUNT", "TERM"):
                break
            children.append(self.parse_not(field))
        return children[0] if len(children) == 1 else And(tuple(children))

    def parse_not(self, field: Field | None) -> Node:
        if self.peek().kind != "NOT":
            return self.parse_near(field)
        self.take()
        self.expect_operand("NOT")
        with _Nesting(self, self.peek().column):
            return Not(self.parse_not(field))

    def parse_near(self, field: Field | None) -> Node:
        node = self.parse_primary(field)
        while self.peek().kind == "NEAR":
            operator = self.take()
            self.expect_operand(operator.text)
            right = self.parse_primary(field)
            for side in (node, right):
                if not yields_positions(side):
                    raise QuerySyntaxError(
                        operator.column,
                        f"{operator.text} needs a term, a phrase or a group of alternatives "
                        "(a OR b) on each side",
                    )
            node = Near(node, right, operator.number, operator.ordered)
        return node

    def parse_primary(self, field: Field | None) -> Node:
        token = self.take()
        if token.kind == "TERM":
            assert token.term is not None
            return replace(token.term, field=field) if field else token.term
        if token.kind == "FIELD":
            self.expect_operand(f"'{token.text}:'")
            with _Nesting(self, token.column):
                return self.parse_primary(token.text)  # type: ignore[arg-type]
        if token.kind == "(":
            self.expect_operand("'('")
            with _Nesting(self, token.column):
                node = self.parse_or(field)
            closing = self.take()
            if closing.kind != ")":
                found = "the end of the query" if closing.kind == "END" else repr(closing.text)
                raise QuerySyntaxError(
                    closing.column,
                    f"expected ')' to close the '(' at column {token.column}, found {found}",
                )
            return node
        if token.kind == "COUNT":
            assert token.term is not None
            term = replace(token.term, field=field) if field else token.term
            return Count(term, token.number)
        found = "the end of the query" if token.kind == "END" else repr(token.text or token.kind)
        raise QuerySyntaxError(token.column, f"expected a term, a phrase or '(', found {found}")


class _Nesting:
    """Counts nesting so that ``((((...))))`` or ``NOT NOT NOT ...`` stops with an error."""

    def __init__(self, parser: _Parser, column: int) -> None:
        self.parser = parser
        self.column = column

    def __enter__(self) -> None:
        self.parser.depth += 1
        if self.parser.depth > MAX_DEPTH:
            raise QuerySyntaxError(self.column, f"nested more than {MAX_DEPTH} levels deep")

    def __exit__(self, *_: object) -> None:
        self.parser.depth -= 1


def parse_query(query: str) -> Node:
    """Parse a ``query:`` string; raises :class:`QuerySyntaxError` with a 1-based column."""
    if len(query) > MAX_QUERY_LENGTH:
        raise QuerySyntaxError(MAX_QUERY_LENGTH + 1, f"longer than {MAX_QUERY_LENGTH} characters")
    if not query.strip():
        raise QuerySyntaxError(1, "the query is empty")
    node = _Parser(query).parse()
    if tree_depth(node) > MAX_TREE_DEPTH:
        # A long "a NEAR/1 b NEAR/1 c ..." chain nests without parentheses.
        raise QuerySyntaxError(1, f"nested more than {MAX_TREE_DEPTH} levels deep")
    return node


def tree_depth(node: Node) -> int:
    """How deep ``node`` nests (iteratively, so that measuring cannot overflow the stack)."""
    deepest = 0
    pending: list[tuple[Node, int]] = [(node, 1)]
    while pending:
        current, depth = pending.pop()
        deepest = max(deepest, depth)
        if isinstance(current, Not):
            pending.append((current.child, depth + 1))
        elif isinstance(current, Near):
            pending += [(current.left, depth + 1), (current.right, depth + 1)]
        elif isinstance(current, Count):
            pending.append((current.term, depth + 1))
        elif isinstance(current, And | Or):
            pending += [(child, depth + 1) for child in current.children]
    return deepest


def yields_positions(node: Node) -> bool:
    """Whether ``node`` has positions in the text (so it can stand beside NEAR)."""
    if isinstance(node, Term | Near):
        return True
    if isinstance(node, Or):
        return all(yields_positions(child) for child in node.children)
    return False


def walk_terms(node: Node) -> list[Term]:
    """Every term in ``node``, in reading order (iterative: trees are depth-bounded anyway)."""
    found: list[Term] = []
    pending: list[Node] = [node]
    while pending:
        current = pending.pop()
        if isinstance(current, Term):
            found.append(current)
        elif isinstance(current, Count):
            found.append(current.term)
        elif isinstance(current, Not):
            pending.append(current.child)
        elif isinstance(current, Near):
            pending.extend((current.right, current.left))
        else:
            pending.extend(reversed(current.children))
    return found


def only_negative(node: Node) -> bool:
    """Whether ``node`` can be true of an article that mentions none of its terms."""
    if isinstance(node, Not):
        return True
    if isinstance(node, And):
        return all(only_negative(child) for child in node.children)
    if isinstance(node, Or):
        return any(only_negative(child) for child in node.children)
    return False
