"""moto's HTTP server, made to hold up under the local stack's concurrent workers.

moto's DynamoDB is not thread-safe: TransactWriteItems deep-copies a table while another
request thread writes to it ("dictionary changed size during iteration": 379 failed
transactions and 9 objects dead-lettered in a 1,000-article load test with 4 workers).
DynamoDB applies each request atomically; serialising moto's DynamoDB requests gives it that
guarantee and leaves the interleaving between requests, where workers race, as it is.
"""

from __future__ import annotations

import threading
from typing import Any

_installed = False
_install_lock = threading.Lock()


def adapt_moto_server() -> None:
    """Serialise moto's DynamoDB requests in this process (idempotent): the local stack's moto
    server runs here, one thread per request."""
    global _installed
    with _install_lock:
        if _installed:
            return
        from moto.dynamodb.responses import DynamoHandler

        lock = threading.RLock()
        call_action = DynamoHandler.call_action

        def one_at_a_time(self: DynamoHandler) -> Any:
            with lock:
                return call_action(self)

        DynamoHandler.call_action = one_at_a_time  # type: ignore[method-assign]
        _installed = True
