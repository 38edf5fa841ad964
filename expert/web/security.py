"""What keeps the local web application safe: a login when it listens beyond this computer,
double-submit CSRF tokens on every POST, security headers (a CSP without inline scripts),
request size limits, and an error page that never shows a traceback (the detail goes to the
server log)."""

from __future__ import annotations

import hmac
import logging
import secrets
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

log = logging.getLogger("imbalance.serve")

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGI = Callable[[Scope, Receive, Send], Awaitable[None]]

CSRF_COOKIE = "imbalance_csrf"
LOGIN_COOKIE = "imbalance_login"
MAX_BODY = 64 * 1024  # every form of the application is far smaller
CSP = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
       "img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'self'; "
       "frame-ancestors 'none'")
HEADERS = [
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
    (b"x-frame-options", b"DENY"),
    (b"cache-control", b"no-store"),
]
LOOPBACK = ("127.0.0.1", "::1", "localhost")


def is_loopback(host: str) -> bool:
    return host in LOOPBACK or host.startswith("127.")


def allowed_hosts(host: str) -> list[str] | None:
    """The Host headers a server listening on ``host`` answers: on this computer only its
    loopback names (against DNS rebinding); on the network any (the login protects it)."""
    return [*LOOPBACK, "[::1]", host] if is_loopback(host) else None


def new_token() -> str:
    return secrets.token_urlsafe(32)


def same(a: str | None, b: str | None) -> bool:
    """Constant-time comparison of two tokens (False when either is missing)."""
    return bool(a) and bool(b) and hmac.compare_digest(str(a), str(b))


def cookie(name: str, value: str, max_age: int | None = None) -> str:
    """A Set-Cookie header value: HttpOnly, SameSite=Strict, path /."""
    age = f"; Max-Age={max_age}" if max_age is not None else ""
    return f"{name}={value}; Path=/; HttpOnly; SameSite=Strict{age}"


class Logins:
    """The login tokens handed out since the server started (kept in memory: a restart logs
    everyone out)."""

    def __init__(self, password: str | None) -> None:
        self.password = password
        self.tokens: set[str] = set()

    @property
    def required(self) -> bool:
        return self.password is not None

    def check(self, attempt: str) -> str | None:
        """A new login token for the right password, else None."""
        if self.password is None or not same(attempt, self.password):
            return None
        token = new_token()
        self.tokens.add(token)
        return token

    def valid(self, token: str | None) -> bool:
        return token is not None and any(same(token, t) for t in self.tokens)


class Guard:
    """ASGI middleware: security headers on every response, and bodies over ``MAX_BODY``
    refused with 413 (by Content-Length, or while a chunked body is read)."""

    def __init__(self, app: ASGI, max_body: int = MAX_BODY) -> None:
        self.app, self.max_body = app, max_body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        length = dict(scope.get("headers", [])).get(b"content-length")
        if length is not None and (not length.isdigit() or int(length) > self.max_body):
            await _too_large(send)
            return
        seen = 0
        started = False

        async def limited() -> Message:
            nonlocal seen
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > self.max_body:
                raise TooLarge
            return message

        async def headed(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                names = {k.lower() for k, _ in message.get("headers", [])}
                message["headers"] = list(message.get("headers", [])) + [
                    (k, v) for k, v in HEADERS if k not in names]
            await send(message)

        try:
            await self.app(scope, limited, headed)
        except TooLarge:
            if not started:
                await _too_large(send)


class TooLarge(Exception):
    pass


async def _too_large(send: Send) -> None:
    body = b"The request is too large."
    await send({"type": "http.response.start", "status": 413,
                "headers": [(b"content-type", b"text/plain; charset=utf-8"),
                            (b"content-length", str(len(body)).encode()), *HEADERS]})
    await send({"type": "http.response.body", "body": body})


class LoginGate:
    """ASGI middleware: when a password is set, every page but the login page and the static
    files needs a login cookie; without one, a GET is sent to the login page and anything
    else refused."""

    OPEN = ("/login", "/static/")

    def __init__(self, app: ASGI, logins: Logins) -> None:
        self.app, self.logins = app, logins

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not self.logins.required or \
                scope["path"].startswith(self.OPEN):
            await self.app(scope, receive, send)
            return
        from starlette.requests import Request
        from starlette.responses import PlainTextResponse, RedirectResponse

        if self.logins.valid(Request(scope).cookies.get(LOGIN_COOKIE)):
            await self.app(scope, receive, send)
            return
        response = (RedirectResponse("/login", status_code=303) if scope["method"] == "GET"
                    else PlainTextResponse("Log in first.", status_code=403))
        await response(scope, receive, send)
