"""The Starlette application of ``imbalance serve``: the routes, and what every request shares
(the knowledge base, a pool of reasoners and one relevance index, the consultations being worked
on, the store, the templates, the logins).

Requests are served concurrently: each borrows a reasoner of its own (experta engines are not
thread-safe) and requests on one consultation take turns (see ``concurrency``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.convertors import Convertor, register_url_convertor
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from ..consultation.relevance import Relevance
from ..inference.reasoner import Reasoner
from ..knowledge import KnowledgeBase
from ..store import Store
from . import changes, explain, login, pages, progress, results, whatif
from .concurrency import Consultations, Reasoners
from .security import Clock, Guard, LoginGate, Logins, TooLarge, log

STATIC = Path(__file__).parent / "static"


class RecordNumber(Convertor[int]):
    """A number in a path (a client's id, an assessment's or an answer's number, a finding's
    place): at most 9 digits. The store keeps them as 32-bit integers (PostgreSQL's integer;
    SQLite's stops at 64 bits), so a longer one names no record: it matches no route (404)
    instead of reaching the database, which would fail on it with an error (a 500)."""

    regex = "[0-9]{1,9}"

    def convert(self, value: str) -> int:
        return int(value)

    def to_string(self, value: int) -> str:
        return str(int(value))


register_url_convertor("id", RecordNumber())  # before any route is compiled


@dataclass
class Service:
    kb: KnowledgeBase
    store: Store
    logins: Logins
    reasoners: Reasoners = field(init=False)
    relevance: Relevance = field(init=False)  # read-only once built: shared by all requests
    consultations: Consultations = field(default_factory=Consultations)

    def __post_init__(self) -> None:
        self.reasoners = Reasoners(self.kb)
        self.relevance = Relevance(self.kb)

    @property
    def reasoner(self) -> Reasoner:
        """The reasoner of this request (lent for the work ``pages.locked`` runs)."""
        return self.reasoners.current


def environment() -> Any:
    """The Jinja environment of the pages: the package's templates (those of the handouts too),
    autoescaped everywhere."""
    from jinja2 import Environment, PackageLoader, StrictUndefined

    return Environment(loader=PackageLoader("expert", "templates"), autoescape=True,
                       undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)


def create_app(kb: KnowledgeBase, store: Store, password: str | None = None,
               hosts: list[str] | None = None, clock: Clock | None = None) -> Any:
    """The ASGI application (wrapped in the security guard). ``hosts``: the only Host headers
    answered (a page of another site that rebinds its name to 127.0.0.1 must not read the
    client records); None answers any. ``clock``: the seconds logins expire by (monotonic;
    tests pass a fake one)."""
    service = Service(kb, store, Logins(password, clock))
    env = environment()

    def bind(handler: Any) -> Any:
        return partial(handler, service, env)

    routes = [
        Route("/", bind(pages.home)),
        Route("/login", bind(login.login), methods=["GET", "POST"]),
        Route("/logout", bind(login.logout), methods=["POST"]),
        Route("/clients", bind(pages.clients), methods=["GET", "POST"]),
        Route("/clients/{client:id}", bind(pages.client)),
        Route("/clients/{client:id}/consultation", bind(pages.consultation),
              methods=["GET", "POST"]),
        Route("/clients/{client:id}/consultation/answer", bind(pages.answer),
              methods=["POST"]),
        Route("/clients/{client:id}/consultation/back", bind(pages.back), methods=["POST"]),
        Route("/clients/{client:id}/consultation/change/{number:id}",
              bind(changes.change_form)),
        Route("/clients/{client:id}/consultation/change/{number:id}", bind(changes.change),
              methods=["POST"]),
        Route("/clients/{client:id}/progress", bind(progress.progress)),
        Route("/clients/{client:id}/compare", bind(progress.comparison)),
        Route("/clients/{client:id}/assessments/{number:id}", bind(results.results)),
        Route("/clients/{client:id}/assessments/{number:id}/findings/{finding:id}.svg",
              bind(explain.finding_picture)),
        Route("/clients/{client:id}/assessments/{number:id}/why-not", bind(explain.why_not)),
        Route("/clients/{client:id}/assessments/{number:id}/sheet", bind(results.sheet)),
        Route("/clients/{client:id}/assessments/{number:id}/sheet.pdf",
              bind(results.sheet_pdf)),
        Route("/clients/{client:id}/assessments/{number:id}/what-if", bind(whatif.what_if)),
        Route("/favicon.ico", pages.no_icon),
        Mount("/static", StaticFiles(directory=STATIC), name="static"),
    ]

    async def failed(request: Request, exc: Exception) -> Response:
        if isinstance(exc, TooLarge):  # a chunked body that outgrew the limit while read
            return pages.error_page(env, request, 413, "The request is too large.")
        log.exception("error serving %s %s", request.method, request.url.path)
        return pages.error_page(env, request, 500, "Something went wrong on our side. Your "
                                "answers so far are kept; go back and try again.")

    async def refused(request: Request, exc: Exception) -> Response:
        status = getattr(exc, "status_code", 400)
        detail = str(getattr(exc, "detail", "") or "").rstrip(".")
        text = {404: "There is no such page.",
                403: "This form is out of date or did not come from this application: go "
                     "back, reload the page and try again.",
                # a body that is not one of the application's forms (Starlette's reason: a
                # file, too many fields, a broken multipart body; or ours)
                400: f"That form could not be read ({detail}): go back, reload the page and "
                     "send it again.",
                405: f"This address does not take a {request.method}: use the links and "
                     "forms of the pages."}.get(status, "That request could not be handled.")
        return pages.error_page(env, request, status, text)

    app = Starlette(routes=routes, exception_handlers={Exception: failed,
                                                       HTTPException: refused})
    gated: Any = LoginGate(app, service.logins)
    if hosts is not None:
        from starlette.middleware.trustedhost import TrustedHostMiddleware
        gated = TrustedHostMiddleware(gated, allowed_hosts=hosts, www_redirect=False)
    return Guard(gated)
