"""Browser-facing security: headers and CSP, the sign-in session cookie, CSRF.

Pure ASGI middleware (no response buffering), installed by `app.web.install`.

- Every response gets `X-Content-Type-Options`, `Referrer-Policy`, `X-Frame-Options` and
  a strict Content-Security-Policy (everything from 'self'; no inline script or style),
  except the OpenAPI docs pages, which load Swagger UI from a CDN.
- A person who signs in on the web page has their API key kept in the HttpOnly,
  SameSite=Strict cookie `tactful_session`. When a request carries that cookie and no
  API key of its own, the middleware hands the key to the API as an `X-API-Key` header,
  so `app/auth.py` sees it exactly like any other client's key.
- CSRF (double submit): the page gets a random token in the `tactful_csrf` cookie
  (HttpOnly, SameSite=Strict) and in a `<meta>` tag; a state-changing request that
  carries either cookie (and no API key of its own) must repeat the token in the
  `X-CSRF-Token` header (the page's JS does) or, for the sign-in forms, in a
  `csrf_token` form field (checked by the route).
- A state-changing request whose `Sec-Fetch-Site` (or, without it, `Origin`) says it
  came from another site is refused outright, which also covers the cookie-less
  loopback mode (`auth_disabled`).
"""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Awaitable, Callable, MutableMapping
from http.cookies import SimpleCookie
from typing import Any
from urllib.parse import urlsplit

SESSION_COOKIE = "tactful_session"
CSRF_COOKIE = "tactful_csrf"
CSRF_HEADER = "x-csrf-token"
CSRF_FIELD = "csrf_token"
API_KEY_HEADER = "x-api-key"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
FORM_PATHS = frozenset({"/signin", "/signout"})
"""Web form endpoints that check the CSRF token in a form field themselves."""
DOCS_PATHS = ("/docs", "/redoc")

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "manifest-src 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
    ]
)
SECURITY_HEADERS: tuple[tuple[bytes, bytes], ...] = (
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
    (b"x-frame-options", b"DENY"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"cross-origin-resource-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=(), payment=()"),
)

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


def new_token() -> str:
    """A fresh random token (CSRF)."""
    return secrets.token_urlsafe(32)


def tokens_match(a: str | None, b: str | None) -> bool:
    """Constant-time comparison of two tokens; False when either is missing."""
    return bool(a) and bool(b) and hmac.compare_digest(str(a), str(b))


def _headers(scope: Scope) -> dict[str, str]:
    return {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}


def _cookies(headers: dict[str, str]) -> dict[str, str]:
    jar: SimpleCookie = SimpleCookie()
    try:
        jar.load(headers.get("cookie", ""))
    except Exception:  # a malformed Cookie header is treated as no cookies
        return {}
    return {name: morsel.value for name, morsel in jar.items()}


def cross_site(headers: dict[str, str]) -> bool:
    """True when the browser says the request came from another site or origin.

    `Sec-Fetch-Site` decides when present (every current browser sends it); otherwise a
    real `Origin` must match `Host`. `Origin: null` (privacy-sensitive contexts) proves
    nothing either way and is left to the CSRF token.
    """
    site = headers.get("sec-fetch-site")
    if site:
        return site not in ("same-origin", "none")
    origin = headers.get("origin")
    if not origin or origin == "null":
        return False
    return urlsplit(origin).netloc.lower() != headers.get("host", "").lower()


async def _refuse(send: Send, status: int, detail: str) -> None:
    body = ('{"detail": "' + detail + '"}').encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                *SECURITY_HEADERS,
                (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


class SecurityHeaders:
    """Add the security headers and the CSP to every HTTP response."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        with_csp = not str(scope.get("path", "")).startswith(DOCS_PATHS)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {k.lower() for k, _ in headers}
                headers += [(k, v) for k, v in SECURITY_HEADERS if k not in present]
                if with_csp and b"content-security-policy" not in present:
                    headers.append((b"content-security-policy", CONTENT_SECURITY_POLICY.encode()))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)


class SessionCsrf:
    """Refuse cross-site writes, check the CSRF token, turn the session cookie into a key."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = _headers(scope)
        method = scope.get("method", "GET").upper()
        unsafe = method not in SAFE_METHODS
        if unsafe and cross_site(headers):
            await _refuse(send, 403, "cross-site request refused")
            return
        cookies = _cookies(headers)
        session = cookies.get(SESSION_COOKIE)
        own_key = API_KEY_HEADER in headers or "authorization" in headers
        uses_cookies = not own_key and (session is not None or CSRF_COOKIE in cookies)
        if (
            unsafe
            and uses_cookies
            and scope.get("path") not in FORM_PATHS
            and not tokens_match(headers.get(CSRF_HEADER), cookies.get(CSRF_COOKIE))
        ):
            await _refuse(send, 403, "missing or wrong CSRF token; reload the page")
            return
        if session and not own_key:
            scope = dict(scope)
            scope["headers"] = [
                *scope["headers"],
                (API_KEY_HEADER.encode(), session.encode("latin-1", "replace")),
            ]
        await self.app(scope, receive, send)
