"""A server killed during approvals loses no committed approval (a subprocess test).

The real service runs under uvicorn in a child process on the parametrised database.
Eight threads approve 40 pending reviews; after ten approvals are acknowledged, the
server is killed with SIGKILL, mid-burst. Then:

- every acknowledged approval is in the database;
- no approval is half-written: a review is `approved` if and only if it has exactly one
  `approved` event and its webhook outbox row, and a pending review has neither;
- after a restart the service delivers the outbox (the receiver failed every delivery
  before the crash) and keeps working.
"""

from __future__ import annotations

import concurrent.futures
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from app import webhooks
from app.storage.db import Database
from app.storage.models import Review, ReviewEvent, WebhookDelivery
from tests.api.receiver import receiver
from tests.storage.helpers import add_review

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
SECRET = "crash-secret"
REVIEWS = 40
KILL_AFTER = 10


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _start(db_url: str, hook_url: str, workdir: Path) -> tuple[subprocess.Popen, str]:
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("TACTFUL_")}
    env.update(
        HF_HUB_OFFLINE="1",
        PYTHONPATH=str(ROOT),
        TACTFUL_DATABASE_URL=db_url,
        TACTFUL_HOST="127.0.0.1",
        TACTFUL_AUTH_DISABLED="true",
        TACTFUL_WEBHOOK_URLS=json.dumps([hook_url]),
        TACTFUL_WEBHOOK_SECRET=SECRET,
        TACTFUL_WEBHOOK_BACKOFF_SECONDS="0.2",
        TACTFUL_WEBHOOK_BACKOFF_MAX_SECONDS="0.5",
        TACTFUL_WEBHOOK_MAX_ATTEMPTS="1000",
        TACTFUL_WEBHOOK_POLL_SECONDS="0.2",
        TACTFUL_WEBHOOK_TIMEOUT_SECONDS="1",  # a delivery cut by the kill is retried soon
    )
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "app.main:create_app",
            "--factory",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--log-level",
            "warning",
        ],
        cwd=workdir,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=open(workdir / f"server-{port}.log", "wb"),  # noqa: SIM115
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        if process.poll() is not None:
            log = (workdir / f"server-{port}.log").read_text(errors="replace")
            raise AssertionError(f"the server exited ({process.returncode}):\n{log[-3000:]}")
        try:
            if httpx.get(f"{url}/readyz", timeout=2).status_code == 200:
                return process, url
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    process.kill()
    raise AssertionError("the server did not become ready")


def _state(db: Database) -> dict[int, tuple[str, int, int]]:
    """review id -> (status, approved events, outbox rows)."""
    with db.read() as session:
        statuses = dict(session.execute(select(Review.id, Review.status)).all())
        approvals = Counter(
            session.scalars(select(ReviewEvent.review_id).where(ReviewEvent.kind == "approved"))
        )
        outbox = Counter(session.scalars(select(WebhookDelivery.review_id)))
    return {rid: (status, approvals[rid], outbox[rid]) for rid, status in statuses.items()}


def test_killed_server_loses_no_committed_approval(
    database: Database, db_url: str, drafted, tmp_path: Path
) -> None:
    result = drafted()
    assert result.draft.passed
    ids = [add_review(database, result) for _ in range(REVIEWS)]

    with receiver(statuses=[503] * 100_000) as hook:
        server, url = _start(db_url, hook.url, tmp_path)
        acknowledged: list[int] = []
        failed: list[int] = []
        try:

            def approve(review_id: int) -> None:
                try:
                    response = httpx.post(f"{url}/v1/reviews/{review_id}/approve", timeout=60)
                except httpx.HTTPError:
                    failed.append(review_id)
                    return
                assert response.status_code == 200, response.text
                acknowledged.append(review_id)

            with concurrent.futures.ThreadPoolExecutor(8) as pool:
                futures = [pool.submit(approve, review_id) for review_id in ids]
                deadline = time.monotonic() + 120
                while len(acknowledged) < KILL_AFTER and time.monotonic() < deadline:
                    time.sleep(0.002)
                os.kill(server.pid, signal.SIGKILL)
                for future in futures:
                    future.result()
        finally:
            server.kill()
            server.wait(30)

        assert len(acknowledged) >= KILL_AFTER
        assert failed, "the kill should have interrupted some approvals"
        state = _state(database)
        approved = {rid for rid, (status, _, _) in state.items() if status == "approved"}
        assert set(acknowledged) <= approved
        for review_id, (status, approvals, outbox) in state.items():
            if status == "approved":
                assert (approvals, outbox) == (1, 1), review_id
            else:
                assert (status, approvals, outbox) == ("pending", 0, 0), review_id

        # restart: the outbox is delivered (the receiver now accepts) and approvals still work
        hook.statuses.clear()
        server, url = _start(db_url, hook.url, tmp_path)
        try:
            hook.wait_for(
                lambda hits: (
                    {json.loads(h.body)["review_id"] for h in hits} >= approved
                    and _all_delivered(database)
                ),
                timeout=60,
            )
            pending = sorted(set(ids) - approved)
            assert pending
            again = httpx.post(f"{url}/v1/reviews/{pending[0]}/approve", timeout=60)
            assert again.status_code == 200
            twice = httpx.post(f"{url}/v1/reviews/{sorted(approved)[0]}/approve", timeout=60)
            assert twice.status_code == 409
        finally:
            server.send_signal(signal.SIGTERM)
            server.wait(30)

    for hit in hook.hits:
        assert webhooks.verify(SECRET, hit.body, hit.headers["tactful-signature"], tolerance_s=600)
    state = _state(database)
    assert all(approvals <= 1 for _, approvals, _ in state.values())


def _all_delivered(db: Database) -> bool:
    with db.read() as session:
        rows = session.scalars(select(WebhookDelivery.status)).all()
    return bool(rows) and all(status == "delivered" for status in rows)
