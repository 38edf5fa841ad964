"""What if, in the browser: a stored assessment's answers as switches, and the difference a
change of them would make (findings gained, lost and changed, the referral, the core of the
programme), worked out by the what-if core of ``imbalance explain --what-if``
(``expert.explain.whatif``).

Every change lives in the page's query string (``?OBS=VALUE&add=OBS&add_side=left``, the
subject's fields as ``expert.web.subject`` reads them, plus ``part=difference`` for the
difference alone, which ``static/whatif.js`` swaps in live): the stored assessment is never
changed. Under a red flag the findings may still be compared, but no
programme is shown while the red flag stands."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from ..case import Answer, Case
from ..knowledge import KnowledgeBase
from ..problems import InputError, shown
from ..spelling import suggest
from . import subject
from .pages import error_page, locked, page
from .results import _assessment

if TYPE_CHECKING:
    from ..consultation.questionnaire import Questionnaire
    from .app import Service

SCREEN = "red_flag"
ADD, ADD_SIDE, PART = "add", "add_side", "part"
WORDS = {"yes": "Yes", "no": "No", "unknown": "Don't know", "left": "Yes, on the left",
         "right": "Yes, on the right", "both": "Yes, on both sides"}
PLAIN = ("yes", "no", "unknown")
SIDED = ("left", "right", "both", "yes", "no", "unknown")
ADD_SIDES = ("yes", "left", "right", "both")


def words(value: str, sided: bool = False) -> str:
    """An answer in words (a sided yes without a side says so)."""
    return "Yes, side not given" if sided and value == "yes" else WORDS[value]


@dataclass(frozen=True)
class Asked:
    """What the query asks: answers by observation id, the problems with it (in words), and
    whether only the difference is wanted."""

    values: dict[str, str]
    problems: list[str]
    fragment: bool
    given: dict[str, set[str]] = field(default_factory=dict)  # the subject's keys' values


def asked(kb: KnowledgeBase, params: list[tuple[str, str]]) -> Asked:
    """Read the query: every parameter but add, add_side, part and the subject's fields
    (``expert.web.subject``) names an observation."""
    fields = subject.keys(kb)
    most = len(kb.questions) + 3 + len(fields) + len(kb.equipment) + 1
    if len(params) > most:  # each at most once: bounds the work on a bad one
        return Asked({}, [f"{len(params)} answers are more than there are questions "
                          f"({len(kb.questions)}): give each at most once."], False)
    given: dict[str, set[str]] = {}
    for key, value in params:
        given.setdefault(key, set()).add(value.strip().lower())
    own = {k: given.pop(k) for k in fields & set(given)}
    problems: list[str] = []
    values: dict[str, str] = {}

    def one(key: str) -> str:
        found = given.get(key, {""})
        if len(found) > 1:
            problems.append(f"{shown(key)} is given more than once, with different answers: "
                            "give it once.")
        return sorted(found)[0]

    part = one(PART)
    if part not in ("", "difference"):
        problems.append(f"part={shown(part)} is not a part of this page: use part=difference "
                        "or leave it out.")
    for key in sorted(k for k in given if k not in (ADD, ADD_SIDE, PART)):
        value = one(key)
        question = kb.questions.get(key)
        if question is None:
            hint = suggest(key, kb.questions)
            problems.append(f"There is no observation {shown(key)}"
                            f"{': ' + hint if hint else ''}.")
        elif value and value not in (SIDED if question.sided else PLAIN):
            problems.append(f"{shown(value)} is not an answer to {key}: use "
                            f"{', '.join(SIDED if question.sided else PLAIN)}.")
        elif value:
            values[key] = value
    added, side = one(ADD), one(ADD_SIDE) or "yes"
    if side not in ADD_SIDES:
        problems.append(f"add_side={shown(side)} is not a side: use yes, left, right or both.")
    elif added and added not in kb.questions:
        hint = suggest(added, kb.questions)
        problems.append(f"There is no observation {shown(added)} to add"
                        f"{': ' + hint if hint else ''}.")
    elif added and added not in values:  # a switch of the same observation wins
        values[added] = side if kb.questions[added].sided else "yes"
    return Asked(values, problems, part == "difference", own)


@dataclass(frozen=True)
class Switch:
    """One answer as a switch: ``stored`` is the answer kept (None: added on this page)."""

    key: str
    label: str
    stored: Answer | None
    value: str
    options: list[tuple[str, str]]

    @property
    def changed(self) -> bool:
        return self.stored is None or self.stored.value != self.value


@dataclass
class Difference:
    """What the page shows about the change: the core's difference plus words and the
    programme's core before and after."""

    changes: list[tuple[str, str, str]] = field(default_factory=list)  # label, before, after
    data: dict[str, Any] = field(default_factory=dict)  # expert.explain.whatif.diff
    referral: dict[str, Any] | None = None  # the referral after the change
    stands: bool = False  # the assessment itself refers: a red flag stands
    programme: dict[str, Any] | None = None  # {added, removed, before, after} or None
    problems: list[str] = field(default_factory=list)
    fields: subject.Asked = field(default_factory=subject.Asked)  # the subject's changes


def stored_answers(kb: KnowledgeBase, case: Case) -> dict[str, Answer]:
    """The case's answers, with ``red_flags: none`` read as a no to every red-flag question."""
    screen = {q.id: Answer(value="no") for q in kb.questions.values()
              if q.category == SCREEN} if case.red_flags == "none" else {}
    return {**screen, **case.answers}


