"""The explanations on an assessment's results: the picture of how each finding was reached
(the SVG ``imbalance explain MUSCLE --format svg`` draws) and "why not" for any muscle (what
``imbalance explain MUSCLE --why-not`` says), in the words of the assessment's mode.

Both work the stored case out again with the request's reasoner (the same core as the command
line); the words of a flagged muscle come from the stored report, as on the results page."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from ..knowledge import KnowledgeBase
from ..knowledge.catalogue import Group, Muscle
from ..spelling import closest
from .pages import error_page, locked, page
from .results import _assessment, muscle_names

if TYPE_CHECKING:
    from .app import Service

MAX_CHOICES = 6
REFERRED = ("This assessment ended with a referral: a red flag stops everything, so no muscle is "
            "flagged and there is no why-not. See the assessment's page for what to do.")
SIDES = {"left": "on the left", "right": "on the right", "both": "on both sides"}
# the why-not form's choices (web_why_not_form.html.j2), as the command line's --state and
# --side; empty: either state, any side
STATES = ("", "overactive", "underactive")
ANY_SIDE = ("", "left", "right", "both")


def mode_of(kept: Any) -> str:
    return kept.mode if kept.mode in ("self", "trainer") else "trainer"


# -- which muscle was asked about -------------------------------------------------------------
def _key(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")


@dataclass
class Pick:
    """What a typed word names: one muscle or group (``ident``), else the ``choices`` it may
    have meant (ids)."""
    ident: str = ""
    choices: list[str] = field(default_factory=list)


def pick(kb: KnowledgeBase, word: str) -> Pick:
    """The muscle or group named by its id, name or an alias, in any case; else the nearest
    ones: a shared plain name ("hamstrings"), names containing the word, or close spellings."""
    want = _key(word)
    if not want:
        return Pick()
    exact: dict[str, list[str]] = {}
    plain: dict[str, list[str]] = {}
    records: list[Muscle | Group] = [*kb.muscles.values(), *kb.groups.values()]
    for record in records:
        ident = record.id
        for text in {ident, record.name, *record.aliases}:
            exact.setdefault(_key(text), []).append(ident)
        if record.plain:
            plain.setdefault(_key(record.plain), []).append(ident)
    found = sorted(set(exact.get(want, [])))
    if len(found) == 1:
        return Pick(found[0])
    choices = found or sorted(set(plain.get(want, [])))
    if not choices:
        choices = [m for m in kb.muscles if f"_{want}_" in f"_{_key(kb.name(m))}_"]
    if not choices:
        choices = [exact[k][0] for k in closest(want, exact, MAX_CHOICES)]
    return Pick(choices=list(dict.fromkeys(choices))[:MAX_CHOICES])


# -- the words --------------------------------------------------------------------------------
class Words:
    """The why-not in the words of an assessment's mode (a trainer also gets the rule ids)."""

    def __init__(self, kb: KnowledgeBase, mode: str) -> None:
        from ..consultation.questionnaire import Questionnaire

        self.kb, self.mode, self.ids = kb, mode, mode != "self"
        self.label = Questionnaire(kb, mode).label

    def question(self, key: str) -> str:
        q = self.kb.questions.get(key)
        elsewhere = q is not None and self.mode not in q.modes
        return f"“{self.label(key)}”" + (" (asked in the other mode)" if elsewhere else "")

    def questions(self, keys: list[str]) -> list[str]:
        return [self.question(k) for k in keys]

    def rule(self, rule: dict[str, Any]) -> str:
        return rule["title"] + (f" ({rule['rule']})" if self.ids else "")

    def premise(self, p: dict[str, Any]) -> str:
        """A rule's premise and how it stands: held, answered no, or never answered."""
        missing, no = self.questions(p["missing"]), self.questions(p["answered_no"])
        open_ = "; ".join(x for x in (f"not answered: {', '.join(missing)}" if missing else "",
                                      f"answered no: {', '.join(no)}" if no else "") if x)
        if p["kind"] == "age":
            low, high = p["outside"]
            return f"an age under {low} or over {high}" + (
                " (the age was not given)" if p["missing"] else "")
        if p["kind"] == "answer" and len(p["ids"]) == 1:
            asked = self.question(p["ids"][0])
            return f"{asked}: " + ("yes" if p["held"] else "not answered" if missing
                                   else "answered no")
        if p["kind"] == "answer":
            asked = " or ".join(self.question(i) for i in p["ids"])
            return f"a yes to {asked}" + ("" if p["held"] else f" ({open_})")
        sign = self.sign(p["ids"][0])
        if p["held"]:
            return f"{sign}: found ({self.certainty(p['certainty'])})"
        weak = f"too weak ({self.certainty(p['certainty'])})" if p.get("too_weak") else "not found"
        return f"{sign}: {weak}" + (f" ({open_})" if open_ else "")

    def certainty(self, value: float) -> str:
        """A decimal for a trainer, per cent for a person alone (as the results' bars)."""
        return f"certainty {value:.2f}" if self.ids else f"certainty {value:.0%}"

    def sign(self, ident: str) -> str:
        """A sign by its name; one observed directly by its question's line (as the picture
        names it)."""
        q = self.kb.questions.get(ident)
        if ident in self.kb.signs or q is None or not q.item:
            return self.kb.name(ident)
        return q.item[:1].upper() + q.item[1:]

    def change(self, change: list[dict[str, str]]) -> str:
        return ", ".join(f"a yes{'' if c['value'] == 'yes' else ' ' + SIDES[c['value']]} to "
                         f"{self.question(c['observation'])}" for c in change)

    def relation(self, g: dict[str, Any]) -> str:
        drivers = ", ".join(self.kb.name(d) for d in g["drivers"])
        named = f" ({g['relation']})" if self.ids else ""
        return f"{g['kind'].replace('_', ' ')} from {drivers}{named}"


