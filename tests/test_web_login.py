"""The login of imbalance serve through its ASGI app, on a fake clock (no sleeping): a login
ends after 12 hours unused, 7 days after it began, and at "Log out"; wrong passwords are limited
per client address (429 saying when to try again; a right one resets the count), in bounded
memory."""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from expert.knowledge import KnowledgeBase
from expert.web.security import FAILURES, IDLE, LIFETIME, WINDOW, Logins, Throttle

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

PASSWORD = "correct horse"
HOUR = 3600.0


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def app(tiny_kb: KnowledgeBase, tmp_path: Path, clock: Clock) -> Any:
    from expert.store import open_store
    from expert.web.app import create_app

    return create_app(tiny_kb, open_store(f"sqlite:///{tmp_path / 'web.db'}"), PASSWORD,
                      clock=clock)


def visitor(app: Any, address: str = "192.0.2.10") -> TestClient:
    client = TestClient(app, raise_server_exceptions=False, follow_redirects=False,
                        client=(address, 50000))
    assert client.get("/login").status_code == 200  # the CSRF cookie
    return client


@pytest.fixture
def web(app: Any) -> Iterator[TestClient]:
    with visitor(app) as client:
        yield client


def log_in(client: TestClient, password: str = PASSWORD) -> Any:
    return client.post("/login", data={"csrf": client.cookies["imbalance_csrf"],
                                       "password": password})


def signed_in(client: TestClient) -> bool:
    r = client.get("/clients")
    assert r.status_code in (200, 303), r.status_code
    return r.status_code == 200


def test_a_login_ends_after_12_hours_unused(web: TestClient, clock: Clock) -> None:
    assert log_in(web).status_code == 303
    clock.now += IDLE - 60
    assert signed_in(web)  # a use: the idle time starts again
    clock.now += IDLE - 60
    assert signed_in(web)
    clock.now += IDLE
    r = web.get("/clients")
    assert r.status_code == 303 and r.headers["location"] == "/login?ended=expired"
    page = web.get(r.headers["location"]).text
    assert "Your login has ended (after 12 hours unused, or 7 days after logging in)" in page
    assert web.post("/clients", data={"csrf": web.cookies["imbalance_csrf"], "name": "x"}
                    ).status_code == 403


def test_a_login_ends_7_days_after_it_began_however_often_used(web: TestClient,
                                                              clock: Clock) -> None:
    assert log_in(web).status_code == 303
    began = clock.now
    while clock.now + 6 * HOUR < began + LIFETIME:
        clock.now += 6 * HOUR
        assert signed_in(web)
    clock.now = began + LIFETIME
    assert not signed_in(web)
    assert log_in(web).status_code == 303  # a new login starts a new week
    assert signed_in(web)


def test_log_out_ends_the_login_and_needs_the_csrf_token(web: TestClient) -> None:
    assert "Log out" not in web.get("/login").text  # not before a login
    assert log_in(web).status_code == 303
    page = web.get("/clients").text
    form = re.search(r'<form method="post" action="/logout".*?</form>', page, re.S)
    assert form and 'name="csrf"' in form.group(0) and "Log out" in form.group(0)
    token = web.cookies["imbalance_login"]
    assert web.post("/logout", data={"csrf": "forged"}).status_code == 403
    assert signed_in(web)
    r = web.post("/logout", data={"csrf": web.cookies["imbalance_csrf"]})
    assert r.status_code == 303 and r.headers["location"] == "/login?ended=logout"
    assert "Max-Age=0" in r.headers["set-cookie"]
    assert "You are logged out." in web.get(r.headers["location"]).text
    web.cookies.set("imbalance_login", token)  # the old cookie kept (or stolen) is void
    assert not signed_in(web)


def test_without_a_password_there_is_no_log_out(tiny_kb: KnowledgeBase,
                                                tmp_path: Path) -> None:
    from expert.store import open_store
    from expert.web.app import create_app

    app = create_app(tiny_kb, open_store(f"sqlite:///{tmp_path / 'web.db'}"))
    with TestClient(app) as client:
        page = client.get("/clients")
        assert page.status_code == 200 and "/logout" not in page.text


def test_wrong_passwords_are_limited_per_address(app: Any, web: TestClient,
                                                 clock: Clock) -> None:
    for _ in range(FAILURES):
        clock.now += 10
        r = log_in(web, "wrong password")
        assert r.status_code == 401 and "That password is not right." in r.text
    refused = log_in(web)  # even the right password waits
    assert refused.status_code == 429
    assert "Too many wrong passwords from this computer. Try again in 5 minutes." in \
        refused.text
    assert int(refused.headers["retry-after"]) == WINDOW - 40
    assert 'id="password"' in refused.text  # still the login page, its form labelled
    with visitor(app, "192.0.2.99") as other:  # another address is not held back
        assert log_in(other).status_code == 303
    clock.now += WINDOW - 50  # one wrong try aged out: one more try, then wait again
    assert "Try again in 1 minute." in log_in(web).text
    clock.now += 10
    assert log_in(web, "wrong again").status_code == 401
    assert log_in(web).status_code == 429
    clock.now += WINDOW
    assert log_in(web).status_code == 303
    assert signed_in(web)


def test_a_right_password_resets_the_count(web: TestClient, clock: Clock) -> None:
    for _ in range(FAILURES - 1):
        assert log_in(web, "wrong password").status_code == 401
    assert log_in(web).status_code == 303
    for _ in range(FAILURES - 1):
        assert log_in(web, "wrong password").status_code == 401
    assert log_in(web).status_code == 303


def test_a_flood_of_addresses_does_not_grow_memory_without_bound(clock: Clock) -> None:
    throttle = Throttle(clock, capacity=100)
    for n in range(5000):
        clock.now += 0.01
        throttle.failed(f"10.0.{n // 256}.{n % 256}")
    assert len(throttle.failures) == 100
    assert "10.0.19.135" in throttle.failures  # the latest kept, the oldest dropped
    assert "10.0.0.0" not in throttle.failures
    clock.now += WINDOW
    throttle.failed("192.0.2.1")  # the failures older than the window are forgotten
    assert list(throttle.failures) == ["192.0.2.1"]


def test_logins_are_bounded_and_the_least_recently_used_goes_first(clock: Clock,
                                                                   monkeypatch: Any) -> None:
    from expert.web import security

    monkeypatch.setattr(security, "MAX_LOGINS", 3)
    logins = Logins(PASSWORD, clock)
    tokens = []
    for _ in range(3):
        clock.now += 1
        tokens.append(logins.login(PASSWORD, "192.0.2.1"))
    clock.now += 1
    assert logins.valid(tokens[0])  # used again: now the second is the least recent
    assert logins.login(PASSWORD, "192.0.2.1") is not None
    assert len(logins.tokens) == 3
    assert [logins.valid(t) for t in tokens] == [True, False, True]
