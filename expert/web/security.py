"""What keeps the local web application safe: a login when it listens beyond this computer
(logins that expire, and a limit on wrong passwords per client address), double-submit CSRF
tokens on every POST, security headers (a CSP without inline scripts), request size limits,
and an error page that never shows a traceback (the detail goes to the server log)."""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
import time
from collections import OrderedDict, deque
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
SIGNED_IN = "imbalance.signed_in"  # set in the ASGI scope of a request with a valid login
IDLE = 12 * 3600  # a login not used for 12 hours ends ...
LIFETIME = 7 * 24 * 3600  # ... and any login ends 7 days after it began
MAX_LOGINS = 1000  # logins kept at most (the least recently used is dropped first)
FAILURES = 5  # this many wrong passwords from one address within WINDOW seconds ...
WINDOW = 5 * 60  # ... and that address waits until WINDOW after the first of them
ADDRESSES = 10_000  # addresses with recent failures kept at most (the oldest dropped first)
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
    """Constant-time comparison of two tokens (False when either is missing). As bytes:
    ``compare_digest`` raises TypeError on a str with a non-ASCII character (a typed password,
    a forged token)."""
    return bool(a) and bool(b) and hmac.compare_digest(str(a).encode(), str(b).encode())


def cookie(name: str, value: str, max_age: int | None = None) -> str:
    """A Set-Cookie header value: HttpOnly, SameSite=Strict, path /."""
    age = f"; Max-Age={max_age}" if max_age is not None else ""
    return f"{name}={value}; Path=/; HttpOnly; SameSite=Strict{age}"


Clock = Callable[[], float]


class TooManyTries(Exception):
    """Too many wrong passwords from one address: ``wait`` seconds before it may try again."""

    def __init__(self, wait: float) -> None:
        super().__init__(f"try again in {wait:.0f} s")
        self.wait = wait


class Throttle:
    """The wrong passwords per client address: after ``limit`` within ``window`` seconds, the
    address waits until ``window`` after the first of them (so at most ``limit`` tries per
    window). Memory is bounded: addresses whose last failure is older than the window are
    forgotten, and beyond ``capacity`` addresses the one that failed longest ago is."""

    def __init__(self, clock: Clock, limit: int = FAILURES, window: float = WINDOW,
                 capacity: int = ADDRESSES) -> None:
        self.clock, self.limit, self.window, self.capacity = clock, limit, window, capacity
        # address -> its last ``limit`` failure times; ordered by the last failure
        self.failures: OrderedDict[str, deque[float]] = OrderedDict()

    def wait(self, address: str) -> float:
        """Seconds before ``address`` may try again (0: now)."""
        now = self.clock()
        self._forget(now)
        times = self.failures.get(address)
        if times is None or len(times) < self.limit:
            return 0.0
        return max(0.0, times[0] + self.window - now)

    def failed(self, address: str) -> None:
        now = self.clock()
        self._forget(now)
        times = self.failures.pop(address, None) or deque(maxlen=self.limit)
        times.append(now)
        self.failures[address] = times  # now the last in the order
        while len(self.failures) > self.capacity:
            self.failures.popitem(last=False)

    def succeeded(self, address: str) -> None:
        self.failures.pop(address, None)

    def _forget(self, now: float) -> None:
        while self.failures:
            first = next(iter(self.failures.values()))
            if now - first[-1] < self.window:
                break
            self.failures.popitem(last=False)


class Logins:
    """The logins handed out since the server started, kept in memory (a restart logs everyone
    out): one ends when unused for ``idle`` seconds, ``lifetime`` seconds after it began, or at
    "Log out". Wrong passwords are throttled per client address. Used from the event loop only
    (never from a worker thread), so no lock."""

    def __init__(self, password: str | None, clock: Clock | None = None, idle: float = IDLE,
                 lifetime: float = LIFETIME) -> None:
        self.password = password
        self.clock = clock or time.monotonic
        self.idle, self.lifetime = idle, lifetime
        # the SHA-256 of each token -> (when it began, when it was last used); looking up a
        # digest tells a timing observer nothing about the token itself
        self.tokens: dict[str, tuple[float, float]] = {}
        self.throttle = Throttle(self.clock)

    @property
    def required(self) -> bool:
        return self.password is not None

    def login(self, attempt: str, address: str) -> str | None:
        """A new login token for the right password, else None (a failure counted against
        ``address``); raises TooManyTries while ``address`` must wait, whatever the password."""
        wait = self.throttle.wait(address)
        if wait > 0:
            raise TooManyTries(wait)
        if self.password is None or not same(attempt, self.password):
            self.throttle.failed(address)
            return None
        self.throttle.succeeded(address)
        now = self.clock()
        for key in [k for k, times in self.tokens.items() if not self._alive(times, now)]:
            del self.tokens[key]
        while len(self.tokens) >= MAX_LOGINS:
            del self.tokens[min(self.tokens, key=lambda k: self.tokens[k][1])]
        token = new_token()
        self.tokens[_digest(token)] = (now, now)
        return token

    def valid(self, token: str | None) -> bool:
        """Whether ``token`` is a login still running (its use counts: the idle time starts
        again)."""
        if not token:
            return False
        key, now = _digest(token), self.clock()
        times = self.tokens.get(key)
        if times is None:
            return False
        if not self._alive(times, now):
            del self.tokens[key]
            return False
        self.tokens[key] = (times[0], now)
        return True

    def logout(self, token: str | None) -> None:
        if token:
            self.tokens.pop(_digest(token), None)

    def _alive(self, times: tuple[float, float], now: float) -> bool:
        began, used = times
        return now - used < self.idle and now - began < self.lifetime


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


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
        if length is not None and (not length.isdigit() or len(length) > 12
                                   or int(length) > self.max_body):
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
    """ASGI middleware: when a password is set, every page but the login page, "Log out" and
    the static files needs a login cookie; without one, a GET is sent to the login page (saying
    the login ended when the cookie is one that did) and anything else refused."""

    OPEN = ("/login", "/logout", "/static/")

    def __init__(self, app: ASGI, logins: Logins) -> None:
        self.app, self.logins = app, logins

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not self.logins.required:
            await self.app(scope, receive, send)
            return
        from starlette.requests import Request
        from starlette.responses import PlainTextResponse, RedirectResponse

        token = Request(scope).cookies.get(LOGIN_COOKIE)
        if self.logins.valid(token):
            scope[SIGNED_IN] = True
            await self.app(scope, receive, send)
            return
        if scope["path"].startswith(self.OPEN):
            await self.app(scope, receive, send)
            return
        response = (RedirectResponse("/login?ended=expired" if token else "/login",
                                     status_code=303) if scope["method"] == "GET"
                    else PlainTextResponse("Log in first.", status_code=403))
        await response(scope, receive, send)
