"""What is wrong with a watchlist file, said so that its author can fix it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from newswatch.errors import NewswatchError

Severity = Literal["error", "warning"]


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """One finding: which watchlist, where in it (``query, column 12``, ``all[2]``), and what."""

    severity: Severity
    watchlist: str | None
    location: str | None
    message: str

    def __str__(self) -> str:
        where = [f"watchlist {self.watchlist!r}"] if self.watchlist else []
        if self.location:
            where.append(self.location)
        prefix = ", ".join(where)
        return (
            f"{self.severity}: {prefix}: {self.message}"
            if prefix
            else f"{self.severity}: {self.message}"
        )


class WatchlistError(NewswatchError):
    """A watchlist file that cannot be applied; ``diagnostics`` holds every error found in it."""

    def __init__(self, diagnostics: list[Diagnostic]) -> None:
        self.diagnostics = diagnostics
        errors = [str(found) for found in diagnostics if found.severity == "error"]
        if len(errors) == 1:
            super().__init__(f"invalid watchlists: {errors[0]}")
        else:
            listing = "\n  ".join(errors)
            super().__init__(f"invalid watchlists ({len(errors)} errors):\n  {listing}")


class QuerySyntaxError(Exception):
    """Raised inside the parser at the first mistake; becomes a :class:`Diagnostic`."""

    def __init__(self, column: int, message: str) -> None:
        super().__init__(message)
        self.column = column
        self.message = message
