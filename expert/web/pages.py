"""The pages of ``imbalance serve``: clients (list, search, add), a client (history, start or
resume a consultation), one question per page (the results are in ``results``).

Every answer is stored in the client's consultation row at once (the consultation's database
storage, as ``consult --client`` keeps it), so closing the tab and coming back resumes. Each
question page carries the consultation's version (a digest of its answers); an answer or a
back from a page that is no longer current (another tab moved on) is refused with a message
and the current question."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from ..consultation import numbering
from ..consultation.answers import BadAnswer, whole
from ..consultation.consultant import Consultant, Prompt
from ..consultation.lock import SessionInUse, SessionLock
from ..consultation.session import Session
from ..store.consultation import lock_file
from ..store.errors import StoreError, UnknownClient
from ..store.records import Client
from . import questions
from .concurrency import Keeping
from .security import CSRF_COOKIE, SIGNED_IN, cookie, new_token, same

if TYPE_CHECKING:
    from .app import Service

T = TypeVar("T")
MODES = (("self", "A person alone (symptoms, habits, what a mirror shows)"),
         ("trainer", "A trainer with a client (adds the movement assessments)"))


# -- rendering ----------------------------------------------------------------------------------
def page(env: Any, request: Request, template: str, status: int = 200,
         **context: Any) -> HTMLResponse:
    """A page from ``template``, with the CSRF token its forms carry (a new cookie when the
    browser has none) and, after a login, "Log out"."""
    token = request.cookies.get(CSRF_COOKIE) or new_token()
    html = env.get_template(template).render(csrf=token, signed_in=SIGNED_IN in request.scope,
                                             **context)
    response = HTMLResponse(html, status_code=status)
    if request.cookies.get(CSRF_COOKIE) != token:
        response.headers.append("set-cookie", cookie(CSRF_COOKIE, token))
    return response


def error_page(env: Any, request: Request, status: int, message: str) -> HTMLResponse:
    return page(env, request, "web_error.html.j2", status, title="Sorry", message=message)


def redirect(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


async def checked_form(request: Request) -> FormData:
    """The posted form, if its CSRF token matches the cookie's (403 otherwise)."""
    form = await request.form(max_files=0, max_fields=200)
    token = form.get("csrf")
    if not same(token if isinstance(token, str) else None, request.cookies.get(CSRF_COOKIE)):
        raise HTTPException(403, "the form's security token is missing or old")
    return form


async def locked(service: Service, work: Callable[[], T]) -> T:
    """Run ``work`` in a worker thread with a reasoner of its own (``service.reasoner``)."""
    def run() -> T:
        with service.reasoners.lending():
            return work()
    return await run_in_threadpool(run)


async def consulting(service: Service, env: Any, request: Request,
                     work: Callable[[], Response]) -> Response:
    """Run ``work`` on the consultation of the page's client, in its turn (one request at a
    time per consultation; see ``concurrency``), holding the lock that ``imbalance consult
    --client`` holds for its life: while a terminal has the consultation open, the browser is
    told so and nothing is changed."""
    ident = request.path_params["client"]

    def run() -> Response:
        lock = SessionLock()
        try:
            lock.acquire(lock_file(service.store, ident))
        except SessionInUse:
            return error_page(env, request, 409, IN_USE.format(ident=ident))
        try:
            with service.reasoners.lending():
                return work()
        finally:
            lock.release()

    def turn() -> Response:
        with service.consultations.turn(ident):
            return run()
    return await run_in_threadpool(turn)


IN_USE = ("This consultation is open in imbalance consult at a terminal. Finish or quit it "
          "there first, then come back: every answer given there is kept.")


async def no_icon(request: Request) -> Response:
    return Response(status_code=204)  # browsers ask for it on every page that names none


# -- clients ------------------------------------------------------------------------------------
async def home(service: Service, env: Any, request: Request) -> Response:
    return redirect("/clients")


