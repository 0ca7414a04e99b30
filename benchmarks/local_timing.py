"""When things happen inside the local stack's handler, for the benchmarks that drive it
(``loadtest``, ``latency``): every AWS call a handler worker makes, when it began and ended, and
when each SNS Publish returned, by message id.

Read from botocore's ``before-call`` and ``after-call`` events on the session the handler's
clients come from (:func:`benchmarks.loadtest.start_stack` makes it theirs and the
runner's). Only the Dispatcher's worker threads (``handler-N``) count: the benchmark's own
uploads are not the handler's work. A call's time is botocore sending it and parsing the
answer, moto's answering included; serialising the request comes before it. A ReceiveMessage
counts only when it returned messages (its time is then mostly the long poll's wait).
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from typing import Any

import botocore.session


@dataclass(frozen=True, slots=True)
class Call:
    """One AWS call of a handler worker, in ``time.monotonic()`` seconds."""

    operation: str
    started: float
    ended: float


@dataclass
class CallClock:
    calls: list[Call] = field(default_factory=list)
    # SNS message id -> when its Publish returned to the handler.
    published: dict[str, float] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def install(self, session: botocore.session.Session) -> CallClock:
        events = session.get_component("event_emitter")
        events.register("before-call", self._began)
        events.register("after-call", self._ended)
        return self

    def _began(self, model: Any, context: dict[str, Any], **_: Any) -> None:
        if threading.current_thread().name.startswith("handler-"):
            context["benchmark_started"] = time.monotonic()

    def _ended(self, model: Any, context: dict[str, Any], parsed: Any, **_: Any) -> None:
        started = context.get("benchmark_started")
        if started is None:
            return
        ended = time.monotonic()
        if model.name == "ReceiveMessage" and not (parsed or {}).get("Messages"):
            return  # a long poll that ended empty: only waiting
        with self._lock:
            self.calls.append(Call(model.name, started, ended))
            if model.name == "Publish" and isinstance(parsed, dict) and "MessageId" in parsed:
                self.published[parsed["MessageId"]] = ended

    def ended_between(self, start: float, end: float) -> list[Call]:
        """The calls that ended from ``start`` to ``end`` (a long poll may begin before)."""
        with self._lock:
            return [call for call in self.calls if start <= call.ended <= end]
