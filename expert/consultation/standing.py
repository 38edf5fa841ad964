"""Where a consultation stands: what its answers so far work out to. No terminal I/O.

From the session's answers it derives the case, the reasoner's outcome (findings and referral),
the report and the programme, the questions still open (on their own or through a checklist),
which of them can still matter and why, and the safety-screen questions still open; each is
worked out once and kept until the answers change (``_changed``). The consultant
(``consultant.py``) builds on this to choose the next question and to change the answers.

Equipment: asked with the conditions (the programme stratum), but only when the programme would
address a finding (it has an item, or leaves one out for want of equipment): ``addresses``.
"""

from __future__ import annotations

from typing import Any

from ..case import Case
from ..findings import Outcome
from ..inference.reasoner import Reasoner
from ..knowledge import KnowledgeBase
from ..screening import AGE as SCREEN_AGE
from ..screening import open_questions
from .answered import build_case, positive
from .answers import SIDES, Reply
from .probing import changes_noticeably
from .questionnaire import AGE, EQUIPMENT, Questionnaire, Topic
from .relevance import Effect, Relevance, Snapshot
from .session import Item, Session


def addresses(program: dict[str, Any] | None) -> bool:
    """Does the programme address a finding (an item, or one left out for want of equipment)?
    Only then can the equipment at hand change it."""
    if program is None:
        return False
    return any(p.get("items") for p in program.get("phases", [])) or any(
        r.get("kind") == "equipment" for r in program.get("removed", []))