def _rules(words: Words, data: dict[str, Any]) -> list[dict[str, Any]]:
    return [{"title": words.rule(r), "fired": r["fired"], "states": " or ".join(r["states"]),
             "other_side": bool(r.get("other_side")),
             "premises": [{"held": p["held"], "text": words.premise(p)} for p in r["premises"]]}
            for r in data["rules"]]


# -- the pages --------------------------------------------------------------------------------
def _evaluated(service: Service, kept: Any) -> tuple[Any, Any]:
    from ..case import parse_case

    case = parse_case(kept.case_data, f"assessment {kept.number}", service.kb)
    return case, service.reasoner.evaluate(case)


def picture(service: Service, kept: Any, number: int) -> str | None:
    """The SVG of how finding ``number`` (1-based, in the report's order) was reached; None
    when there is no such finding. A person alone gets names only (no ids in the tooltips)."""
    from ..explain.picture import explanation_graph, to_svg
    from ..explain.target import Target
    from ..explain.why import why

    kb = service.kb
    findings = kept.report.get("findings", [])
    if kept.report.get("referral") or not 0 < number <= len(findings):
        return None
    f = findings[number - 1]
    case, outcome = _evaluated(service, kept)
    # a group's finding is asked through one of its muscles, then kept alone
    data = why(kb, case, outcome, Target(kb.expand(f["muscle"])[0], f["state"], f["side"]))
    data["findings"] = [x for x in data["findings"]
                        if (x["muscle"], x["state"], x["side"]) ==
                        (f["muscle"], f["state"], f["side"])]
    if not data["findings"]:
        return None  # the knowledge base changed since: the stored words still stand
    data.update(muscle=f["muscle"], name=f["name"])
    graph = explanation_graph(data, kb)
    if mode_of(kept) == "self":
        for node in graph.nodes.values():
            node["detail"] = node["label"]
    return to_svg(graph)


async def finding_picture(service: Service, env: Any, request: Request) -> Response:
    def work() -> str | None:
        _, kept = _assessment(service, request)
        return picture(service, kept, request.path_params["finding"])

    svg = await locked(service, work)
    if svg is None:
        raise HTTPException(404, "no such finding")
    return Response(svg, media_type="image/svg+xml")


