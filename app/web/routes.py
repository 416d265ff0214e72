"""The web pages: paste and draft, the review queue, one review item, sign in and out.

The pages are server-rendered shells; their small scripts (`static/*.js`) call the JSON
API (`/v1/drafts`, `/v1/check`, `/v1/messages`, `/v1/reviews...`), so no pipeline or
review logic lives here. The only state-changing endpoints of this module are the
sign-in and sign-out forms, which check the CSRF token of their form field.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from jinja2 import Environment, FileSystemLoader, StrictUndefined

from app.auth import key_is_valid
from app.web.security import (
    CSRF_COOKIE,
    SESSION_COOKIE,
    new_token,
    tokens_match,
)

router = APIRouter(include_in_schema=False)

NO_STORE = {"cache-control": "no-store"}


def environment(templates_dir: Path) -> Environment:
    """The Jinja environment of the pages: HTML autoescaping always on."""
    env = Environment(
        loader=FileSystemLoader(str(templates_dir)),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    return env


def _settings(request: Request) -> Any:
    return request.app.state.settings


def _signed_in(request: Request) -> bool:
    return bool(_settings(request).auth_disabled or request.cookies.get(SESSION_COOKIE))


def _secure(request: Request) -> bool:
    return request.url.scheme == "https"


def _render(request: Request, name: str, status: int = 200, **context: Any) -> HTMLResponse:
    """Render a page with the shared context; set the CSRF cookie on first visit."""
    token = request.cookies.get(CSRF_COOKIE) or new_token()
    settings = _settings(request)
    env: Environment = request.app.state.web_templates
    html = env.get_template(f"web/{name}").render(
        csrf_token=token,
        auth_disabled=settings.auth_disabled,
        signed_in=_signed_in(request),
        path=request.url.path,
        **context,
    )
    response = HTMLResponse(html, status_code=status, headers=NO_STORE)
    if request.cookies.get(CSRF_COOKIE) != token:
        response.set_cookie(
            CSRF_COOKIE, token, httponly=True, samesite="strict", secure=_secure(request), path="/"
        )
    return response


def _need_sign_in(request: Request) -> RedirectResponse | None:
    if _signed_in(request):
        return None
    target = quote(request.url.path, safe="/")
    return RedirectResponse(f"/signin?next={target}", status_code=303, headers=NO_STORE)


def _safe_next(target: str | None) -> str:
    """Only local paths are followed after sign-in (no open redirect)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


@router.get("/favicon.ico")
def favicon() -> Response:
    """Browsers ask for /favicon.ico by themselves; the icon lives in /static."""
    return RedirectResponse("/static/favicon.svg", status_code=301)


@router.get("/", response_class=HTMLResponse)
def compose_page(request: Request) -> Response:
    """Paste a message, read the analysis, vent, edit the draft, wait, approve."""
    return _need_sign_in(request) or _render(request, "compose.html", title="Draft a reply")


@router.get("/queue", response_class=HTMLResponse)
def queue_page(request: Request) -> Response:
    """The review queue with its filters."""
    return _need_sign_in(request) or _render(request, "queue.html", title="Review queue")


@router.get("/queue/{item_id}", response_class=HTMLResponse)
def item_page(request: Request, item_id: str) -> Response:
    """One review item: the message, the draft editor, approve or reject, the audit trail."""
    return _need_sign_in(request) or _render(
        request, "item.html", title="Review item", item_id=item_id
    )


@router.get("/signin", response_class=HTMLResponse)
def signin_page(request: Request, next: str | None = None) -> Response:
    """The sign-in form: paste an API key once."""
    return _render(request, "signin.html", title="Sign in", next=_safe_next(next), error=None)


@router.post("/signin", response_class=HTMLResponse)
def signin(
    request: Request,
    api_key: Annotated[str, Form()],
    csrf_token: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "/",
) -> Response:
    """Check the key and keep it in the HttpOnly session cookie."""
    target = _safe_next(next)
    if not tokens_match(csrf_token, request.cookies.get(CSRF_COOKIE)):
        return _render(
            request,
            "signin.html",
            status=403,
            title="Sign in",
            next=target,
            error="The form expired. Please try again.",
        )
    key = api_key.strip()
    if not key or not key_is_valid(request.app, key):
        return _render(
            request,
            "signin.html",
            status=401,
            title="Sign in",
            next=target,
            error="That API key was not accepted.",
        )
    response = RedirectResponse(target, status_code=303, headers=NO_STORE)
    secure = _secure(request)
    response.set_cookie(SESSION_COOKIE, key, httponly=True, samesite="strict", secure=secure)
    response.set_cookie(CSRF_COOKIE, new_token(), httponly=True, samesite="strict", secure=secure)
    return response


@router.post("/signout")
def signout(request: Request, csrf_token: Annotated[str, Form()] = "") -> Response:
    """Forget the session cookie."""
    if not tokens_match(csrf_token, request.cookies.get(CSRF_COOKIE)):
        return Response("The form expired. Please reload the page.", status_code=403)
    response = RedirectResponse("/signin", status_code=303, headers=NO_STORE)
    response.delete_cookie(SESSION_COOKIE, path="/")
    response.delete_cookie(CSRF_COOKIE, path="/")
    return response
