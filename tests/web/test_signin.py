"""Signing in on the page with an API key: the HttpOnly session cookie and CSRF."""

from __future__ import annotations

from typing import Any

import pytest

from tests.web.conftest import LiveServer, create_key
from tests.web.helpers import Traffic, new_page, read_message

pytestmark = [pytest.mark.browser, pytest.mark.slow]

FETCH = """async ([path, token]) => {
    const headers = {"Content-Type": "application/json"};
    if (token !== null) headers["X-CSRF-Token"] = token;
    const r = await fetch(path, {method: "POST", headers, body: JSON.stringify({text: "Hello."})});
    return r.status;
}"""


def sign_in(page: Any, key: str) -> None:
    page.goto("/queue")
    assert page.url.endswith("/signin?next=/queue")
    page.get_by_label("API key").fill(key)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/queue")


def test_sign_in_session_cookie_and_csrf(browser: Any, live_auth: LiveServer) -> None:
    key = create_key(live_auth, "web reviewer", ["ingest", "review", "approve"])
    with new_page(browser, live_auth) as page:
        traffic = Traffic(page, live_auth)
        page.goto("/")
        assert "/signin" in page.url
        page.get_by_label("API key").fill("tk_not-a-real-key")
        page.get_by_role("button", name="Sign in").click()
        assert "was not accepted" in page.get_by_role("alert").inner_text()

        sign_in(page, key)
        page.locator("#queue-status").filter(has_text="Nothing here").wait_for()
        cookies = {c["name"]: c for c in page.context.cookies()}
        session = cookies["tactful_session"]
        assert session["httpOnly"] and session["sameSite"] == "Strict"
        assert cookies["tactful_csrf"]["httpOnly"]
        assert key not in page.evaluate("document.cookie")

        review = read_message(page, "You clowns broke the checkout AGAIN. Refund me now!!!")
        assert review["status"] == "pending"
        writes = [r for r in traffic.requests if "/v1/" in r["url"] and r["method"] != "GET"]
        assert writes and all(r["headers"].get("x-csrf-token") for r in writes)
        assert not any(key in repr(r["headers"]) for r in traffic.requests)

        token = page.locator("meta[name=csrf-token]").get_attribute("content")
        assert page.evaluate(FETCH, ["/v1/check", None]) == 403
        assert page.evaluate(FETCH, ["/v1/check", "forged"]) == 403
        assert page.evaluate(FETCH, ["/v1/check", token]) == 200

        page.get_by_role("button", name="Sign out").click()
        page.wait_for_url("**/signin")
        assert "tactful_session" not in {c["name"] for c in page.context.cookies()}
        page.goto("/queue")
        assert "/signin" in page.url
        assert not traffic.errors, traffic.errors


def test_a_key_without_ingest_reads_but_does_not_store(browser: Any, live_auth: LiveServer) -> None:
    key = create_key(live_auth, "read only", ["review"])
    with new_page(browser, live_auth) as page:
        sign_in(page, key)
        page.goto("/")
        page.get_by_role("textbox", name="Message plain text, or a whole raw email").fill(
            "Where is my invoice? I asked twice already."
        )
        with page.expect_response(lambda r: r.url.endswith("/v1/drafts")) as drafted:
            page.get_by_role("button", name="Read it").click()
        assert drafted.value.ok
        page.locator("#results").wait_for(state="visible")
        assert "not saved" in page.locator("#paste-status").inner_text()
        assert page.locator("#reply-body").input_value()
