"""imbalance serve never answers bad input with a 500: every route of the app (enumerated from
the app itself, so a new route is fuzzed too) is sent random requests drawn by hypothesis
(derandomized: the same ones on every run) through the ASGI client on the tiny fixture knowledge
base, by a visitor with a finished assessment and a consultation in progress: path numbers
valid, unknown, zero, negative and huge; GETs with random query strings (repeated keys, empty
values, unicode, control characters, markup, very long values, real observation ids with junk
values); POSTs with random form fields, with the right CSRF token (so the handlers are reached)
and without, random Content-Types and bodies that are not forms; forged cookies; other methods.
Every answer must be a page or a friendly 4xx: never a 500, never a traceback or a Python
exception's name in the body, the CSP header on every HTML response, and nothing logged as an
error by the server ("imbalance.serve"). The same with a password (the login and "Log out",
signed in and not), and the explanations on the real knowledge base. A regression test pins
each 500 the fuzz found."""

from __future__ import annotations

import builtins
import logging
import random
import re
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from expert.knowledge import KnowledgeBase
from expert.web.security import CSRF_COOKIE

from .test_web import add_client, answer_for, csrf, form_of, make_client, run_through, start

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

PASSWORD = "correct horse"
# what a page may answer: a page, a redirect (307: a slash added, as to /static), "no content"
# (the icon), or a friendly 4xx
FRIENDLY = {200, 204, 303, 304, 307, 400, 401, 403, 404, 405, 409, 413, 422, 429}
EXCEPTIONS = sorted(n for n in dir(builtins)
                    if n.endswith(("Error", "Exception")) and n != "Exception")
LEAK = re.compile(r"Traceback \(most recent call last\)|\b(?:" + "|".join(EXCEPTIONS) +
                  r"|sqlalchemy|starlette\.|pydantic_core)\b")
HUGE = str(10 ** 30)
# a finished consultation with findings on the tiny knowledge base (a tilt: the crossed pattern;
# carrying on the left: the left upper trapezius)
FINDINGS = {"tilt": "yes", "carry": "left"}


@dataclass
class Site:
    web: TestClient
    done: int  # a client with assessment 1, which has findings
    open: int  # a client with a consultation in progress
    kb: KnowledgeBase


def routes(app: Any) -> list[tuple[str, set[str]]]:
    """(path template, methods) of every route of the app ``create_app`` wraps (the
    middlewares are peeled off), a mount as its path."""
    inner = app
    while not hasattr(inner, "routes"):
        inner = inner.app
    out = []
    for route in inner.routes:
        methods = set(getattr(route, "methods", None) or {"GET"})
        out.append((route.path, methods - {"HEAD"}))
    return out


