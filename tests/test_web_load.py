"""``imbalance serve`` under load, as a real server: many people in consultations at once all
get their pages and move on, and answers sent at once on one consultation (two tabs, a double
click) are taken in turn; the consultant the server keeps between requests never hides answers
given at a terminal in between. The load test's core is bench/load_web.py; its timings and
memory are figures for the README, not assertions (this machine is shared)."""

from __future__ import annotations

import asyncio
import importlib.util
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from .conftest import REPO

httpx = pytest.importorskip("httpx")


@pytest.fixture(scope="module")
def load_web() -> Any:
    spec = importlib.util.spec_from_file_location("load_web", REPO / "bench" / "load_web.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["load_web"] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def server(load_web: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    with load_web.serve(tmp_path_factory.mktemp("load")) as running:
        yield running


def test_ten_people_at_once_all_get_their_pages_and_move_on(load_web: Any,
                                                            server: Any) -> None:
    run = asyncio.run(load_web.load(server, users=10, seconds=6, think=(0.0, 0.2), seed=3))
    assert run.errors == []
    # every consultation moved on: its answers were recorded (how far it got depends on how
    # busy the machine is)
    assert all(p.answers >= 1 for p in run.people), [p.answers for p in run.people]
    assert "error serving" not in server.log.read_text(errors="replace")
    lines, _ = load_web.report(run)
    assert any(line.startswith("PASS  no error") for line in lines)


def test_answers_sent_at_once_on_one_consultation_are_taken_in_turn(load_web: Any,
                                                                   server: Any) -> None:
    [ident] = asyncio.run(load_web.add_clients(server.url, 1))

    async def race() -> list[Any]:
        async with httpx.AsyncClient(base_url=server.url, timeout=30) as web:
            page = await web.get(f"/clients/{ident}")
            await web.post(f"/clients/{ident}/consultation",
                           data={"csrf": load_web.hidden(page.text, "csrf"), "mode": "self"})
            question = await web.get(f"/clients/{ident}/consultation")
            form = load_web.question_form(question.text)
            data = {"csrf": load_web.hidden(form, "csrf"),  # no (nothing ticked)
                    "version": load_web.hidden(form, "version"),
                    "answer": "no" if 'type="radio"' in form else "picked"}
            return list(await asyncio.gather(*(
                web.post(f"/clients/{ident}/consultation/answer", data=data)
                for _ in range(4))))

    answers = asyncio.run(race())
    statuses = sorted(r.status_code for r in answers)
    # the first is recorded; the others come from a page that is no longer current: they are
    # told so (not that a terminal has the consultation open) and change nothing
    assert statuses == [303, 409, 409, 409]
    for r in answers:
        if r.status_code == 409:
            assert "changed in another tab" in r.text
            assert "imbalance consult at a terminal" not in r.text


def test_the_report_gives_a_verdict_per_bar(load_web: Any) -> None:
    person = load_web.Person(1, requests=[10.0] * 99 + [900.0], round_trips=[20.0],
                             answers=5, finished=1)
    rss = [(float(t), 100.0 + (5.0 if t > 20 else 0.0)) for t in range(31)]
    run = load_web.Run(1, 30.0, (0.5, 1.5), [person], rss, 30.0, 1.0)
    lines, passed = load_web.report(run)
    assert "PASS  p95 under 200 ms: 10 ms" in lines
    assert "PASS  no error: 0" in lines
    assert any(line.startswith("FAIL  flat memory: +5.0 MiB") for line in lines)
    assert not passed


def test_memory_is_judged_after_the_warm_up(load_web: Any) -> None:
    growing_early = [(float(t), 80.0 + min(t, 10) * 3) for t in range(31)]
    assert load_web.memory_growth(growing_early, 30.0) == 0.0
    assert load_web.memory_growth(growing_early[:5], 5.0) is None


def test_answers_given_at_a_terminal_in_between_are_not_hidden_by_the_kept_consultant(
        real_kb: Any, tmp_path: Path) -> None:
    from expert.consultation.answers import parse_answer, parse_checklist
    from expert.consultation.consultant import Consultant
    from expert.consultation.session import Session
    from expert.store import open_store
    from expert.store.consultation import ClientConsultation

    from .test_web import SEED_A, add_client, answer_for, csrf, form_of, make_client, start

    with make_client(real_kb, tmp_path) as web:
        web.get("/clients")
        ident = add_client(web)
        first = form_of(start(web, ident).text)
        r = web.post(f"/clients/{ident}/consultation/answer", follow_redirects=True,
                     data={"csrf": csrf(web), **answer_for(first, SEED_A)})
        second = form_of(r.text)  # the server keeps the consultant that asks this
        # imbalance consult --client answers it at a terminal, and quits
        with open_store(f"sqlite:///{tmp_path / 'web.db'}") as store:
            storage = ClientConsultation(store, store.client(ident))
            saved = storage.saved()
            assert saved is not None
            terminal = Consultant(real_kb, Session.from_data(saved, storage))
            prompt = terminal.current()
            assert prompt is not None and prompt.topic.key == second["key"]
            terminal.answer(parse_checklist("no", len(prompt.items)) if prompt.topic.is_checklist
                            else parse_answer("no", prompt.topic.sided))
            after = terminal.current()
            assert after is not None
        page = form_of(web.get(f"/clients/{ident}/consultation").text)
        assert (page["key"], page["part"]) == (after.topic.key, after.part)
