"""imbalance serve through its ASGI app (Starlette's test client): every page, a whole
consultation of seed scenario A, resume, back, the version check between two tabs, a red flag's
referral, the client sheet, and the security items (CSRF, escaping, headers, cookies, limits,
login, the error page)."""

from __future__ import annotations

import html
import re
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from expert.knowledge import KnowledgeBase

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

SEED_A = {"low_back_pain": "yes", "anterior_pelvic_tilt": "yes", "prolonged_sitting": "yes",
          "subject.age": "38", "subject.equipment": ["foam_roller", "stability_ball"]}
XSS = "<script>alert(1)</script>"


def make_client(kb: KnowledgeBase, tmp_path: Path, password: str | None = None,
                hosts: list[str] | None = None, base_url: str = "http://testserver"
                ) -> TestClient:
    from expert.store import open_store
    from expert.web.app import create_app

    store = open_store(f"sqlite:///{tmp_path / 'web.db'}")
    return TestClient(create_app(kb, store, password, hosts), base_url=base_url,
                      raise_server_exceptions=False)


@pytest.fixture
def web(real_kb: KnowledgeBase, tmp_path: Path) -> Iterator[TestClient]:
    with make_client(real_kb, tmp_path) as client:
        client.get("/clients")  # the CSRF cookie
        yield client


def csrf(web: TestClient) -> str:
    token = web.cookies.get("imbalance_csrf")
    assert token
    return token


def add_client(web: TestClient, name: str = "Ann Lee") -> int:
    r = web.post("/clients", data={"csrf": csrf(web), "name": name, "birth_year": "1988"},
                 follow_redirects=False)
    assert r.status_code == 303, r.text
    return int(r.headers["location"].rsplit("/", 1)[1])


def start(web: TestClient, ident: int, mode: str = "self") -> Any:
    r = web.post(f"/clients/{ident}/consultation", data={"csrf": csrf(web), "mode": mode},
                 follow_redirects=True)
    assert r.status_code == 200
    return r


def form_of(page: str) -> dict[str, Any]:
    """What a question page asks: its question key, part, kind, version and check boxes."""
    m = re.search(r'data-question="([^"]+)" data-part="([^"]+)" data-kind="([^"]+)"', page)
    assert m, page[:2000]
    version = re.search(r'name="version" value="([^"]+)"', page)
    assert version
    items = re.findall(r'name="pick" value="(\d+)" data-item="([^"]+)"', page)
    return {"key": m.group(1), "part": m.group(2), "kind": m.group(3),
            "version": version.group(1), "items": items}


def answer_for(q: dict[str, Any], answers: dict[str, Any]) -> dict[str, Any]:
    """The form a person with ``answers`` (everything else no) would send."""
    key, kind = q["key"], q["kind"]
    data: dict[str, Any] = {"version": q["version"]}
    if kind in ("checklist", "equipment"):
        wanted = answers.get(key, [])
        data["pick"] = [n for n, item in q["items"]
                        if answers.get(item) not in (None, "no") or item in wanted]
        data["answer"] = "picked" if data["pick"] or kind == "checklist" else "none"
    elif kind == "number":
        value = answers.get(key, "unknown")
        data.update({"answer": "unknown"} if value == "unknown" else {"number": value})
    elif kind == "side":
        data["answer"] = answers.get(key, "unknown")
    else:
        value = answers.get(key, "no")
        value, certainty = value if isinstance(value, tuple) else (value, None)
        data["answer"] = value
        if certainty is not None:
            data["certainty"] = certainty
    return data


