"""The pages without a browser: headers, CSP, CSRF, escaping, sign-in redirects."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from app.main import create_app
from app.web.security import CSRF_COOKIE, cross_site


def test_pages_render_with_security_headers(client: TestClient) -> None:
    for path in ("/", "/queue", "/queue/some-id", "/signin"):
        response = client.get(path)
        assert response.status_code == 200, path
        csp = response.headers["content-security-policy"]
        assert "script-src 'self'" in csp and "default-src 'none'" in csp
        assert "frame-ancestors 'none'" in csp
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["cache-control"] == "no-store"
        assert "<script>" not in response.text  # only external, same-origin scripts
        assert 'src="http' not in response.text and 'href="http' not in response.text


def test_static_assets_are_served(client: TestClient) -> None:
    names = ["app.css", "favicon.svg", "lock.svg"]
    names += [f"{m}.js" for m in ("common", "compose", "editor", "analysis", "vent", "review")]
    names += ["queue.js", "item.js"]
    for name in names:
        assert client.get(f"/static/{name}").status_code == 200, name


def test_api_keeps_working_and_docs_have_no_strict_csp(client: TestClient) -> None:
    response = client.post("/v1/check", json={"text": "Thank you. I will call on Monday."})
    assert response.status_code == 200
    assert "content-security-policy" not in client.get("/docs").headers


def test_csrf_cookie_requires_the_header(client: TestClient) -> None:
    client.get("/")
    token = client.cookies.get(CSRF_COOKIE)
    assert token
    body = {"text": "Thank you. I will call on Monday."}
    assert client.post("/v1/check", json=body).status_code == 403
    wrong = client.post("/v1/check", json=body, headers={"X-CSRF-Token": "nope"})
    assert wrong.status_code == 403
    right = client.post("/v1/check", json=body, headers={"X-CSRF-Token": token})
    assert right.status_code == 200


def test_cross_site_writes_are_refused(client: TestClient) -> None:
    body = {"text": "Thank you. I will call on Monday."}
    evil = client.post("/v1/check", json=body, headers={"Origin": "https://evil.example"})
    assert evil.status_code == 403
    fetch = client.post("/v1/check", json=body, headers={"Sec-Fetch-Site": "cross-site"})
    assert fetch.status_code == 403
    same = client.post("/v1/check", json=body, headers={"Origin": "http://testserver"})
    assert same.status_code == 200


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({}, False),
        ({"origin": "http://a:1", "host": "a:1"}, False),
        ({"origin": "http://b:1", "host": "a:1"}, True),
        ({"origin": "null", "host": "a:1"}, False),
        ({"sec-fetch-site": "same-origin"}, False),
        ({"sec-fetch-site": "none"}, False),
        ({"sec-fetch-site": "same-site"}, True),
        ({"sec-fetch-site": "cross-site", "origin": "null"}, True),
        ({"sec-fetch-site": "same-origin", "origin": "http://b:1", "host": "a:1"}, False),
    ],
)
def test_cross_site(headers: dict[str, str], expected: bool) -> None:
    assert cross_site(headers) is expected


def test_signin_form_checks_csrf_and_next(client: TestClient) -> None:
    page = client.get("/signin?next=//evil.example/x")
    assert 'name="next" value="/"' in page.text
    refused = client.post("/signin", data={"api_key": "k", "csrf_token": "wrong"})
    assert refused.status_code == 403


def test_pages_need_sign_in_when_auth_is_on(settings, tactful) -> None:
    secured = settings.model_copy(update={"auth_disabled": False})
    with TestClient(create_app(secured, tactful=tactful)) as secured_client:
        response = secured_client.get("/queue", follow_redirects=False)
        assert response.status_code == 303
        assert response.headers["location"] == "/signin?next=/queue"
        assert secured_client.get("/signin").status_code == 200
