"""The login page and "Log out" of ``imbalance serve`` (asked for when it listens beyond this
computer): the password, too many wrong ones from one address (429, saying when to try again),
and the messages of a login that ended. The logins themselves are ``security.Logins``."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import Response

from .pages import checked_form, page, redirect
from .security import IDLE, LIFETIME, LOGIN_COOKIE, TooManyTries, cookie

if TYPE_CHECKING:
    from .app import Service

ENDED = {
    "expired": f"Your login has ended (after {IDLE // 3600} hours unused, or "
               f"{LIFETIME // 86400} days after logging in). Log in again.",
    "logout": "You are logged out.",
}


async def login(service: Service, env: Any, request: Request) -> Response:
    message = ENDED.get(request.query_params.get("ended", ""), "")
    status, headers = 200, {}
    if request.method == "POST":
        form = await checked_form(request)
        attempt = form.get("password")
        # the socket's peer (serve never trusts forwarded-for headers): behind a proxy, every
        # visitor shares the proxy's address and so its limit
        address = request.client.host if request.client else ""
        try:
            token = service.logins.login(attempt if isinstance(attempt, str) else "", address)
        except TooManyTries as exc:
            minutes = math.ceil(exc.wait / 60)
            status, headers = 429, {"retry-after": str(math.ceil(exc.wait))}
            message = (f"Too many wrong passwords from this computer. Try again in "
                       f"{minutes} minute{'s' if minutes != 1 else ''}.")
        else:
            if token is not None:
                signed = redirect("/clients")
                signed.headers.append("set-cookie", cookie(LOGIN_COOKIE, token))
                return signed
            status, message = 401, "That password is not right."
    response = page(env, request, "web_login.html.j2", status, title="Log in", message=message)
    response.headers.update(headers)
    return response


async def logout(service: Service, env: Any, request: Request) -> Response:
    await checked_form(request)
    service.logins.logout(request.cookies.get(LOGIN_COOKIE))
    response = redirect("/login?ended=logout")
    response.headers.append("set-cookie", cookie(LOGIN_COOKIE, "", max_age=0))
    return response