async def clients(service: Service, env: Any, request: Request) -> Response:
    store, message, name = service.store, "", ""
    if request.method == "POST":
        form = await checked_form(request)
        name = str(form.get("name", "")).strip()
        year = str(form.get("birth_year", "")).strip()
        if not name:
            message = "Give the client a name (or a pseudonym)."
        elif year and not (whole(year, dt.date.today().year) and int(year) >= 1900):
            message = "The birth year is a year such as 1984, or leave it empty."
        else:
            try:
                added = await locked(service, lambda: store.add_client(
                    name, int(year) if year else None))
            except StoreError as exc:
                message = exc.problems[0].line()
            else:
                return redirect(f"/clients/{added.id}")
    search = request.query_params.get("q", "")[:100]

    def listing() -> tuple[list[Client], dict[int, Any]]:
        found = store.find_clients(search or None)
        return found, store.tallies([c.id for c in found])
    found, tallies = await locked(service, listing)
    return page(env, request, "web_clients.html.j2", 422 if message else 200, title="Clients",
                clients=found, tallies=tallies, search=search, message=message, name=name)


async def client(service: Service, env: Any, request: Request) -> Response:
    ident = request.path_params["client"]
    store = service.store

    def read() -> tuple[Client, list[Any], Any]:
        found = store.client(ident)
        return found, store.history(ident), store.consultation(ident)
    try:
        found, history, progress = await locked(service, read)
    except StoreError as exc:
        raise HTTPException(404, exc.problems[0].line()) from None
    return page(env, request, "web_client.html.j2", title=found.name, client=found,
                history=history, progress=progress, modes=MODES)


# -- the consultation ---------------------------------------------------------------------------
def version(session: Session) -> str:
    """A digest of the consultation's state: what a page was made from."""
    state = {"mode": session.mode, "answers": [i.to_json() for i in session.items],
             "pending": None if session.pending is None else
             [session.pending.key, session.pending.part]}
    return hashlib.sha256(json.dumps(state, sort_keys=True).encode()).hexdigest()[:16]


def consultant_of(service: Service, ident: int) -> tuple[Client, Consultant | None]:
    """The client and the consultation in progress (None if there is none): the consultant
    kept from the last request when the store holds what it saved, else one built from the
    stored answers. An unknown client is no such page (404)."""
    try:
        found = service.store.client(ident)
    except UnknownClient as exc:
        raise HTTPException(404, exc.problems[0].line()) from None
    storage = Keeping(service.store, found)
    saved = storage.saved()
    if saved is None:
        service.consultations.forget(ident)
        return found, None
    c = service.consultations.reuse(ident, saved)
    if c is None:
        session = Session.from_data(saved, storage)
        c = Consultant(service.kb, session, service.reasoner, service.relevance)
    else:
        c.reasoner = service.reasoner  # the one this request borrowed
    service.consultations.use(c)
    return found, c


def current_of(service: Service, env: Any, request: Request, ident: int, form: FormData
               ) -> tuple[Client, Consultant] | Response:
    """The client's consultation as the posted page saw it, or the page to answer with: back to
    the client when there is none, the current question (409) when another tab changed it."""
    found, c = consultant_of(service, ident)
    if c is None:
        return redirect(f"/clients/{ident}")
    if form.get("version") != version(c.session):
        return question_page(env, request, found, c, 409, STALE)
    return found, c


def finish(service: Service, found: Client, c: Consultant) -> int:
    """Keep the complete consultation as the client's next assessment; its number."""
    report = c.report()
    kept = service.store.store_assessment(found.id, c.case(), report, report.get("program"),
                                          dt.date.today(), c.session.mode,
                                          end_consultation=True)
    return kept.number