@pytest.fixture(scope="module")
def site(tiny_kb: KnowledgeBase, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    with make_client(tiny_kb, tmp_path_factory.mktemp("fuzz")) as web:
        web.get("/clients")  # the CSRF cookie
        done = add_client(web, "Done Client")
        start(web, done, "trainer")
        assert "/assessments/1" in str(run_through(web, done, FINDINGS).url)
        start(web, done, "self")  # a second assessment, for the comparison
        assert "/assessments/2" in str(run_through(web, done, {"sitting": "yes"}).url)
        ident = add_client(web, "Open Client")
        start(web, ident, "trainer")
        for _ in range(2):  # two answers, for changing an answer
            page = web.get(f"/clients/{ident}/consultation").text
            q = form_of(page)
            web.post(f"/clients/{ident}/consultation/answer",
                     data={"csrf": csrf(web), **answer_for(q, {})})
        web.follow_redirects = False
        yield Site(web, done, ident, tiny_kb)


class Draws(random.Random):
    """The choices the request makers take: a random source seeded by hypothesis (with the
    route, so each route gets requests of its own), and text values hypothesis makes itself
    (control, combining, wide and right-to-left characters), which it shrinks when a request
    fails. Hypothesis's own ``randoms()`` leans so far to the first of the choices offered
    that most of a list stays untried in a few hundred requests."""

    def __init__(self, data: st.DataObject, salt: str) -> None:
        super().__init__(f"{salt}|{data.draw(st.integers(0, 2 ** 64), label='seed')}")
        self.data = data

    def text(self) -> str:
        return str(self.data.draw(st.text(max_size=20)))


def junk(rng: Draws, kb: KnowledgeBase) -> str:
    """A value a hostile or careless request might carry."""
    pool = ["", " ", "<script>alert(1)</script>", "\x00", "\x1b[31mred", "\r\nX-Header: 1",
            "é", "💪🏽", "\u202egnp.exe", "\uffff", "a" * rng.choice((300, 5000)),
            "-1", "0", "1", "2", "1e9", "9" * 5000, "²", "٣٠", "１９８４", "3²", "NaN", HUGE,
            "-" + HUGE, "1.5", " 7 ", "0x10",
            "../../etc/passwd", "%00", "%ZZ", "yes", "no", "unknown", "left", "right", "both",
            "Yes", "difference", "given", "unsaid", "overactive", "underactive", "self",
            "trainer", "picked", "none", "?", "hip_flexor", "hip flexor", "glute", "core_mid",
            *kb.questions, *kb.muscles, *kb.groups, *kb.equipment]
    value = rng.choice(pool)
    if rng.random() < 0.3:  # any text hypothesis makes: control, combining, wide characters
        value += rng.text()
    return value


def keys(kb: KnowledgeBase) -> list[str]:
    """The query and form names the pages read, the observations', and some they do not."""
    return ["q", "ended", "changed", "muscle", "state", "side", "before", "after", "add",
            "add_side", "part", "subject.age", "subject.equipment", "subject.weeks", "subject.sex",
            "csrf", "version", "answer", "pick", "number", "certainty", "confirm", "mode",
            "name", "birth_year", "password", "", "x", "__proto__", "a[]", "<b>",
            *kb.questions, *(f"subject.{f}" for f in kb.refinements)]


# the names each page reads, drawn more often on its route so the handlers' checks are reached
READS = {"what-if": ["add", "add_side", "part", "subject.age", "subject.equipment"],
         "why-not": ["muscle", "state", "side"], "compare": ["before", "after"],
         "consultation": ["changed"], "login": ["ended"], "clients": ["q"]}


def query(rng: Draws, kb: KnowledgeBase, path: str = "", sane: float = 0.35) -> str:
    """A random query string for ``path``: repeated keys, empty values, broken escapes; or
    (``sane`` of the time) the page's own names with values they could well have."""
    own = [k for word, names in READS.items() if word in path for k in names]
    if "what-if" in path:
        own += [*kb.questions, *(f"subject.{f}" for f in kb.refinements)]
    if own and rng.random() < sane:  # right names with right values: the page itself is made
        named = [*READS[next(w for w in READS if w in path)],
                 *rng.sample(own, min(len(own), rng.randrange(0, 3)))]
        pairs = [(k, sensible(rng, kb, k)) for k in named if rng.random() < 0.9]
        if any(k == "subject.equipment" for k, _ in pairs):  # the ids at hand follow "given"
            pairs += [("subject.equipment", e) for e in kb.equipment if rng.random() < 0.3]
        return "&".join(f"{quote(k, safe='')}={quote(v, safe='')}" for k, v in pairs)
    parts = []
    for _ in range(rng.randrange(0, 8)):
        chance = rng.random()
        key = (rng.choice(own) if own and chance < 0.6 else
               rng.choice(keys(kb)) if chance < 0.9 else junk(rng, kb))
        parts.append(f"{quote(key, safe='')}={quote(junk(rng, kb), safe='')}")
        if rng.random() < 0.1:
            parts.append(rng.choice(["&", "=", "==", "%", "%FF%FE=%C3%28", "a=b=c",
                                    quote(key, safe="")]))
    return "&".join(parts)


def sensible(rng: Draws, kb: KnowledgeBase, key: str) -> str:
    """A value ``key`` could well have."""
    if key in kb.questions:
        return rng.choice(["yes", "no", "unknown", *(("left", "both") if
                                                      kb.questions[key].sided else ())])
    return rng.choice({
        "muscle": [*kb.muscles, *kb.groups, *(kb.name(m) for m in kb.muscles), "hamstring"],
        "state": ["", "overactive", "underactive"], "side": ["", "left", "right", "both"],
        "before": ["1", "2"], "after": ["2", "1"], "changed": ["1", "2", "0"],
        "add": list(kb.questions),
        "add_side": ["yes", "left", "both"], "part": ["", "difference"],
        "subject.age": ["", "30", "70", "15"], "subject.pregnancy_weeks": ["", "0", "12", "30"],
        "subject.equipment": ["given", "given", "unsaid"],
    }.get(key, ["", "1", "yes"]))


def path_of(rng: Draws, site: Site, template: str) -> str:
    """The route's path with its numbers filled in: mostly ones that exist (the finished
    assessment's client, its number and findings; the consultation's client and its answers),
    else unknown, zero, negative or huge."""
    real = {"client": site.open if "/consultation" in template else site.done,
            "number": rng.choice([1, 2, 3]) if "/change/" in template else 1,
            "finding": rng.choice([1, 2, 3])}
    numbers = {"client": [site.done, site.open, 999, 0, -1, HUGE, 2 ** 63],
               "number": [1, 2, 0, -3, 999, HUGE, 2 ** 63, 2 ** 64],
               "finding": [1, 2, 0, 77, HUGE]}
    valid = rng.random() < 0.7
    return re.sub(r"\{(\w+)(?::\w+)?\}",
                  lambda m: str(real.get(m.group(1), 1) if valid else
                                rng.choice(numbers.get(m.group(1), [1]))), template)


def form(rng: Draws, site: Site, token: str | None) -> list[tuple[str, str]]:
    """Random form fields, with ``token`` as the CSRF field when given."""
    fields = [(rng.choice(keys(site.kb)), junk(rng, site.kb))
              for _ in range(rng.randrange(0, 8))]
    if token is not None:
        fields.append(("csrf", token))
    if rng.random() < 0.5:  # the page's real version, so the answer itself is read
        page = site.web.get(f"/clients/{site.open}/consultation").text
        found = re.search(r'name="version" value="([^"]+)"', page)
        if found:
            fields.append(("version", found.group(1)))
    rng.shuffle(fields)
    return fields


def body(rng: Draws, fields: list[tuple[str, str]]) -> tuple[bytes, str | None]:
    """A body and its Content-Type: the form, or something that is not one."""
    encoded = "&".join(f"{quote(k, safe='')}={quote(v, safe='')}" for k, v in fields).encode()
    kind = rng.randrange(10)
    if kind < 5:
        return encoded, "application/x-www-form-urlencoded"
    if kind == 5:
        return encoded + b"&%FF%FE=%C3%28&&=", rng.choice([
            "application/x-www-form-urlencoded; charset=latin-1", None, "text/plain"])
    if kind == 6:
        return b'{"csrf": "x", "answer": "yes"}', "application/json"
    if kind == 7:
        return (b"--xyz\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n"
                + encoded[:40] + b"\r\n--xyz--\r\n"), rng.choice([
                    "multipart/form-data; boundary=xyz", "multipart/form-data",
                    "multipart/form-data; boundary=", "multipart/mixed; boundary=xyz"])
    if kind == 8:
        return (b"--b\r\nContent-Disposition: form-data; name=\"pick\"; filename=\"a.txt\"\r\n"
                b"Content-Type: text/plain\r\n\r\nhello\r\n--b--\r\n",
                "multipart/form-data; boundary=b")
    return bytes(rng.randrange(256) for _ in range(rng.randrange(0, 300))), rng.choice([
        "application/octet-stream", "application/x-www-form-urlencoded", "", "x/y; a=\"\""])


def cookies(rng: Draws, site: Site) -> dict[str, str]:
    """Now and then a Cookie header of its own: a forged or broken CSRF or login cookie (the
    visitor's own cookies otherwise)."""
    if rng.random() > 0.1:
        return {}
    token = site.web.cookies[CSRF_COOKIE]
    return {"cookie": rng.choice([
        f"{CSRF_COOKIE}=", f"{CSRF_COOKIE}=%C3%A9t%FF", f"{CSRF_COOKIE}={token}; "
        f"{CSRF_COOKIE}=other", "imbalance_login=x" * 50, '=; ;;="', f"{CSRF_COOKIE}=\"a,b\"",
        f"{CSRF_COOKIE}={token}; imbalance_login={'z' * 4000}"])}


def send(web: TestClient, method: str, url: str, headers: dict[str, str], **kw: Any) -> Any:
    """A request; after one with a Cookie header of its own (forged), the visitor's cookies
    are put back as they were (the server answers it with a new CSRF cookie, which the client
    would otherwise keep instead of the token the forms carry)."""
    kept = {name: web.cookies.get(name) for name in (CSRF_COOKIE, "imbalance_login")}
    response = web.request(method, url, headers=headers, **kw)
    if "cookie" in headers:
        web.cookies.clear()
        for name, value in kept.items():
            if value:
                web.cookies.set(name, value)
    return response


def check(response: Any, what: str) -> None:
    """What every answer must be: friendly, no leak, CSP on HTML."""
    status, text = response.status_code, response.text
    assert status in FRIENDLY, f"{what}: {status}\n{text[:1500]}"
    leak = LEAK.search(text)
    assert leak is None, f"{what}: the body shows {leak.group(0)!r}\n{text[:1500]}"
    if response.headers.get("content-type", "").startswith("text/html"):
        assert "default-src 'self'" in response.headers.get("content-security-policy", ""), what
    if status in (303, 307):
        assert response.headers["location"].startswith(("/", "http://testserver/")), what


def signed_in(web: TestClient) -> bool:
    return web.get("/clients").status_code == 200


def log_in(web: TestClient, token: str) -> None:
    response = web.post("/login", data={"csrf": token, "password": PASSWORD})
    assert response.status_code == 303
    web.cookies.set("imbalance_login", response.cookies["imbalance_login"])


def no_errors_logged(caplog: pytest.LogCaptureFixture) -> None:
    errors = [r for r in caplog.records
              if r.name.startswith("imbalance.serve") and r.levelno >= logging.ERROR]
    assert not errors, "\n".join(f"{r.getMessage()}: {r.exc_info and r.exc_info[1]!r}"
                                 for r in errors)


SLOW = ".pdf"  # printing a PDF takes a good part of a second: a few, then the HTML sheet


def fuzz(examples: int, one: Callable[[Draws], None], salt: str = "") -> None:
    """Call ``one`` for ``examples`` requests drawn by hypothesis, derandomized: the same
    requests on every run."""
    @settings(max_examples=examples, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    @given(st.data())
    def run(data: st.DataObject) -> None:
        one(Draws(data, salt))
    run()


def test_every_get_route_answers_random_queries_without_a_500(
        site: Site, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.ERROR, logger="imbalance.serve")
    templates = [t for t, methods in routes(site.web.app) if "GET" in methods]
    assert any("what-if" in t for t in templates) and any("why-not" in t for t in templates)
    templates.append("/static/{junk}")
    printed = [0]

    def one(template: str, rng: Draws) -> None:
        if template.endswith(SLOW):
            printed[0] += 1
            if printed[0] > 3:
                template = template.removesuffix(SLOW)
        path = path_of(rng, site, template).replace("{junk}", quote(junk(rng, site.kb)))
        if rng.random() < 0.08:  # a path of no route: doubled or trailing slashes, escapes
            path = rng.choice([path + "/", path.replace("/", "//"), path + "/..%2F..",
                               path + "%FF%00", path + "/" + "x" * 5000, path.upper()])
        url = f"{path}?{query(rng, site.kb, path)}"
        method = "HEAD" if rng.random() < 0.05 else "GET"
        check(send(site.web, method, url, cookies(rng, site)), f"{method} {url[:300]}")
    for template in templates:
        fuzz(18, partial(one, template), template)
    no_errors_logged(caplog)


def test_every_post_route_answers_random_forms_without_a_500(
        site: Site, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.ERROR, logger="imbalance.serve")
    token = site.web.cookies[CSRF_COOKIE]
    templates = routes(site.web.app)

    def one(template: str, methods: set[str], rng: Draws) -> None:
        path = path_of(rng, site, template)
        sent = rng.choice([token] * 6 + [None, "wrong", ""])
        content, kind = body(rng, form(rng, site, sent))
        method = "POST" if "POST" in methods or rng.random() < 0.3 else \
            rng.choice(["PUT", "DELETE", "PATCH"])
        headers = {**cookies(rng, site), **({} if kind is None else {"content-type": kind})}
        response = send(site.web, method, path, headers, content=content)
        check(response, f"{method} {path} {kind} {content[:200]!r}")
        if method != "POST":
            assert response.status_code in (307, 404, 405), f"{method} {path}"
    for template, methods in templates:
        fuzz(18, partial(one, template, methods), template)
    no_errors_logged(caplog)


def test_posts_without_the_csrf_token_are_refused_whatever_the_body(
        site: Site, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.ERROR, logger="imbalance.serve")
    posts = [t for t, methods in routes(site.web.app) if "POST" in methods]

    def one(rng: Draws) -> None:
        path = path_of(rng, site, rng.choice(posts))
        content, kind = body(rng, form(rng, site, None))
        response = site.web.post(path, content=content, headers={"content-type": kind or ""})
        check(response, f"POST {path}")
        assert response.status_code in (400, 403, 404, 413), f"POST {path} without a token"
    fuzz(60, one)
    no_errors_logged(caplog)


def test_too_many_fields_or_a_file_are_refused(site: Site,
                                                caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.ERROR, logger="imbalance.serve")
    token = site.web.cookies[CSRF_COOKIE]
    many = {"csrf": token, "pick": [str(n) for n in range(300)]}
    response = site.web.post(f"/clients/{site.open}/consultation/answer", data=many)
    check(response, "300 fields")
    assert response.status_code == 400 and "could not be read" in response.text
    response = site.web.post("/clients", data={"csrf": token, "name": "Al"},
                             files={"photo": ("a.txt", b"hello", "text/plain")})
    check(response, "a file")
    assert response.status_code == 400 and "send it again" in response.text
    response = site.web.request("PUT", "/clients")
    check(response, "PUT /clients")
    assert response.status_code == 405 and "does not take a PUT" in response.text
    no_errors_logged(caplog)


def test_with_a_password_login_logout_and_every_route_stay_friendly(
        tiny_kb: KnowledgeBase, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.ERROR, logger="imbalance.serve")
    with make_client(tiny_kb, tmp_path, password=PASSWORD) as web:
        web.follow_redirects = False
        web.get("/login")
        token = web.cookies[CSRF_COOKIE]
        log_in(web, token)
        ident = add_client(web, "Pat")
        site = Site(web, ident, ident, tiny_kb)
        templates = routes(web.app)

        def one(rng: Draws) -> None:
            # draws never depend on the server's answers (hypothesis replays them)
            if rng.random() < 0.75:
                if not signed_in(web):
                    log_in(web, token)
            else:  # as a stranger
                web.cookies.delete("imbalance_login")
            template, methods = rng.choice(templates)
            path = rng.choice(["/login", "/logout"]) if rng.random() < 0.3 else \
                path_of(rng, site, template)
            if ("POST" in methods and rng.random() < 0.6) or path == "/logout":
                fields = [("password", junk(rng, tiny_kb)), *form(rng, site, token)]
                if rng.random() < 0.3:
                    fields = [("password", PASSWORD), ("csrf", token)]
                content, kind = body(rng, fields)
                response = web.post(path, content=content,
                                    headers={"content-type": kind or ""})
            else:
                response = web.get(f"{path}?{query(rng, tiny_kb, path)}")
            check(response, f"{path} (with a password)")
        fuzz(100, one)
    no_errors_logged(caplog)


def test_the_explanations_on_the_real_knowledge_base_stay_friendly(
        real_kb: KnowledgeBase, real: Any, tmp_path: Path,
        caplog: pytest.LogCaptureFixture) -> None:
    """The what-if, why-not, comparison and pictures where the tiny knowledge base has nothing
    to vary: the real one's sided questions, red flags, the weeks of a pregnancy, the equipment
    and group findings (seed A kept twice, in trainer words)."""
    from expert.case import load_case
    from expert.store import open_store
    from expert.web.app import create_app

    from .test_web_whatif import SEED as SEED_A_FILE
    from .test_web_whatif import keep

    caplog.set_level(logging.ERROR, logger="imbalance.serve")
    store = open_store(f"sqlite:///{tmp_path / 'web.db'}")
    case = load_case(SEED_A_FILE, real_kb)
    keep(store, real_kb, real, case)
    store.store_assessment(1, case, store.assessment(1, 1).report, None,
                           store.assessment(1, 1).date, "self")
    with TestClient(create_app(real_kb, store), raise_server_exceptions=False,
                    follow_redirects=False) as web:
        site = Site(web, 1, 1, real_kb)
        results = "/clients/1/assessments/{number}"
        pages = [f"{results}/what-if", f"{results}/why-not", "/clients/1/compare",
                 f"{results}/findings/{{finding}}.svg"]

        def one(rng: Draws) -> None:
            path = path_of(rng, site, rng.choice(pages))
            url = f"{path}?{query(rng, real_kb, path, sane=0.6)}"
            check(web.get(url), f"GET {url[:300]}")
        fuzz(120, one)
    no_errors_logged(caplog)


# -- what the fuzz found ------------------------------------------------------------------------
@pytest.mark.parametrize("path", [
    f"/clients/{HUGE}", f"/clients/{2 ** 63}", f"/clients/{HUGE}/progress",
    f"/clients/{HUGE}/consultation", f"/clients/1/assessments/{HUGE}",
    f"/clients/1/assessments/{2 ** 63}/sheet", f"/clients/1/assessments/1/findings/{HUGE}.svg",
    f"/clients/{HUGE}/consultation/change/1"])
def test_a_number_too_big_for_any_record_is_no_such_page(
        site: Site, path: str, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.ERROR, logger="imbalance.serve")
    response = site.web.get(path)
    check(response, path)
    assert response.status_code == 404
    assert "There is no such page" in response.text
    no_errors_logged(caplog)


@pytest.mark.parametrize(("method", "path"), [
    ("GET", "/clients/999/consultation"), ("POST", "/clients/999/consultation"),
    ("POST", "/clients/999/consultation/answer"), ("POST", "/clients/999/consultation/back"),
    ("GET", "/clients/999/consultation/change/1"),
    ("POST", "/clients/999/consultation/change/1")])
def test_the_consultation_of_an_unknown_client_is_no_such_page(
        site: Site, method: str, path: str, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.ERROR, logger="imbalance.serve")
    response = site.web.request(method, path, data={
        "csrf": site.web.cookies[CSRF_COOKIE], "mode": "self", "answer": "no"})
    check(response, path)
    assert response.status_code == 404
    no_errors_logged(caplog)


def test_a_token_with_a_character_beyond_ascii_is_refused_not_a_crash(
        site: Site, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.ERROR, logger="imbalance.serve")
    response = site.web.post("/clients", data={"csrf": "jéton", "name": "Al"})
    check(response, "POST /clients")
    assert response.status_code == 403
    no_errors_logged(caplog)


def test_a_password_with_a_character_beyond_ascii_is_just_wrong(
        tiny_kb: KnowledgeBase, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.ERROR, logger="imbalance.serve")
    with make_client(tiny_kb, tmp_path, password=PASSWORD) as web:
        web.get("/login")
        response = web.post("/login", data={"csrf": web.cookies[CSRF_COOKIE],
                                            "password": "pässwörd"})
        check(response, "POST /login")
        assert response.status_code == 401 and "not right" in response.text
    no_errors_logged(caplog)


# "²" passes str.isdigit() but not int(); int() refuses more than 4,300 digits
NOT_NUMBERS = ["²", "3²", "9" * 5000]


@pytest.mark.parametrize("value", NOT_NUMBERS)
def test_numbers_in_queries_and_forms_that_int_refuses_are_a_friendly_422(
        site: Site, value: str, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.ERROR, logger="imbalance.serve")
    results = f"/clients/{site.done}/assessments/1"
    for path, said in ((f"/clients/{site.done}/compare?before={quote(value)}&after=1",
                        "before and after are assessment numbers"),
                       (f"{results}/what-if?subject.age={quote(value)}",
                        "give a whole number")):
        response = site.web.get(path)
        check(response, path)
        assert response.status_code == 422 and said in response.text, path
    response = site.web.post("/clients", data={"csrf": site.web.cookies[CSRF_COOKIE],
                                               "name": "Al", "birth_year": value})
    check(response, "POST /clients")
    assert response.status_code == 422 and "birth year is a year" in response.text
    response = site.web.get(f"/clients/{site.open}/consultation?changed={quote(value)}")
    check(response, "GET consultation?changed")
    assert response.status_code == 200
    no_errors_logged(caplog)


@pytest.mark.parametrize("value", NOT_NUMBERS)
def test_an_age_or_weeks_answer_that_int_refuses_is_a_bad_answer(value: str) -> None:
    from expert.consultation.answers import BadAnswer, parse_age, parse_weeks

    for parse in (parse_age, parse_weeks):
        with pytest.raises(BadAnswer, match="whole"):
            parse(value)


def test_a_content_length_too_long_to_read_is_too_large(site: Site) -> None:
    response = site.web.post("/clients", content=b"csrf=x",
                             headers={"content-length": "9" * 5000})
    assert response.status_code == 413


@pytest.mark.parametrize("host", ["evil.example", "127.0.0.1:99999", "[::1", "a" * 300,
                                  "localhost.", "127.0.0.1:", ":80", "%00", "127.0.0.1 x"])
def test_on_this_computer_a_strange_host_header_is_refused_not_a_crash(
        tiny_kb: KnowledgeBase, tmp_path: Path, host: str) -> None:
    from expert.web.security import allowed_hosts

    with make_client(tiny_kb, tmp_path, hosts=allowed_hosts("127.0.0.1")) as web:
        response = web.get("/clients", headers={"host": host})
        check(response, f"Host: {host}")
        assert response.status_code in (200, 400), host
        assert "content-security-policy" in response.headers