def switches(kb: KnowledgeBase, q: Questionnaire, stored: dict[str, Answer],
             values: dict[str, str]) -> list[tuple[str, list[Switch]]]:
    """The switches in groups: the answers given yes, then the others by section in the order
    of asking, then those added on this page."""
    from ..consultation.questionnaire import KIND_TITLES

    order = {k: t.rank for k, t in q.topics.items()}
    last = len(order)
    groups: dict[str, list[Switch]] = {"Answered yes": []}
    for key in sorted({*stored, *values}, key=lambda k: (order.get(k, last), k)):
        question, answer = kb.questions[key], stored.get(key)
        choices = SIDED if question.sided else PLAIN
        options = [(v, words(v, question.sided)) for v in choices]
        if answer is None:
            group, options = "Added here", [("", "Not answered"), *options]
        else:
            group = ("Answered yes" if answer.positive else
                     q.topics[key].section if key in q.topics else
                     KIND_TITLES.get(question.category, question.category))
            sure = "" if answer.certainty == 1 else f", certainty {answer.certainty:g}"
            options = [(v, f"{w} (as answered{sure})" if v == answer.value else w)
                       for v, w in options]
        value = values.get(key, answer.value if answer else "")
        groups.setdefault(group, []).append(Switch(key, q.label(key), answer, value, options))
    return [(g, s) for g, s in groups.items() if s]


def additions(kb: KnowledgeBase, q: Questionnaire, stored: dict[str, Answer],
              values: dict[str, str]) -> list[tuple[str, list[tuple[str, str]]]]:
    """The questions of the mode not answered, by section in the order of asking."""
    out: dict[str, list[tuple[str, str]]] = {}
    for key, topic in sorted(q.topics.items(), key=lambda kv: kv[1].rank):
        if key in kb.questions and key not in stored and key not in values:
            out.setdefault(topic.section, []).append((key, topic.text))
    return list(out.items())


def core_items(kb: KnowledgeBase, case: Case, outcome: Any) -> list[str] | None:
    """The core exercises of the case's programme (name and side), None without one."""
    from ..program import build_program

    program = build_program(kb, case, outcome)
    if program is None:
        return None
    return [f"{i.name} ({i.side})" if i.side in ("left", "right") else i.name
            for i in program.items if i.core]


def difference(service: Service, q: Questionnaire, case: Case, stored: dict[str, Answer],
               values: dict[str, str], fields: subject.Asked) -> Difference:
    """The difference the page's answers and subject's fields make, by the CLI's what-if
    core."""
    from ..explain.whatif import changed, diff
    from ..report import referral_data

    kb, reasoner = service.kb, service.reasoner
    wanted = {o: v for o, v in sorted(values.items())
              if o not in stored or stored[o].value != v}
    changes: dict[str, dict[str, Any]] = {o: {"value": v, "certainty": 1.0}
                                          for o, v in wanted.items()}
    out = Difference(fields=fields)
    if not changes and not fields.fields:
        return out
    for o, value in wanted.items():
        sided = kb.questions[o].sided
        was = stored.get(o)
        out.changes.append((q.label(o), words(was.value, sided) if was else
                            "Not answered", words(value, sided)))
    out.changes += fields.words
    base = case
    for fid, ref in kb.refinements.items():  # the weeks of a pregnancy go with its yes
        if ref.condition in changes and changes[ref.condition]["value"] in ("no", "unknown"):
            base = base.model_copy(update={
                "subject": base.subject.model_copy(update={fid: None})})
    try:
        new = changed(base, kb, changes, fields.fields)
    except InputError as exc:
        out.problems = [p.line() for p in exc.problems]
        return out
    before, after = reasoner.evaluate(case), reasoner.evaluate(new)
    out.data = diff(kb, before, after)
    out.referral = referral_data(after, kb)
    out.stands = before.referral is not None
    if before.referral is None and after.referral is None:  # no programme under a red flag
        old, now = core_items(kb, case, before), core_items(kb, new, after)
        out.programme = {"before": old, "after": now,
                         "added": [i for i in now or [] if i not in (old or [])],
                         "removed": [i for i in old or [] if i not in (now or [])]}
    return out


async def what_if(service: Service, env: Any, request: Request) -> Response:
    """The what-if page of an assessment, or (``part=difference``) its difference alone."""
    from ..case import parse_case
    from ..consultation.questionnaire import Questionnaire

    query = asked(service.kb, request.query_params.multi_items())

    def work() -> tuple[Any, ...]:
        found, kept = _assessment(service, request)
        case = parse_case(kept.case_data, f"assessment {kept.number}", service.kb)
        q = Questionnaire(service.kb, kept.mode if kept.mode in ("self", "trainer")
                          else "trainer")
        stored = stored_answers(service.kb, case)
        fields = subject.asked(service.kb, q.label, q.mode, case, query.given)
        problems = [*query.problems, *fields.problems]
        shown_diff = (Difference(problems=problems, fields=fields) if problems else
                      difference(service, q, case, stored, query.values, fields))
        return (found, kept, shown_diff, switches(service.kb, q, stored, query.values),
                additions(service.kb, q, stored, query.values),
                subject.switches(service.kb, q.label, q.mode, case, fields))

    try:
        found, kept, diff, groups, adds, (numbers, kit) = await locked(service, work)
    except InputError as exc:  # kept under an older knowledge base whose ids have changed
        return error_page(env, request, 409, "This assessment's answers no longer match the "
                          f"knowledge base, so no what-if can be worked out: {exc}")
    status = 422 if diff.problems else 200
    context = {"client": found, "assessment": kept, "diff": diff,
               "threshold": service.kb.meta.inference.key_threshold}
    if query.fragment:
        html = env.get_template("web_whatif_difference.html.j2").render(**context)
        return HTMLResponse(html, status_code=status)
    return page(env, request, "web_whatif.html.j2", status, title="What if", groups=groups,
                additions=adds, numbers=numbers, kit=kit, unsaid=subject.UNSAID,
                sided={k for k, question in service.kb.questions.items() if question.sided},
                **context)