def question_page(env: Any, request: Request, found: Client, c: Consultant,
                  status: int = 200, message: str = "", confirm: tuple[str, ...] = (),
                  prompt: Prompt | None = None, now: str = "", changed: int = 0) -> Response:
    """The page of the pending question, or (``prompt`` and ``now``, its answer in words) the
    page that changes an earlier answer; ``changed``: the number of the answer just changed."""
    changing = prompt is not None
    prompt = prompt or c.current()
    assert prompt is not None
    topic = prompt.topic
    notes = [c.questionnaire.topic(k).instructions for k in prompt.items
             if topic.is_checklist] or [topic.instructions]
    title = topic.title if topic.is_checklist and topic.title != topic.section else ""
    items = c.session.items
    given = [(n, bool(i.picked), c.questionnaire.item(i.key) if i.picked
              else c.questionnaire.label(i.key), questions.answer_words(c, i))
             for n, i in zip(numbering.numbers(items), items, strict=True)
             if not (i.side_pending and i.key == topic.key)]
    return page(env, request, "web_question.html.j2", status, title=f"Question {prompt.number}",
                client=found, prompt=prompt, topic=topic, field=questions.field(c, prompt),
                question=questions.text(prompt),
                certainties=questions.CERTAINTIES, message=message,
                why=[] if changing else c.why(prompt, questions.HOW),
                notes=list(dict.fromkeys(n for n in notes if n)), heading=title,
                remaining=c.remaining(), given=given, version=version(c.session),
                mode=c.session.mode, confirm=confirm, can_back=bool(c.session.items),
                now=now, changed=changed,
                action=(f"/clients/{found.id}/consultation/change/{prompt.number}"
                        if changing else f"/clients/{found.id}/consultation/answer"))


async def consultation(service: Service, env: Any, request: Request) -> Response:
    ident = request.path_params["client"]
    if request.method == "POST":  # start one (or carry on with the one in progress)
        form = await checked_form(request)
        mode = str(form.get("mode", "self"))
        if mode not in dict(MODES):
            raise HTTPException(400, "unknown mode")

        def start() -> None:
            found, c = consultant_of(service, ident)
            if c is None:
                storage = Keeping(service.store, found)
                session = Session(storage.path, mode, service.kb.version, storage=storage)
                c = Consultant(service.kb, session, service.reasoner, service.relevance)
                service.consultations.use(c)
                c.current()  # decides the first question and saves the session
                if c.save_error is not None:
                    raise c.save_error
        def started() -> Response:
            start()
            return redirect(f"/clients/{ident}/consultation")
        return await consulting(service, env, request, started)

    def show() -> Response:
        found, c = consultant_of(service, ident)
        if c is None:
            return redirect(f"/clients/{ident}")
        if c.current() is None:
            return redirect(f"/clients/{ident}/assessments/{finish(service, found, c)}")
        # after a change, say it was taken (the page otherwise looks as it did before)
        changed = request.query_params.get("changed", "")
        return question_page(env, request, found, c,
                             changed=int(changed) if whole(changed, 999)
                             else 0)
    return await consulting(service, env, request, show)


async def answer(service: Service, env: Any, request: Request) -> Response:
    ident = request.path_params["client"]
    form = await checked_form(request)
    picks = [p for p in form.getlist("pick") if isinstance(p, str)]

    def record() -> Response:
        loaded = current_of(service, env, request, ident, form)
        if isinstance(loaded, Response):
            return loaded
        found, c = loaded
        prompt = c.current()
        if prompt is None:
            return redirect(f"/clients/{ident}/consultation")
        try:
            reply = questions.reply(c, prompt, form, picks)
        except BadAnswer as exc:
            return question_page(env, request, found, c, 422, str(exc))
        if c.would_refer(reply) is not None and form.get("confirm") != "yes":
            ticked = tuple(c.questionnaire.item(prompt.items[n - 1]) for n in reply.picks)
            return question_page(env, request, found, c, 200, "", ticked)
        c.answer(reply)
        return onward(service, found, c)
    return await consulting(service, env, request, record)


def onward(service: Service, found: Client, c: Consultant, query: str = "") -> Response:
    """Where a recorded answer (or a changed one) leads: the results once no question is left
    (the assessment stored), else the question page; a failed save is an error, not lost."""
    if c.save_error is not None:
        raise c.save_error
    if c.current() is None:
        return redirect(f"/clients/{found.id}/assessments/{finish(service, found, c)}")
    return redirect(f"/clients/{found.id}/consultation{query}")


STALE = ("This consultation was changed in another tab or window since this page was shown, "
         "so that answer was not recorded. Here is the question it is at now.")


async def back(service: Service, env: Any, request: Request) -> Response:
    ident = request.path_params["client"]
    form = await checked_form(request)

    def undo() -> Response:
        loaded = current_of(service, env, request, ident, form)
        if isinstance(loaded, Response):
            return loaded
        _, c = loaded
        c.back()
        return redirect(f"/clients/{ident}/consultation")
    return await consulting(service, env, request, undo)
