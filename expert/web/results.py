"""The results of an assessment in the browser: the key findings (each opening how it was
found) or the referral, and its client sheet (HTML to print, PDF to download), both from the
report kept in the store."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from ..knowledge import KnowledgeBase
from ..store.errors import StoreError
from ..store.records import Client
from .concurrency import PRINTING
from .pages import locked, page

if TYPE_CHECKING:
    from .app import Service


def _assessment(service: Service, request: Request) -> tuple[Client, Any]:
    ident, number = request.path_params["client"], request.path_params["number"]
    try:
        return service.store.client(ident), service.store.assessment(ident, number)
    except StoreError as exc:
        raise HTTPException(404, exc.problems[0].line()) from None


def muscle_names(kb: KnowledgeBase) -> list[str]:
    """The muscles by name, for the why-not box's suggestions (web/explain.py)."""
    return sorted((kb.name(m) for m in kb.muscles), key=str.lower)


def _plain(kb: KnowledgeBase, node: str) -> str:
    """What a client calls the muscle or group (the catalogue's ``plain``), capitalised; empty
    when the catalogue gives none."""
    record = kb.muscles.get(node) or kb.groups.get(node)
    words = record.plain if record is not None else ""
    return words[:1].upper() + words[1:]


async def results(service: Service, env: Any, request: Request) -> Response:
    from ..consultation.questionnaire import Questionnaire
    from ..consultation.reasons import tree

    found, kept = await locked(service, lambda: _assessment(service, request))
    report = kept.report
    findings = [f for f in report.get("findings", []) if f.get("key")]
    possible = sum(1 for f in report.get("findings", []) if not f.get("key"))
    # how each finding was reached, in the words ``how N`` uses at the terminal
    mode = kept.mode if kept.mode in ("self", "trainer") else "trainer"
    label = Questionnaire(service.kb, mode).label
    how = [tree(service.kb, f, label, ids=mode != "self")[2:] for f in findings]
    # each finding's number in the report: its picture is …/findings/N.svg (web/explain.py)
    numbers = [n for n, f in enumerate(report.get("findings", []), 1) if f.get("key")]
    # a person alone reads each muscle by what they would call it first ("lower-back muscles")
    plain = [_plain(service.kb, f["muscle"]) if mode == "self" else "" for f in findings]
    return page(env, request, "web_results.html.j2",
                title="Referral" if report.get("referral") else "Findings", client=found,
                assessment=kept, report=report, findings=findings, possible=possible, how=how,
                numbers=numbers, plain=plain, muscles=muscle_names(service.kb))


def _sheet(service: Service, request: Request, fmt: str) -> str | bytes:
    from ..case import parse_case
    from ..program.documents import render

    found, kept = _assessment(service, request)
    case = parse_case(kept.case_data, f"assessment {kept.number}", service.kb)
    # the sheet's "For" and "Date" lines: the case's own, else the client's and the assessment's
    report = {**kept.report, "client": kept.report.get("client") or found.name,
              "date": kept.report.get("date") or kept.date.isoformat()}
    return render(service.kb, case.answers, report, fmt)


async def sheet(service: Service, env: Any, request: Request) -> Response:
    html = str(await locked(service, lambda: _sheet(service, request, "html")))
    bar = env.get_template("web_sheet_bar.html.j2").render(
        pdf=f"{request.url.path}.pdf",
        back=request.url.path.removesuffix("/sheet"))
    at = html.find(">", html.find("<body")) + 1 if "<body" in html else 0
    return HTMLResponse(html[:at] + bar + html[at:])


async def sheet_pdf(service: Service, env: Any, request: Request) -> Response:
    def printed() -> str | bytes:
        with PRINTING:
            return _sheet(service, request, "pdf")
    pdf = await locked(service, printed)
    ident, number = request.path_params["client"], request.path_params["number"]
    return Response(pdf, media_type="application/pdf", headers={
        "content-disposition": f'attachment; filename="client-{ident}-assessment-{number}.pdf"'})
