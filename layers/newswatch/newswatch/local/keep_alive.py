"""A request handler that keeps the local server's HTTP connections open between requests.

werkzeug's development server closes every connection after one response, because it cannot
tell where a request body it did not read ends. botocore then opens a TCP connection for every
AWS call and the server starts a thread for each: in the load test the connects, name lookups
and thread starts took about a sixth of the handler's CPU and more of the server's. This
handler reads each request's body whole before the application runs and sends each response
with its length, so the next request on the connection starts where this one ended. A request
the application fails on is answered 500 and closes its connection.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable
from typing import Any

from moto.moto_server.werkzeug_app import MotoRequestHandler

# Statuses whose responses have no body (RFC 9110, section 6.4.1).
_BODILESS_STATUSES = frozenset({204, 304})
# Framing the handler sets itself; the application's own values would contradict it.
_FRAMING_HEADERS = frozenset({"connection", "content-length", "transfer-encoding"})


class KeepAliveRequestHandler(MotoRequestHandler):
    """moto's request handler, one connection serving many requests (HTTP/1.1 keep-alive)."""

    protocol_version = "HTTP/1.1"
    # The headers and the body go out as two writes; with Nagle's algorithm the second waits
    # for the client's delayed acknowledgement of the first, 40 ms a response.
    disable_nagle_algorithm = True

    def run_wsgi(self) -> None:
        if self.headers.get("Expect", "").lower().strip(" \t") == "100-continue":
            self.wfile.write(b"HTTP/1.1 100 Continue\r\n\r\n")
        environ = self.make_environ()
        # The whole body now, so that nothing of it is left to be read as the next request.
        body = environ["wsgi.input"].read(
            None
            if environ.pop("wsgi.input_terminated", False)
            else int(environ.get("CONTENT_LENGTH") or 0)
        )
        environ["wsgi.input"] = io.BytesIO(body)
        environ["CONTENT_LENGTH"] = str(len(body))
        self.environ = environ
        try:
            status, headers, content = _respond(self.server.app, environ)
        except Exception as error:  # a failed request must not take the server thread down
            self.close_connection = True
            self.log_error("error on request %s: %r", self.requestline, error)
            status, headers, content = "500 INTERNAL SERVER ERROR", [], b""
        code_text, _, reason = status.partition(" ")
        code = int(code_text)
        self.send_response(code, reason)
        head = environ["REQUEST_METHOD"] == "HEAD"
        for name, value in headers:
            # A HEAD response states the length of what a GET would send.
            if name.lower() not in _FRAMING_HEADERS or (head and name.lower() == "content-length"):
                self.send_header(name, value)
        if not head and code not in _BODILESS_STATUSES and not 100 <= code < 200:
            self.send_header("Content-Length", str(len(content)))
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        if not head:
            self.wfile.write(content)
        self.wfile.flush()


def _respond(
    app: Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]], environ: dict[str, Any]
) -> tuple[str, list[tuple[str, str]], bytes]:
    """Run the WSGI application; its status, headers and whole body."""
    started: list[tuple[str, list[tuple[str, str]]]] = []
    chunks: list[bytes] = []

    def start_response(
        status: str, headers: list[tuple[str, str]], exc_info: Any = None
    ) -> Callable[[bytes], None]:
        started[:] = [(status, headers)]
        return chunks.append

    result = app(environ, start_response)
    try:
        chunks.extend(result)
    finally:
        close = getattr(result, "close", None)
        if close is not None:
            close()
    status, headers = started[0]
    return status, headers, b"".join(chunks)
