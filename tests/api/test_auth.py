"""API keys: scopes on every /v1 endpoint (401/403), loopback-only auth off, CLI and HTTP."""

from __future__ import annotations

import json

import pytest
from starlette.requests import Request
from typer.testing import CliRunner

from app import auth
from app.storage.models import ApiKey
from tests.storage.helpers import CALM, LONG_AGO

# (method, path, scope) of the review queue's endpoints; None: any valid key
SCOPED = [
    ("POST", "/v1/messages", "ingest"),
    ("GET", "/v1/reviews", "review"),
    ("GET", "/v1/reviews/{id}", "review"),
    ("GET", "/v1/reviews/{id}/events", "review"),
    ("GET", "/v1/reviews/{id}/deliveries", "review"),
    ("PATCH", "/v1/reviews/{id}", "review"),
    ("POST", "/v1/reviews/{id}/reject", "review"),
    ("POST", "/v1/reviews/{id}/approve", "approve"),
    ("GET", "/v1/senders/{address}", "review"),
    ("GET", "/v1/keys", "admin"),
    ("POST", "/v1/keys", "admin"),
    ("DELETE", "/v1/keys/{key_id}", "admin"),
    ("POST", "/v1/analyze", None),
    ("POST", "/v1/drafts", None),
    ("POST", "/v1/check", None),
]


@pytest.fixture()
def secured(make_client):
    """A client with auth on, and a function making keys: `key('review', 'approve')`."""
    client = make_client(auth_disabled=False)

    def key(*scopes: str, name: str = "test") -> str:
        with client.app.state.db.write() as session:
            return auth.create_key(session, name, list(scopes))[1]

    return client, key


def _call(client, method: str, path: str, key: str | None = None, header: str = "bearer"):
    path = path.format(id=1, address="a@b.c", key_id="nokey")
    headers = {}
    if key is not None:
        headers = {"Authorization": f"Bearer {key}"} if header == "bearer" else {"X-API-Key": key}
    return client.request(method, path, headers=headers, json={})


def test_every_v1_endpoint_needs_a_key(secured) -> None:
    client, _ = secured
    routes = [
        (method.upper(), path)
        for path, operations in client.get("/openapi.json").json()["paths"].items()
        if path.startswith("/v1")
        for method in operations
    ]
    assert {(m, p.replace("{review_id}", "{id}")) for m, p in routes} >= {
        (m, p) for m, p, _ in SCOPED
    }
    for method, path in routes:
        response = _call(client, method, path.replace("{review_id}", "{id}"))
        assert response.status_code == 401, (method, path)
        assert response.headers["www-authenticate"] == "Bearer"
        assert "API key" in response.json()["detail"]
    assert client.get("/healthz").status_code == 200
    assert _call(client, "GET", "/v1/reviews", key="tk_not-a-real-key").status_code == 401
    assert _call(client, "GET", "/v1/reviews", key="garbage").status_code == 401


@pytest.mark.parametrize(("method", "path", "scope"), SCOPED)
def test_scopes(secured, method: str, path: str, scope: str | None) -> None:
    client, key = secured
    if scope is None:
        for any_scope in auth.SCOPES:
            response = _call(client, method, path, key(any_scope))
            assert response.status_code not in (401, 403), (any_scope, response.text)
        return
    for other in auth.SCOPES:
        if other in (scope, "admin"):
            continue
        response = _call(client, method, path, key(other))
        assert response.status_code == 403, (other, response.text)
        assert scope in response.json()["detail"]
    for header in ("bearer", "x-api-key"):
        for allowed in (scope, "admin"):
            response = _call(client, method, path, key(allowed), header)
            assert response.status_code not in (401, 403), (allowed, response.text)


def test_revoked_keys_stop_working(secured) -> None:
    client, key = secured
    admin, reviewer = key("admin"), key("review", name="reviewer")
    headers = {"Authorization": f"Bearer {reviewer}"}
    assert client.get("/v1/reviews", headers=headers).status_code == 200
    listed = client.get("/v1/keys", headers={"X-API-Key": admin}).json()
    target = next(k for k in listed if k["name"] == "reviewer")
    assert "key" not in target and target["revoked_at"] is None
    revoked = client.delete(f"/v1/keys/{target['id']}", headers={"X-API-Key": admin})
    assert revoked.status_code == 200 and revoked.json()["revoked_at"]
    assert client.get("/v1/reviews", headers=headers).status_code == 401
    assert client.delete("/v1/keys/nope", headers={"X-API-Key": admin}).status_code == 404


def test_keys_over_http(secured) -> None:
    client, key = secured
    admin = {"X-API-Key": key("admin")}
    created = client.post("/v1/keys", json={"name": "zendesk", "scopes": ["ingest"]}, headers=admin)
    assert created.status_code == 201
    new_key = created.json()["key"]
    assert new_key.startswith("tk_") and created.json()["prefix"] == new_key[:10]
    assert created.json()["scopes"] == ["ingest"]
    bad = client.post("/v1/keys", json={"name": "x", "scopes": ["root"]}, headers=admin)
    assert bad.status_code == 422
    ingest = {"Authorization": f"Bearer {new_key}"}
    sent = client.post(
        "/v1/messages", json={"body": CALM, "sent_at": LONG_AGO.isoformat()}, headers=ingest
    )
    assert sent.status_code == 201
    assert sent.json()["events"][0]["actor"] == "zendesk"
    assert client.get("/v1/reviews", headers=ingest).status_code == 403
    used = next(k for k in client.get("/v1/keys", headers=admin).json() if k["name"] == "zendesk")
    assert used["last_used_at"] is not None


