"""Browser fixtures: the real app under uvicorn on a free loopback port, headless Chromium.

The server runs in a thread of the test process so that it shares the session's loaded
model (the `tactful` fixture). Every request the server receives is recorded by a small
ASGI wrapper, and every log record of the process is captured, so that tests can prove
what did and did not leave the browser.
"""

from __future__ import annotations

import logging
import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.conftest import IN_CI

CHROMIUM = os.environ.get("TACTFUL_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-default-apps",
    "--disable-extensions",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


@dataclass
class Received:
    """One request as the server received it."""

    method: str
    path: str
    query: str
    headers: list[tuple[str, str]]
    body: bytes


@dataclass
class LiveServer:
    """A running Tactful with what it received and logged."""

    url: str
    settings: Any
    data_dir: Path
    received: list[Received] = field(default_factory=list)
    logs: list[str] = field(default_factory=list)

    def api(self) -> httpx.Client:
        """A plain HTTP client for the same server (no cookies, as a script would be)."""
        return httpx.Client(base_url=self.url, timeout=30)


class _Recorder:
    """ASGI wrapper recording every HTTP request the server receives, body included."""

    def __init__(self, app: Any, sink: list[Received]):
        self.app = app
        self.sink = sink

    def __getattr__(self, name: str) -> Any:
        return getattr(self.app, name)

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        entry = Received(
            method=scope["method"],
            path=scope["path"],
            query=scope.get("query_string", b"").decode("latin-1"),
            headers=[(k.decode("latin-1"), v.decode("latin-1")) for k, v in scope["headers"]],
            body=b"",
        )
        self.sink.append(entry)

        async def recording_receive() -> Any:
            message = await receive()
            if message["type"] == "http.request":
                entry.body += message.get("body", b"")
            return message

        await self.app(scope, recording_receive, send)


class _Capture(logging.Handler):
    """Keep every formatted log record (message, arguments and traceback)."""

    def __init__(self, sink: list[str]):
        super().__init__(logging.DEBUG)
        self.sink = sink
        self.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))

    def emit(self, record: logging.LogRecord) -> None:
        try:
            self.sink.append(self.format(record))
        except Exception:  # a record that cannot be formatted is kept raw
            self.sink.append(repr(record.__dict__))


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(settings: Any, tactful: Any, data_dir: Path) -> Iterator[LiveServer]:
    """Run create_app(settings) with uvicorn in a thread until the generator is closed."""
    import uvicorn

    from app.main import create_app

    port = _free_port()
    server_info = LiveServer(f"http://127.0.0.1:{port}", settings, data_dir)
    capture = _Capture(server_info.logs)
    root = logging.getLogger()
    old_level = root.level
    root.addHandler(capture)
    root.setLevel(logging.DEBUG)
    app = _Recorder(create_app(settings, tactful=tactful), server_info.received)
    config = uvicorn.Config(
        app, host="127.0.0.1", port=port, log_config=None, log_level="debug", lifespan="on"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="tactful-live", daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while True:
        try:
            if httpx.get(f"{server_info.url}/readyz", timeout=2).status_code == 200:
                break
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the live server did not start")
        time.sleep(0.1)
    try:
        yield server_info
    finally:
        server.should_exit = True
        thread.join(timeout=15)
        root.removeHandler(capture)
        root.setLevel(old_level)


@pytest.fixture(scope="session")
def chromium_path() -> str:
    """Debian's Chromium; required under CI=true, otherwise the browser tests skip."""
    if Path(CHROMIUM).exists() or shutil.which(CHROMIUM):
        return CHROMIUM
    if IN_CI:
        pytest.fail(f"Chromium is missing at {CHROMIUM}; CI must run the browser tests")
    pytest.skip(f"Chromium is not installed at {CHROMIUM}")


@pytest.fixture(scope="session")
def browser(chromium_path: str) -> Iterator[Any]:
    """One headless Chromium for the session (Playwright launches it with a fresh profile)."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        if IN_CI:
            raise
        pytest.skip("playwright is not installed")
    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
        try:
            yield instance
        finally:
            instance.close()


@pytest.fixture(scope="module")
def live(settings, tactful, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """The app on loopback with auth off (the `auth_disabled` mode) and its own database."""
    data = tmp_path_factory.mktemp("web-data")
    web_settings = settings.model_copy(
        update={"database_url": f"sqlite:///{data / 'tactful.db'}", "auth_disabled": True}
    )
    yield from start_server(web_settings, tactful, data)


@pytest.fixture(scope="module")
def live_auth(settings, tactful, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """The app with API keys required (auth on), on loopback, with its own database."""
    data = tmp_path_factory.mktemp("web-auth-data")
    secured = settings.model_copy(
        update={"database_url": f"sqlite:///{data / 'tactful.db'}", "auth_disabled": False}
    )
    yield from start_server(secured, tactful, data)


def create_key(server: LiveServer, name: str, scopes: list[str]) -> str:
    """A new API key in the server's database (as `tactful keys create` would make)."""
    from app.auth import create_key as make_key
    from app.storage.db import Database

    db = Database(server.settings.database_url)
    try:
        with db.write() as session:
            _, key = make_key(session, name, scopes)
    finally:
        db.dispose()
    return key
