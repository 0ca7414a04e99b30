"""newswatch: extract news articles, match them against watchlists, alert the people who care."""

from newswatch.article import Article
from newswatch.errors import NewswatchError, Rejection

__all__ = ["Article", "NewswatchError", "Rejection", "extract_article", "load_watchlists"]


def __getattr__(name: str) -> object:
    # Lazy so that importing one part (say, the watchlist engine in a benchmark) does not pay
    # for the others at cold start.
    if name == "extract_article":
        from newswatch.extraction import extract_article

        return extract_article
    if name == "load_watchlists":
        from newswatch.watchlists import load_watchlists

        return load_watchlists
    raise AttributeError(name)