def test_only_the_hash_is_stored(secured) -> None:
    client, key = secured
    secret = key("review")
    with client.app.state.db.read() as session:
        rows = session.query(ApiKey).all()
        columns = ("id", "prefix", "key_hash")
        dump = json.dumps([{c: str(getattr(r, c)) for c in columns} for r in rows])
    assert secret not in dump and auth.hash_key(secret) in dump
    assert auth.key_is_valid(client.app, secret)
    assert not auth.key_is_valid(client.app, secret + "x")


def test_actor_header_is_ignored_when_auth_is_on(secured) -> None:
    client, key = secured
    headers = {"X-API-Key": key("ingest", name="helpdesk"), "X-Tactful-Actor": "mallory"}
    created = client.post("/v1/messages", json={"body": CALM}, headers=headers)
    assert created.json()["events"][0]["actor"] == "helpdesk"


def test_second_pair_of_eyes_with_keys(make_client) -> None:
    client = make_client(auth_disabled=False, review_second_approver=True)
    with client.app.state.db.write() as session:
        alice = auth.create_key(session, "alice", ["review", "approve", "ingest"])[1]
        bob = auth.create_key(session, "bob", ["approve"])[1]
    as_alice, as_bob = {"X-API-Key": alice}, {"X-API-Key": bob}
    review_id = client.post(
        "/v1/messages", json={"body": CALM, "sent_at": LONG_AGO.isoformat()}, headers=as_alice
    ).json()["id"]
    client.patch(f"/v1/reviews/{review_id}", json={"body": "Thank you, noted."}, headers=as_alice)
    override = {"override": True, "reason": "short is fine"}
    refused = client.post(f"/v1/reviews/{review_id}/approve", json=override, headers=as_alice)
    assert refused.status_code == 409
    assert refused.json()["reasons"][0]["code"] == "second_approver_required"
    approved = client.post(f"/v1/reviews/{review_id}/approve", json=override, headers=as_bob)
    assert approved.status_code == 200 and approved.json()["decision"]["by"] == "bob"


def test_auth_off_only_on_loopback(make_client) -> None:
    exposed = make_client(auth_disabled=True, host="0.0.0.0")
    assert exposed.get("/v1/reviews").status_code == 401
    local = make_client(auth_disabled=True, host="127.0.0.1")
    assert local.get("/v1/reviews").status_code == 200
    assert auth.is_loopback("::1") and auth.is_loopback("localhost")
    assert not auth.is_loopback("192.168.1.4") and not auth.is_loopback("example.com")


def test_auth_off_ignores_connections_to_non_loopback_addresses(settings) -> None:
    """`tactful serve --host 0.0.0.0` with a loopback TACTFUL_HOST: remote peers need keys."""
    from fastapi import FastAPI

    app = FastAPI()
    app.state.settings = settings.model_copy(update={"auth_disabled": True})

    def request(server: tuple[str, int]) -> Request:
        scope = {"type": "http", "app": app, "server": server, "headers": [], "path": "/v1/x"}
        return Request(scope)

    assert auth.authenticate(request(("127.0.0.1", 8000))).name == "local"
    with pytest.raises(Exception) as refused:
        auth.authenticate(request(("10.1.2.3", 8000)))
    assert getattr(refused.value, "status_code", None) == 401


def test_cli_keys(db_url: str, monkeypatch) -> None:
    from app.cli import app as cli
    from app.config import get_settings

    monkeypatch.setenv("TACTFUL_DATABASE_URL", db_url)
    get_settings.cache_clear()
    try:
        runner = CliRunner()
        created = runner.invoke(
            cli,
            ["keys", "create", "--name", "desk", "--scope", "ingest,review", "--scope", "approve"],
        )
        assert created.exit_code == 0, created.output
        key = created.stdout.strip().splitlines()[0]
        assert key.startswith("tk_")
        listed = runner.invoke(cli, ["keys", "list", "--json"])
        rows = [json.loads(line) for line in listed.stdout.splitlines()]
        assert [(r["name"], r["scopes"]) for r in rows] == [
            ("desk", ["ingest", "review", "approve"])
        ]
        assert key not in listed.stdout
        assert runner.invoke(cli, ["keys", "list"]).stdout.count("desk") == 1
        bad = runner.invoke(cli, ["keys", "create", "--name", "x", "--scope", "root"])
        assert bad.exit_code == 2 and "unknown scope" in bad.output
        revoked = runner.invoke(cli, ["keys", "revoke", rows[0]["id"]])
        assert revoked.exit_code == 0
        assert json.loads(runner.invoke(cli, ["keys", "list", "--json"]).stdout)["revoked_at"]
        assert runner.invoke(cli, ["keys", "revoke", "nope"]).exit_code == 1
    finally:
        get_settings.cache_clear()