class Standing:
    """The answers of one consultation over one knowledge base and what they work out to,
    cached until the answers change. Build the reasoner once per process and pass it in (it is
    the expensive part)."""

    def __init__(self, kb: KnowledgeBase, session: Session, reasoner: Reasoner | None = None,
                 relevance: Relevance | None = None) -> None:
        self.kb = kb
        self.reasoner = reasoner or Reasoner(kb)
        self.relevance = relevance or Relevance(kb)
        self.session = session
        self.questionnaire = Questionnaire(kb, session.mode)
        self._cache: dict[str, Any] = {}

    def _changed(self) -> None:
        self._cache.clear()

    # -- the case and its outcome ---------------------------------------------------------------
    def case(self) -> Case:
        if "case" not in self._cache:
            self._cache["case"] = build_case(self.kb, self.session)
        case: Case = self._cache["case"]
        return case

    def outcome(self) -> Outcome:
        if "outcome" not in self._cache:
            self._cache["outcome"] = self.reasoner.evaluate(self.case())
        outcome: Outcome = self._cache["outcome"]
        return outcome

    def report(self) -> dict[str, Any]:
        """The report of the answers so far (``expert.report.to_data``)."""
        if "report" not in self._cache:
            from ..report import to_data
            self._cache["report"] = to_data(self.case(), self.kb, self.outcome(),
                                            self.programme())
        report: dict[str, Any] = self._cache["report"]
        return report

    def programme(self) -> dict[str, Any] | None:
        """The corrective programme for the answers so far, as ``imbalance run`` builds it
        (None under a referral, or where this installation has no programme generator)."""
        try:
            from ..program import build_program
        except ImportError:  # pragma: no cover - the generator ships with the package
            return None
        program = build_program(self.kb, self.case(), self.outcome())
        return program.to_data() if program else None

    @property
    def referral(self) -> bool:
        return self.outcome().referral is not None

    # -- the questions still open ---------------------------------------------------------------
    def open_keys(self) -> set[str]:
        """The questions of the mode (and the age) not answered yet, on their own or by a
        checklist."""
        if "open" not in self._cache:
            answered = self.session.answered()
            implied = self.session.implied()
            skipped = self.skipped_categories()
            self._cache["open"] = {k for k, t in self.questionnaire.topics.items()
                                   if not t.is_checklist and k not in answered
                                   and k not in implied and t.category not in skipped
                                   and (not t.refines or self.positive(t.refines))}
        keys: set[str] = self._cache["open"]
        return keys

    def positive(self, key: str) -> bool:
        """Is question ``key`` answered yes (or with a side) on its own?"""
        return positive(self.session, key)

    def skipped_categories(self) -> set[str]:
        """The assessments a yes has ruled out (``skips``: no single-leg squat with a fall
        risk); their questions are not asked."""
        out: set[str] = set()
        for item in self.session.items:
            topic = self.questionnaire.topics.get(item.key)
            if topic is not None and topic.skips and Reply(item.value, item.certainty).positive:
                out.update(topic.skips)
        return out

    def listed(self, key: str) -> tuple[str, ...]:
        """The questions a checklist lists now: those of the mode that are open and can still
        matter (for the conditions: all that are open), in order."""
        cached = f"listed:{key}"
        if cached not in self._cache:
            topic = self.questionnaire.topic(key)
            open_keys = self.open_keys()
            snapshot = self.snapshot()
            self._cache[cached] = tuple(
                k for k in topic.items
                if k in open_keys and (topic.stratum == "programme" or snapshot.matters(k)))
        items: tuple[str, ...] = self._cache[cached]
        return items

    def screen_open(self) -> set[str]:
        """The safety-screen questions (and the age) the answers so far leave open, as
        ``imbalance run`` would list them (``expert.screening``): always asked."""
        case = self.case()
        return {AGE if q.id == SCREEN_AGE else q.id
                for q in open_questions(self.kb, case.answers, case.subject.age)}

    # -- which of them can still matter -------------------------------------------------------
    def snapshot(self) -> Snapshot:
        if "snapshot" not in self._cache:
            positives: dict[str, str | None] = {}
            age = None
            for item in self.session.items:
                if item.key == AGE:
                    age = int(item.value) if item.value.isdigit() else None
                elif item.key in self.kb.questions and Reply(item.value,
                                                              item.certainty).positive:
                    positives[item.key] = item.value if item.value in SIDES else None
            self._cache["snapshot"] = self.relevance.snapshot(positives, self.open_keys(), age,
                                                              self.outcome(), self.probe)
        snapshot: Snapshot = self._cache["snapshot"]
        return snapshot

    def probe(self, key: str) -> bool:
        """Would a yes to ``key`` (on any side, for a sided question) change the outcome
        noticeably (``impact``)? Evaluates the case again with each such answer."""
        return changes_noticeably(self.kb, self.reasoner, self.case(), self.outcome(), key)

    def effects(self, key: str) -> list[Effect]:
        """What a yes to ``key`` could still change (for ``why``)."""
        return self.snapshot().effects(key)

    def remaining(self) -> int:
        """About how many more questions there are: the open ones that can still change the
        referral or a finding (the questions of one checklist counted once), not counting the
        conditions and equipment asked at the end."""
        if self.referral:
            return 0
        snapshot, screen = self.snapshot(), self.screen_open()
        asks = set()
        for key in self.open_keys():
            topic = self.questionnaire.topic(key)
            if topic.stratum != "programme" and (key in screen or snapshot.matters(key)):
                asks.add(topic.checklist or key)
        return len(asks)

    def skipped(self) -> int:
        """How many questions of the mode were left out because they could not change
        anything (at the end of a consultation: every question still open)."""
        program = self.report().get("program")
        return sum(1 for k in self.open_keys()
                   if self.questionnaire.topic(k).stratum != "programme" or program is None
                   or (k == EQUIPMENT and not addresses(program)))

    def equipment_matters(self) -> bool:
        """Would the equipment at hand change the programme (one that addresses a finding)?"""
        return addresses(self.report().get("program"))

    # -- lookups --------------------------------------------------------------------------------
    def item(self, number: int) -> Item | None:
        items = self.session.items
        return items[number - 1] if 1 <= number <= len(items) else None

    def topic_of(self, key: str) -> Topic | None:
        return self.questionnaire.topics.get(key)
