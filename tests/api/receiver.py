"""A local HTTP server that receives webhooks and answers with the statuses it is told."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Hit:
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Receiver:
    url: str
    hits: list[Hit] = field(default_factory=list)
    statuses: list[int] = field(default_factory=list)
    """Answers to give, in order; 200 once they run out."""

    def wait_for(self, predicate: Callable[[list[Hit]], bool], timeout: float = 20) -> None:
        deadline = time.monotonic() + timeout
        while not predicate(self.hits):
            if time.monotonic() > deadline:
                raise AssertionError(f"webhook receiver: condition not met ({len(self.hits)} hits)")
            time.sleep(0.05)


@contextmanager
def receiver(statuses: list[int] | None = None) -> Iterator[Receiver]:
    """Serve on a free loopback port until the block ends."""
    state = Receiver(url="", statuses=list(statuses or []))
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("content-length", 0))
            body = self.rfile.read(length)
            if len(body) < length:  # the sender died mid-request: nothing was delivered
                return
            with lock:
                state.hits.append(
                    Hit(self.path, {k.lower(): v for k, v in self.headers.items()}, body)
                )
                status = state.statuses.pop(0) if state.statuses else 200
            self.send_response(status)
            self.send_header("content-length", "0")
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.url = f"http://127.0.0.1:{server.server_address[1]}/hook"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
