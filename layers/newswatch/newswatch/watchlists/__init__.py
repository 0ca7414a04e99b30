"""Watchlists: what people want to be told about, and the engine that finds it in articles.

``load_watchlists`` reads and validates a whole file (YAML, JSON or a parsed mapping) and
compiles it into a :class:`WatchlistSet`; ``check_watchlists`` lists errors and warnings
without compiling. The language is described in :mod:`newswatch.watchlists.query`.
"""

from __future__ import annotations

from newswatch.watchlists.diagnostics import Diagnostic, WatchlistError
from newswatch.watchlists.document import Source, read_source, validate
from newswatch.watchlists.errors import (
    WatchlistIndexCorrupt,
    WatchlistIndexStale,
    WatchlistsUnavailable,
)
from newswatch.watchlists.explain import Hit, Match
from newswatch.watchlists.watchlist_set import WatchlistSet

__all__ = [
    "Diagnostic",
    "Hit",
    "Match",
    "WatchlistError",
    "WatchlistIndexCorrupt",
    "WatchlistIndexStale",
    "WatchlistSet",
    "WatchlistsUnavailable",
    "check_watchlists",
    "load_watchlists",
]


def load_watchlists(source: Source) -> WatchlistSet:
    """Validate the whole of ``source`` and compile it; any error raises :class:`WatchlistError`."""
    definitions, findings = validate(read_source(source))
    if any(finding.severity == "error" for finding in findings):
        raise WatchlistError(findings)
    document = {"watchlists": [definition.entry for definition in definitions]}
    return WatchlistSet.compile(definitions, document)


def check_watchlists(source: Source) -> list[Diagnostic]:
    """Every error and warning in ``source``; an unreadable file is one error, not an exception."""
    try:
        return validate(read_source(source))[1]
    except WatchlistError as error:
        return error.diagnostics
