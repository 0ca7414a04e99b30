"""Deciding a rule against the atoms found in one article, and explaining the rules that hold.

``holds`` answers yes or no as cheaply as possible, for every candidate; ``explain`` is asked
only of the rules that hold, and keeps a few occurrences per term (enough for a reader to judge).
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right

from newswatch.watchlists.explain import Hit
from newswatch.watchlists.rules import (
    AllRule,
    AnyRule,
    CountRule,
    NearRule,
    NotRule,
    Rule,
    TermRule,
    term_rules,
)
from newswatch.watchlists.scanner import TEXT, TITLE, Found, Occurrence, Segment

MAX_HITS_PER_TERM = 3  # quotes per term in an explanation; enough to judge, cheap to build
# tuned: benchmarks/watchlists.py (pairs a nested NEAR keeps for the NEAR around it)
MAX_NEAR_SPANS = 10_000

# Segment, first token, minus the token after the last (so that sorting puts reading order
# first and, at one place, the longest first), term as written.
Evidence = tuple[int, int, int, str]
Span = tuple[int, int, int, tuple[Evidence, ...]]  # segment, first, after last, evidence


def words_between(start: int, end: int, other_start: int, other_end: int) -> int | None:
    """How many words lie strictly between two token spans (what ``NEAR/n`` bounds), or None
    when they overlap: the same words cannot be both sides of a NEAR."""
    if other_start < end and start < other_end:
        return None
    return other_start - end if other_start >= end else start - other_end


class Evaluator:
    """Evaluates rules against the atoms ``found`` in one article's ``segments``."""

    def __init__(self, found: Found, segments: tuple[Segment, Segment]) -> None:
        self.found = found
        self.segments = segments
        self.lead_tokens = segments[TEXT].lead_tokens
        # Many watchlists that fire on one article share terms: their evidence and hits are
        # built once per article.
        self._term_evidence: dict[TermRule, tuple[int, list[Evidence]]] = {}
        self._hits: dict[Evidence, Hit] = {}

    def holds(self, rule: Rule) -> bool:
        if isinstance(rule, TermRule):
            if rule.field:
                return bool(self.occurrences(rule))
            atoms = rule.atoms
            if len(atoms) == 1:
                return atoms[0] in self.found
            return not self.found.keys().isdisjoint(atoms)
        if isinstance(rule, AllRule):
            return all(map(self.holds, rule.children))
        if isinstance(rule, AnyRule):
            return any(map(self.holds, rule.children))
        if isinstance(rule, NotRule):
            return not self.holds(rule.child)
        if isinstance(rule, CountRule):
            return len(self.occurrences(rule.term)) >= rule.minimum
        return self.near_holds(rule)

    def evidence(self, rule: Rule, mentions: dict[str, int]) -> list[Evidence]:
        """The occurrences that make a holding ``rule`` true (none for a NOT); ``mentions``
        gathers how often each term that helped occurs in all (the evidence keeps a few)."""
        if isinstance(rule, TermRule | CountRule):
            term = rule if isinstance(rule, TermRule) else rule.term
            cached = self._term_evidence.get(term)
            if cached is None:
                text = term.text
                occurrences = self.occurrences(term)
                shown = [
                    (number, start, -end, text)
                    for number, start, end in occurrences[:MAX_HITS_PER_TERM]
                ]
                cached = self._term_evidence[term] = (len(occurrences), shown)
            count, shown = cached
            if count > mentions.get(term.text, 0):
                mentions[term.text] = count
            return shown
        if isinstance(rule, NotRule):
            return []
        if isinstance(rule, AllRule):  # it holds, so every part does
            return [item for child in rule.children for item in self.evidence(child, mentions)]
        if isinstance(rule, AnyRule):
            return [
                item
                for child in rule.children
                if self.holds(child)
                for item in self.evidence(child, mentions)
            ]
        for term in term_rules(rule):
            self.evidence(term, mentions)
        spans = self.spans(rule, MAX_HITS_PER_TERM)[:MAX_HITS_PER_TERM]
        return [item for span in spans for item in span[3]]

    def explain(self, rule: Rule) -> tuple[tuple[Hit, ...], tuple[tuple[str, int], ...]]:
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
        where = "title" if number == TITLE else "lead" if start < self.lead_tokens else "body"
        source = segment.text
        return Hit(term, where, first, last, source[first:last], source)

    def occurrences(self, term: TermRule) -> list[Occurrence]:
        """Where a term occurs (any of its atoms), in order, within its field if it has one."""
        atoms = term.atoms
        if len(atoms) == 1:
            occurrences = self.found.get(atoms[0], [])
        else:
            occurrences = sorted({found for atom in atoms for found in self.found.get(atom, ())})
        where = term.field
        if where == "title":
            return [found for found in occurrences if found[0] == TITLE]
        if where == "body":
            return [found for found in occurrences if found[0] == TEXT]
        if where == "lead":
            lead = self.lead_tokens
            return [found for found in occurrences if found[0] == TEXT and found[1] < lead]
        return occurrences

    def spans(self, rule: Rule, limit: int = MAX_NEAR_SPANS) -> list[Span]:
        """Where a term, a group of alternatives or a NEAR occurs, each with its evidence.

        A NEAR stops after ``limit`` pairs: one answers whether it holds, a few explain it, and
        the cap keeps "the NEAR/1000 a" over a long text from building millions of pairs.
        """
        if isinstance(rule, TermRule):
            text = rule.text
            return [
                (number, start, end, ((number, start, -end, text),))
                for number, start, end in self.occurrences(rule)
            ]
        if isinstance(rule, AnyRule):
            return sorted({span for child in rule.children for span in self.spans(child, limit)})
        assert isinstance(rule, NearRule)  # decode_rule lets nothing else beside a NEAR
        return self.near_spans(rule, limit)

    def places(self, rule: Rule) -> list[Occurrence]:
        """Where a NEAR's side occurs, sorted, without the evidence that :meth:`spans` attaches:
        enough to decide a NEAR, and a shared term's occurrences are not copied into spans."""
        if isinstance(rule, TermRule):
            return self.occurrences(rule)
        if isinstance(rule, AnyRule):
            return sorted({place for child in rule.children for place in self.places(child)})
        assert isinstance(rule, NearRule)
        return [span[:3] for span in self.near_spans(rule, MAX_NEAR_SPANS)]

    def near_holds(self, rule: NearRule) -> bool:
        """Whether a NEAR has one pair: :meth:`near_spans` with ``limit`` 1, but on bare
        places and stopping at the first pair. Most candidates only need this answer."""
        distance, ordered = rule.distance, rule.ordered
        right = self.places(rule.right)
        if not right:
            return False
        widest = max(end - start for _, start, end in right)
        for number, start, end in self.places(rule.left):
            lowest = end if ordered else start - distance - widest
            # (number, s) < (number, s, e): these bounds select starts in [lowest, end + distance].
            first = bisect_left(right, (number, lowest))
            last = bisect_left(right, (number, end + distance + 1))
            for index in range(first, last):
                _, other_start, other_end = right[index]
                gap = words_between(start, end, other_start, other_end)
                if gap is not None and gap <= distance:
                    return True
        return False

    def near_spans(self, rule: NearRule, limit: int) -> list[Span]:
        """Pairs at most ``distance`` words apart (words strictly between them), same field.

        The right side is sorted, so each left occurrence looks only at the window of right
        occurrences that can be close enough (bisect), not at all of them.
        """
        distance, ordered = rule.distance, rule.ordered
        right = self.spans(rule.right)
        if not right:
            return []
        keys = [(span[0], span[1]) for span in right]
        widest = max(span[2] - span[1] for span in right)
        pairs: set[Span] = set()
        for number, start, end, evidence in self.spans(rule.left):
            lowest = end if ordered else start - distance - widest
            first = bisect_left(keys, (number, lowest))
            last = bisect_right(keys, (number, end + distance))
            for _, other_start, other_end, other_evidence in right[first:last]:
                gap = words_between(start, end, other_start, other_end)
                if gap is not None and gap <= distance:
                    span = (number, min(start, other_start), max(end, other_end))
                    pairs.add((*span, evidence + other_evidence))
            if len(pairs) >= limit:
                break
        return sorted(pairs)