def _how(service: Service, kept: Any, found: list[tuple[int, dict[str, Any]]]
         ) -> list[dict[str, Any]]:
    """How each stored finding about the muscle was reached, as on the results page."""
    from ..consultation.questionnaire import Questionnaire
    from ..consultation.reasons import tree

    label = Questionnaire(service.kb, mode_of(kept)).label
    out = []
    for number, f in found:
        lines = tree(service.kb, f, label, ids=mode_of(kept) != "self")
        out.append({"title": lines[0], "lines": lines[2:], "key": bool(f.get("key")),
                    "picture": number, "name": f["name"]})
    return out


def asked_for(state: str, side: str) -> str:
    """The state and side asked about, in words ("" for either state on any side)."""
    return " ".join(x for x in (state, SIDES.get(side, "")) if x)


def why_not_context(service: Service, kept: Any, word: str, state: str = "",
                    side: str = "") -> tuple[int, dict[str, Any]]:
    """The status and context of the why-not page for the muscle named ``word``, in ``state``
    and on ``side`` when given (as ``explain --why-not --state --side``)."""
    from ..explain.counterfactual import why_not_and_change
    from ..explain.target import Target, side_covers

    kb = service.kb
    context: dict[str, Any] = {"word": word, "state": state, "side": side,
                               "muscles": muscle_names(kb)}
    bad = [f"“{given}” is not a {what}: choose {allowed}."
           for given, what, allowed, ok in (
               (state, "state", "overactive, underactive or leave it empty (either)",
                STATES), (side, "side", "left, right, both or leave it empty (any)", ANY_SIDE))
           if given not in ok]
    if bad:
        context["bad"] = bad
        return 422, context
    chosen = pick(kb, word)
    if not chosen.ident:
        context["choices"] = [kb.name(i) for i in chosen.choices]
        return 422, context
    ident = chosen.ident
    context.update(name=kb.name(ident), asked=asked_for(state, side))
    if side and ident in kb.muscles and not kb.muscles[ident].paired:
        context["bad"] = [f"{kb.name(ident)} is a midline muscle and has no side: choose "
                          "“Any side”."]
        return 422, context
    report = kept.report
    about = [(n, f) for n, f in enumerate(report.get("findings", []), 1)
             if f["muscle"] == ident or ident in kb.expand(f["muscle"])]
    found = [(n, f) for n, f in about if (not state or f["state"] == state)
             and side_covers(f["side"], side or None)]
    if found:
        context["how"] = _how(service, kept, found)
        return 200, context
    if ident in kb.groups:
        context["members"] = [kb.name(m) for m in kb.expand(ident)]
        return 200, context
    case, outcome = _evaluated(service, kept)
    data = why_not_and_change(service.reasoner, case, outcome,
                              Target(ident, state or None, side or None))
    context["current"] = [f"{f['name']}: {asked_for(f['state'], f['side'] or '')}"
                          for _, f in about]
    words = Words(kb, mode_of(kept))
    context.update(
        verdict=data["status"], rules=_rules(words, data),
        graph=[words.relation(g) for g in data["graph"]],
        missing=words.questions(data["missing"]), answered_no=words.questions(
            data["answered_no"]),
        change=words.change(data["counterfactual"]) if data.get("counterfactual") else "",
        searched="counterfactual" in data)
    return 200, context


async def why_not(service: Service, env: Any, request: Request) -> Response:
    word = request.query_params.get("muscle", "")[:200]
    state = request.query_params.get("state", "").strip().lower()[:200]
    side = request.query_params.get("side", "").strip().lower()[:200]

    def work() -> tuple[Any, Any, int, dict[str, Any]]:
        client, kept = _assessment(service, request)
        if kept.report.get("referral"):
            return client, kept, 404, {}
        return (client, kept, *why_not_context(service, kept, word, state, side))

    client, kept, status, context = await locked(service, work)
    if not context:
        return error_page(env, request, 404, REFERRED)
    return page(env, request, "web_why_not.html.j2", status, title="Why not?", client=client,
                assessment=kept, **context)
