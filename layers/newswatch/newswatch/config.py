"""Settings of the ingest path, read from the environment that the SAM template (or the local
stack) sets, so the same code runs unchanged in Lambda, on moto and in tests."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

from newswatch.errors import NewswatchError

DEFAULT_INCOMING_PREFIX = "incoming/"
DEFAULT_MAX_OBJECT_BYTES = 10 * 1024 * 1024
DEFAULT_WATCHLIST_REFRESH_SECONDS = 300


class ConfigurationError(NewswatchError):
    """A required setting is missing or malformed: a deployment mistake, not bad input."""


@dataclass(frozen=True, slots=True)
class Settings:
    """Where the ingest path finds its resources and how far it trusts its input."""

    table_name: str
    topic_arn: str
    article_bucket: str
    incoming_prefix: str = DEFAULT_INCOMING_PREFIX
    max_object_bytes: int = DEFAULT_MAX_OBJECT_BYTES
    watchlist_refresh_seconds: int = DEFAULT_WATCHLIST_REFRESH_SECONDS

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Read ``TABLE_NAME``, ``TOPIC_ARN``, ``ARTICLE_BUCKET`` and the optional limits.

        Fails with every missing name before any object is read (the handler builds its
        pipeline on a container's first event), not with a KeyError midway through one.
        """
        env = os.environ if environ is None else environ
        missing = [
            name for name in ("TABLE_NAME", "TOPIC_ARN", "ARTICLE_BUCKET") if not env.get(name)
        ]
        if missing:
            raise ConfigurationError(f"missing environment variable(s): {', '.join(missing)}")
        return cls(
            table_name=env["TABLE_NAME"],
            topic_arn=env["TOPIC_ARN"],
            article_bucket=env["ARTICLE_BUCKET"],
            incoming_prefix=env.get("INCOMING_PREFIX") or DEFAULT_INCOMING_PREFIX,
            max_object_bytes=_int_setting(
                env, "MAX_OBJECT_BYTES", DEFAULT_MAX_OBJECT_BYTES, minimum=1
            ),
            # 0 re-reads the watchlists' version pointer on every article (tests, demos).
            watchlist_refresh_seconds=_int_setting(
                env, "WATCHLIST_REFRESH_SECONDS", DEFAULT_WATCHLIST_REFRESH_SECONDS, minimum=0
            ),
        )


def _int_setting(env: Mapping[str, str], name: str, default: int, *, minimum: int) -> int:
    raw = env.get(name)
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigurationError(f"{name} must be an integer, got {raw!r}") from None
    if value < minimum:
        raise ConfigurationError(f"{name} must be at least {minimum}, got {value}")
    return value