def run_through(web: TestClient, ident: int, answers: dict[str, Any],
                limit: int = 60) -> Any:
    """Answer every question page until the consultation ends; the last response."""
    r = web.get(f"/clients/{ident}/consultation")
    for _ in range(limit):
        if "/assessments/" in str(r.url):
            return r
        q = form_of(r.text)
        data = {"csrf": csrf(web), **answer_for(q, answers)}
        r = web.post(f"/clients/{ident}/consultation/answer", data=data,
                     follow_redirects=True)
        if "You ticked" in r.text:  # the read-back of a referring pick
            data["confirm"] = "yes"
            data["version"] = form_of(r.text)["version"]
            r = web.post(f"/clients/{ident}/consultation/answer", data=data,
                         follow_redirects=True)
        assert r.status_code == 200, r.text[:3000]
    raise AssertionError("the consultation did not end")


def text(page: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", " ", page))


def test_seed_a_through_the_pages_gives_its_findings_and_sheet(web: TestClient) -> None:
    ident = add_client(web)
    start(web, ident)
    r = run_through(web, ident, SEED_A)
    words = " ".join(text(r.text).split())
    assert "Key findings" in words
    # seed A's expectation (domain.md §8.1); the psoas is shown as the hip flexor complex
    for name in ("Hip flexor complex", "Erector spinae", "Gluteus maximus",
                 "Transversus abdominis"):
        assert name in words
    assert "probably overactive" in words and "probably underactive" in words
    sheet = web.get(f"{r.url.path}/sheet")
    assert sheet.status_code == 200 and 'id="print"' in sheet.text
    assert "/static/print.js" in sheet.text
    # the sheet names the client and the assessment's date (the case itself has neither)
    assert "For: Ann Lee" in " ".join(text(sheet.text).split())
    assert re.search(r"Date: \d{4}-\d{2}-\d{2}", " ".join(text(sheet.text).split()))
    pdf = web.get(f"{r.url.path}/sheet.pdf")
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    # the assessment is kept and the consultation ended: the client page lists it
    page = web.get(f"/clients/{ident}").text
    assert f"/clients/{ident}/assessments/1" in page and "Start a consultation" in page


def test_seed_b_in_trainer_mode_asks_the_side_and_finds_it(web: TestClient) -> None:
    ident = add_client(web)
    start(web, ident, "trainer")
    asked: list[tuple[str, str]] = []
    answers = {"carry_load_one_hand": "left", "shoulder_elevated_at_rest": "left",
               "subject.age": "41"}
    r = web.get(f"/clients/{ident}/consultation")
    while "/assessments/" not in str(r.url):
        q = form_of(r.text)
        asked.append((q["key"], q["kind"]))
        r = web.post(f"/clients/{ident}/consultation/answer", follow_redirects=True,
                     data={"csrf": csrf(web), **answer_for(q, answers)})
        assert len(asked) < 60
    # ticked in its checklist, the side is asked on a page of its own, as radio buttons
    assert ("carry_load_one_hand", "side") in asked
    words = " ".join(text(r.text).split())
    assert re.search(r"Trapezius, upper \S+ fibres probably overactive on the left side", words)
    assert re.search(r"Trapezius, lower \S+ fibres probably underactive on the left side", words)
    # each finding opens how it was found, down to the answers (in the trainer's words)
    assert "How was this found?" in words
    assert re.search(r"you answered left to “[^”]*carry loads on one side", words)


def test_the_certainty_chosen_is_the_answers_certainty(web: TestClient,
                                                       tmp_path: Path) -> None:
    from expert.store import open_store

    ident = add_client(web)
    q = form_of(start(web, ident).text)
    r = web.post(f"/clients/{ident}/consultation/answer", follow_redirects=True,
                 data={"csrf": csrf(web), "version": q["version"], "answer": "unknown"})
    q = form_of(r.text)  # the safety screen's first list, one by one
    assert q["kind"] in ("yesno", "sided")
    web.post(f"/clients/{ident}/consultation/answer", data={
        "csrf": csrf(web), "version": q["version"], "answer": "no", "certainty": "0.6"})
    with open_store(f"sqlite:///{tmp_path / 'web.db'}") as store:
        kept = store.consultation(ident)
    assert kept is not None
    last = kept.session["answers"][-1]
    assert (last["question"], last["value"], last["certainty"]) == (q["key"], "no", 0.6)


def test_every_answer_is_kept_and_a_new_visit_resumes(web: TestClient, real_kb: KnowledgeBase,
                                                      tmp_path: Path) -> None:
    ident = add_client(web)
    first = form_of(start(web, ident).text)
    r = web.post(f"/clients/{ident}/consultation/answer", follow_redirects=True,
                 data={"csrf": csrf(web), **answer_for(first, SEED_A)})
    second = form_of(r.text)
    assert second["key"] != first["key"]
    web.close()  # the tab (and this process's client) goes away; a new one resumes
    with make_client(real_kb, tmp_path) as again:
        page = again.get(f"/clients/{ident}")
        assert "Continue the consultation" in page.text
        assert form_of(again.get(f"/clients/{ident}/consultation").text)["key"] == \
            second["key"]


def test_back_asks_the_previous_question_again(web: TestClient) -> None:
    ident = add_client(web)
    first = form_of(start(web, ident).text)
    r = web.post(f"/clients/{ident}/consultation/answer", follow_redirects=True,
                 data={"csrf": csrf(web), **answer_for(first, {})})
    now = form_of(r.text)
    r = web.post(f"/clients/{ident}/consultation/back", follow_redirects=True,
                 data={"csrf": csrf(web), "version": now["version"]})
    assert form_of(r.text)["key"] == first["key"]


def test_the_answers_so_far_are_listed_in_words(web: TestClient) -> None:
    ident = add_client(web)
    first = form_of(start(web, ident).text)
    assert "Your answers so far" not in start(web, ident).text
    r = web.post(f"/clients/{ident}/consultation/answer", follow_redirects=True,
                 data={"csrf": csrf(web), **answer_for(first, {})})
    words = " ".join(text(r.text).split())
    count = len(first["items"])
    assert re.search(rf"Your answers so far 1\. [^—]+ — no \(none of its {count} items\)", words)


def test_changing_an_earlier_answer_works_everything_out_again(web: TestClient) -> None:
    ident = add_client(web)
    start(web, ident)
    r = web.get(f"/clients/{ident}/consultation")
    keys = []
    while True:  # seed A up to its equipment: the findings are there, the programme next
        q = form_of(r.text)
        if q["kind"] == "equipment":
            break
        keys.append(q["key"])
        r = web.post(f"/clients/{ident}/consultation/answer", follow_redirects=True,
                     data={"csrf": csrf(web), **answer_for(q, SEED_A)})
    number = keys.index("checklist.standing_posture") + 1
    assert f'/consultation/change/{number}"' in r.text  # a Change link in the answers so far
    assert web.get(f"/clients/{ident}/consultation/change/99").status_code == 404
    page = web.get(f"/clients/{ident}/consultation/change/{number}")
    q = form_of(page.text)
    assert q["key"] == "checklist.standing_posture" and "Changing answer" in page.text
    # nothing ticked now: the anterior pelvic tilt goes, and with it the lower crossed syndrome
    r = web.post(f"/clients/{ident}/consultation/change/{number}", follow_redirects=True,
                 data={"csrf": csrf(web), "version": q["version"], "answer": "picked"})
    if "/assessments/" not in str(r.url):
        r = run_through(web, ident, {**SEED_A, "anterior_pelvic_tilt": "no"})
    words = " ".join(text(r.text).split())
    assert "Lower crossed syndrome" not in words


def test_a_second_tab_cannot_answer_an_old_page(web: TestClient) -> None:
    ident = add_client(web)
    tab = form_of(start(web, ident).text)
    data = {"csrf": csrf(web), **answer_for(tab, {})}
    assert web.post(f"/clients/{ident}/consultation/answer", data=data,
                    follow_redirects=False).status_code == 303
    stale = web.post(f"/clients/{ident}/consultation/answer", data=data)
    assert stale.status_code == 409
    assert "changed in another tab" in stale.text
    assert form_of(stale.text)["key"] != tab["key"]  # the current question, one answer on


def test_a_consultation_open_at_a_terminal_is_not_touched(web: TestClient,
                                                         tmp_path: Path) -> None:
    from expert.consultation.lock import SessionLock
    from expert.store import open_store
    from expert.store.consultation import lock_file

    ident = add_client(web)
    q = form_of(start(web, ident).text)
    with open_store(f"sqlite:///{tmp_path / 'web.db'}") as store:
        held = SessionLock()  # what imbalance consult --client holds for its life
        held.acquire(lock_file(store, ident))
        try:
            r = web.post(f"/clients/{ident}/consultation/answer",
                         data={"csrf": csrf(web), **answer_for(q, {})})
            assert r.status_code == 409 and "open in imbalance consult" in r.text
        finally:
            held.release()
        kept = store.consultation(ident)
        assert kept is not None and kept.session["answers"] == []
    assert form_of(web.get(f"/clients/{ident}/consultation").text)["key"] == q["key"]


def test_why_shows_the_reasons_the_terminal_gives(web: TestClient) -> None:
    ident = add_client(web)
    page = start(web, ident).text
    assert "Why are you asking?" in page
    assert "red flags (the safety screen)" in text(page)


def test_a_red_flag_ends_on_a_referral_page_without_a_programme(web: TestClient) -> None:
    ident = add_client(web)
    first = form_of(start(web, ident).text)
    number, flag = first["items"][0]
    # a tick that would refer is read back once before it is recorded
    check = web.post(f"/clients/{ident}/consultation/answer", data={
        "csrf": csrf(web), "version": first["version"], "answer": "picked", "pick": number})
    assert check.status_code == 200 and "You ticked" in check.text
    assert form_of(check.text)["version"] == first["version"]  # nothing recorded yet
    # the read-back ticks only what was ticked: confirming it must not record the others
    ticked = re.findall(r'<input type="checkbox" name="pick" value="(\d+)"[^>]* checked',
                        check.text)
    assert ticked == [str(number)]
    r = run_through(web, ident, {flag: "yes"})
    words = " ".join(text(r.text).split())
    assert "Please see a health professional first" in words
    assert "No exercise programme" in words
    assert "client sheet" not in words and "exercise sheet" not in words
    # a person alone is not offered to switch the red flag off and look past the referral
    assert 'id="what-if-link"' not in r.text and "What if" not in words


def test_bad_answers_get_a_message_not_a_crash(web: TestClient) -> None:
    ident = add_client(web)
    q = form_of(start(web, ident).text)
    r = web.post(f"/clients/{ident}/consultation/answer",
                 data={"csrf": csrf(web), "version": q["version"], "answer": "picked",
                       "pick": "99"})
    assert r.status_code == 422 and "there is no item 99" in r.text


def test_names_are_shown_as_text_never_as_markup(web: TestClient) -> None:
    ident = add_client(web, XSS)
    for path in ("/clients", f"/clients/{ident}"):
        page = web.get(path).text
        assert XSS not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert XSS not in web.get(f"/clients?q={XSS}").text


def test_every_post_needs_the_csrf_token(web: TestClient) -> None:
    r = web.post("/clients", data={"name": "Mallory"})
    assert r.status_code == 403
    r = web.post("/clients", data={"name": "Mallory", "csrf": "forged"})
    assert r.status_code == 403
    assert "Mallory" not in web.get("/clients").text


def test_security_headers_and_cookies(real_kb: KnowledgeBase, tmp_path: Path) -> None:
    with make_client(real_kb, tmp_path) as fresh:
        r = fresh.get("/clients")
        csp = r.headers["content-security-policy"]
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp.split("script-src")[1] \
            .split(";")[0]
        assert r.headers["x-content-type-options"] == "nosniff"
        cookie = r.headers["set-cookie"]
        assert "HttpOnly" in cookie and "SameSite=Strict" in cookie
        assert "<script>" not in r.text  # no inline script on any page


def test_on_this_computer_only_loopback_host_names_are_answered(
        real_kb: KnowledgeBase, tmp_path: Path) -> None:
    """A site that rebinds its name to 127.0.0.1 must not read the client records."""
    from expert.web.security import allowed_hosts

    hosts = allowed_hosts("127.0.0.1")
    with make_client(real_kb, tmp_path, hosts=hosts, base_url="http://127.0.0.1:8765") as ok:
        assert ok.get("/clients").status_code == 200
    with make_client(real_kb, tmp_path, hosts=hosts, base_url="http://evil.example:8765") as bad:
        r = bad.get("/clients")
        assert r.status_code == 400 and "Clients" not in r.text
    assert allowed_hosts("0.0.0.0") is None  # on the network the login protects it


def test_large_requests_are_refused(web: TestClient) -> None:
    r = web.post("/clients", data={"csrf": csrf(web), "name": "x" * 100_000})
    assert r.status_code == 413

    def chunks() -> Iterator[bytes]:  # no Content-Length: the limit holds while reading
        yield f"csrf={csrf(web)}&name=".encode()
        for _ in range(100):
            yield b"x" * 1000
    r = web.post("/clients", content=chunks(),
                 headers={"content-type": "application/x-www-form-urlencoded"})
    assert r.status_code == 413
    assert "xxxx" not in web.get("/clients").text


def test_errors_show_a_friendly_page_and_no_traceback(web: TestClient,
                                                      monkeypatch: pytest.MonkeyPatch,
                                                      caplog: pytest.LogCaptureFixture) -> None:
    from expert.store.repository import Store

    def broken(self: Any, search: Any = None) -> Any:
        raise RuntimeError("secret detail")
    monkeypatch.setattr(Store, "find_clients", broken)
    r = web.get("/clients")
    assert r.status_code == 500
    assert "Something went wrong" in r.text
    assert "secret detail" not in r.text and "Traceback" not in r.text
    assert "secret detail" in caplog.text  # the detail goes to the server log
    missing = web.get("/clients/999")
    assert missing.status_code == 404 and "Traceback" not in missing.text


def test_a_password_requires_a_login(real_kb: KnowledgeBase, tmp_path: Path) -> None:
    with make_client(real_kb, tmp_path, password="correct horse") as client:
        r = client.get("/clients", follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"] == "/login"
        client.get("/login")
        token = csrf(client)
        bad = client.post("/login", data={"csrf": token, "password": "wrong"})
        assert bad.status_code == 401
        assert client.post("/clients", data={"csrf": token, "name": "x"}).status_code == 403
        ok = client.post("/login", data={"csrf": token, "password": "correct horse"},
                         follow_redirects=False)
        assert ok.status_code == 303
        assert "HttpOnly" in ok.headers["set-cookie"]
        assert client.get("/clients").status_code == 200


def test_serve_refuses_other_hosts_without_a_password() -> None:
    from click.testing import CliRunner

    from expert.cli import main

    result = CliRunner().invoke(main, ["serve", "--host", "0.0.0.0"])
    assert result.exit_code == 2
    assert "--password" in result.output


def test_help_does_not_import_the_web_server() -> None:
    import subprocess
    import sys

    code = ("import sys; from expert.cli import main\n"
            "for args in (['--help'], ['serve', '--help']):\n"
            "    try:\n        main(args)\n    except SystemExit:\n        pass\n"
            "print([m for m in ('starlette', 'uvicorn', 'multipart', 'sqlalchemy') "
            "if m in sys.modules], file=sys.stderr)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.stderr.strip() == "[]"


def test_serve_on_a_port_in_use_says_so() -> None:
    import socket

    from click.testing import CliRunner

    from expert.cli import main

    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = taken.getsockname()[1]
        result = CliRunner().invoke(main, ["serve", "--port", str(port)])
    assert result.exit_code == 1
    assert f"cannot listen on 127.0.0.1 port {port}" in result.output
    assert "Traceback" not in result.output
