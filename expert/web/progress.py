"""A client's progress in the browser: the progress page (the timeline, the chart of each key
finding's certainty over the assessments and the findings at each one, as ``imbalance client
report`` gives them) and the comparison of two of the client's assessments (as ``imbalance
compare client:ID@A client:ID@B`` gives it).

Both pages are made by the reassessment core (``expert.reassessment``: ``timeline``,
``comparison``) and render the blocks of its own templates (``progress.html.j2``,
``compare.html.j2``) inside the application's page; nothing is computed twice."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from markupsafe import Markup
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from ..consultation.answers import whole
from ..problems import InputError
from ..reassessment.comparison import compare
from ..reassessment.references import StoredRef, from_store
from ..reassessment.rendering import TITLES, environment, items
from ..reassessment.timeline import chart_svg, progress_data
from ..store.errors import StoreError, UnknownAssessment
from ..store.records import Client
from .pages import locked, page

if TYPE_CHECKING:
    from .app import Service

PICK = "Choose two of the client's assessments by their numbers."


def blocks(template: str, names: tuple[str, ...], **context: Any) -> dict[str, Markup]:
    """The named blocks of a reassessment template, rendered alone with ``context`` (the same
    environment and filters as the printed report, so the page shows what it shows)."""
    loaded = environment().get_template(template)
    ctx = loaded.new_context(context)
    return {name: Markup("".join(loaded.blocks[name](ctx))) for name in names}


def _client(service: Service, ident: int) -> Client:
    try:
        return service.store.client(ident)
    except StoreError as exc:
        raise HTTPException(404, exc.problems[0].line()) from None


async def progress(service: Service, env: Any, request: Request) -> Response:
    ident = request.path_params["client"]

    def read() -> tuple[Client, dict[str, Any]]:
        found = _client(service, ident)
        return found, progress_data(found, service.store.assessments(ident))
    found, data = await locked(service, read)
    # one assessment is a single point: the page says a chart needs two instead of drawing it;
    # the report's chart (legend beside the plot) and the narrow one (legend under it) both,
    # the style sheet shows the one that fits the window
    chart = Markup('<div class="chart-wide">\n{}\n</div>\n<div class="chart-narrow">\n{}\n'
                   '</div>').format(Markup(chart_svg(data)), Markup(chart_svg(data, True)))
    parts = blocks("progress.html.j2", ("timeline", "chart", "assessments"), d=data,
                   chart=chart if len(data["assessments"]) > 1 else "")
    return page(env, request, "web_progress.html.j2", title=f"Progress: {found.name}",
                client=found, d=data, parts=parts)


def _number(request: Request, name: str) -> int | None:
    text = request.query_params.get(name, "").strip()
    return int(text) if whole(text, 10 ** 9) and int(text) >= 1 else None


async def comparison(service: Service, env: Any, request: Request) -> Response:
    ident = request.path_params["client"]
    before, after = _number(request, "before"), _number(request, "after")

    def work() -> tuple[int, str, Client, list[Any], dict[str, Any] | None]:
        found = _client(service, ident)
        history = service.store.history(ident)
        if before is None or after is None:
            return 422, ("Say which two assessments to compare: before and after are "
                         f"assessment numbers. {PICK}"), found, history, None
        if before == after:
            return 422, (f"That is assessment {before} twice: a comparison needs two "
                         f"different ones. {PICK}"), found, history, None
        sides = []
        for n in (before, after):
            try:
                sides.append(from_store(StoredRef(str(ident), n), service.kb, service.store))
            except UnknownAssessment as exc:
                return 404, (f"This client has no assessment {n} ({exc.problems[0].hint}). "
                             f"{PICK}"), found, history, None
            except InputError as exc:  # a stored case the knowledge base no longer reads
                return 422, "; ".join(p.line() for p in exc.problems), found, history, None
        return 200, "", found, history, compare(service.reasoner, sides[0], sides[1])
    status, message, found, history, data = await locked(service, work)
    numbers = [h.number for h in history]
    chosen = (before, after) if data else tuple(numbers[-2:]) if len(numbers) > 1 else ()
    parts = (blocks("compare.html.j2", ("sections",), d=data, rows=items(data),
                    titles=TITLES) if data else {})
    return page(env, request, "web_compare.html.j2", status,
                title="Compare assessments" if data is None else
                f"Compare assessments {before} and {after}", client=found, history=history,
                chosen=chosen, message=message, d=data, parts=parts)
