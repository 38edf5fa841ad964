"""The consultant: answers in, the next question and the findings out. No terminal I/O.

After every change to the answers it re-derives everything: the case, the reasoner's outcome
(findings and referral), which open questions can still matter, and the agenda's choice of the
next question; then it saves the session (atomically) with that question as pending.

Checklists: a checklist lists its questions that are open and can still matter (all of them for
the conditions); a no to it answers each of them no (``Session.implied``), the numbers of the
items that apply answer those yes and the rest no, and yes or ? leave them to be asked one by
one. Changing a checklist's answer re-derives its questions: its picks go, and a no or new picks
also replace the answers given to its items one by one.

Equipment: asked with the conditions (the programme stratum), but only when the programme would
address a finding (it has an item, or leaves one out for want of equipment); the answer is the
case's ``subject.equipment`` (none: an empty list; ?: not given, the programme keeps its assumed
kit).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..case import Case
from ..findings import Outcome
from ..inference.reasoner import Reasoner
from ..knowledge import KnowledgeBase
from ..screening import AGE as SCREEN_AGE
from ..screening import open_questions
from . import numbering
from .agenda import Agenda
from .answered import build_case, positive
from .answers import SIDES, Reply
from .checks import check_session
from .probing import changes_noticeably, referral_level
from .questionnaire import AGE, EQUIPMENT, Questionnaire, Topic
from .questionnaire import PROGRAMME as CONDITION
from .recording import checklist_answer, equipment_answer
from .relevance import Effect, Relevance, Snapshot
from .session import Item, Pending, Session


@dataclass(frozen=True)
class Prompt:
    """A question to put: the topic, which part (the answer, or the side of a yes), and the
    number it has in this consultation."""

    topic: Topic
    part: str
    number: int
    items: tuple[str, ...] = ()  # a checklist: the questions it lists, in order


MIN_ITEMS = 2  # a checklist with fewer questions that can still matter is not asked


def addresses(program: dict[str, Any] | None) -> bool:
    """Does the programme address a finding (an item, or one left out for want of equipment)?
    Only then can the equipment at hand change it."""
    if program is None:
        return False
    return any(p.get("items") for p in program.get("phases", [])) or any(
        r.get("kind") == "equipment" for r in program.get("removed", []))


class Consultant:
    """One consultation over one knowledge base. Build the reasoner once per process and pass
    it in (it is the expensive part)."""

    def __init__(self, kb: KnowledgeBase, session: Session, reasoner: Reasoner | None = None,
                 relevance: Relevance | None = None) -> None:
        self.kb = kb
        self.reasoner = reasoner or Reasoner(kb)
        self.relevance = relevance or Relevance(kb)
        self.agenda = Agenda()
        self.session = session
        self.questionnaire = Questionnaire(kb, session.mode)
        check_session(kb, self.questionnaire, session)
        self._cache: dict[str, Any] = {}
        self.save_error: OSError | None = None

    # -- the session file -------------------------------------------------------------------
    def save(self) -> bool:
        """Save the session; when its file cannot be written the answers stay in memory and
        ``save_error`` says why (the dialogue offers another file). True when saved."""
        try:
            self.session.save()
        except OSError as exc:
            self.save_error = exc
            return False
        self.save_error = None
        return True

    # -- derived state (cached until the answers change) ------------------------------------
    def _changed(self) -> None:
        self._cache.clear()

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

    def why(self, prompt: Prompt, how: str | None = None) -> list[str]:
        """Why the question ``prompt`` puts is asked, in lines of words (the same for the
        terminal's ``why`` and the browser's "Why are you asking?"); rule ids for a trainer.
        ``how``: how a checklist is answered, in the words of the front end."""
        from . import reasons
        topic = prompt.topic
        if topic.is_equipment:
            return reasons.why_equipment(self.kb, self.report())
        if topic.is_checklist:
            return reasons.why_checklist(self.kb, self.relevance, self.snapshot(), topic.stratum,
                                         prompt.items, self.questionnaire.item,
                                         how or reasons.TYPED)
        return reasons.why(self.kb, self.relevance, self.snapshot(), topic.key, prompt.part,
                           topic.help, ids=self.session.mode != "self")

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

    def effects(self, key: str) -> list[Effect]:
        """What a yes to ``key`` could still change (for ``why``)."""
        return self.snapshot().effects(key)

    # -- the next question ----------------------------------------------------------------------
    def _valid(self, pending: Pending | None) -> bool:
        if pending is None or pending.key not in self.questionnaire:
            return False
        item = self.session.item(pending.key)
        if pending.part == "side":
            return item is not None and item.side_pending
        if self.questionnaire.topic(pending.key).is_checklist:
            return item is None and len(self.listed(pending.key)) >= MIN_ITEMS
        if pending.key == EQUIPMENT:
            return item is None and pending.key in self.open_keys() and self.equipment_matters()
        return item is None and pending.key in self.open_keys()

    def _decide(self) -> Pending | None:
        if self.referral:
            return None
        snapshot = self.snapshot()
        opened = [self.questionnaire.topic(k) for k in self.open_keys()]
        screen = self.screen_open()
        pairs = [(t, t.stratum == "programme" or t.key in screen or snapshot.matters(t.key)
                  or (bool(t.skips) and self._gates(t))) for t in opened]
        answered = self.session.answered()
        pairs += [(t, True) for k, t in self.questionnaire.topics.items()
                  if t.is_checklist and k not in answered and len(self.listed(k)) >= MIN_ITEMS]
        programme = False
        adapts = [t for t, _ in pairs if t.stratum == "programme" or t.category == CONDITION]
        if not any(m for t, m in pairs if t.stratum != "programme") and adapts:
            program = self.report().get("program")
            programme = program is not None
            if not addresses(program):  # nothing the equipment could change
                pairs = [(t, m and not t.is_equipment) for t, m in pairs]
            if programme:  # a condition asked early to skip an assessment adapts it too
                pairs = [(t, m or t.category == CONDITION) for t, m in pairs]
        return self.agenda.next(self.session.items, pairs, self.referral, programme)

    def _gates(self, topic: Topic) -> bool:
        """Is an assessment that a yes to ``topic`` would skip still to be asked?"""
        snapshot = self.snapshot()
        return any(snapshot.matters(k) for k in self.open_keys()
                   if self.questionnaire.topic(k).category in topic.skips)

    def screen_open(self) -> set[str]:
        """The safety-screen questions (and the age) the answers so far leave open, as
        ``imbalance run`` would list them (``expert.screening``): always asked."""
        case = self.case()
        return {AGE if q.id == SCREEN_AGE else q.id
                for q in open_questions(self.kb, case.answers, case.subject.age)}

    def current(self) -> Prompt | None:
        """The question being asked, deciding (and saving) it if there is none yet."""
        session = self.session
        if not self._valid(session.pending):
            session.pending = self._decide()
            session.complete = session.pending is None
            self.save()
        if session.pending is None:
            return None
        topic = self.questionnaire.topic(session.pending.key)
        index = session.index(topic.key)
        number = (numbering.numbers(session.items)[index] if index is not None else
                  numbering.asked(session.items) + 1)
        items = (self.listed(topic.key) if topic.is_checklist else
                 topic.items if topic.is_equipment else ())
        return Prompt(topic, session.pending.part, number, items)

    # -- changing the answers ---------------------------------------------------------------
    def _after_change(self, pending: Pending | None = None) -> None:
        self._changed()
        self.session.pending = pending
        if not self._valid(pending):
            self.session.pending = self._decide()
        self.session.complete = self.session.pending is None
        self.save()

    def answer(self, reply: Reply) -> None:
        """Record the answer to the pending question, decide the next one and save."""
        pending = self.session.pending
        if pending is None:
            raise ValueError("no question is pending")
        topic = self.questionnaire.topic(pending.key)
        if topic.is_checklist:
            listed = self.listed(topic.key)
            self.session.items += checklist_answer(self.questionnaire, topic.key, reply, listed)
        elif topic.is_equipment:
            self.session.items.append(equipment_answer(self.kb, reply))
        elif pending.part == "side":
            item = self.session.item(topic.key)
            assert item is not None
            item.value, item.certainty, item.side_pending = (reply.value, reply.certainty,
                                                             False)
            item.side_asked = True
        else:
            ask_side = topic.sided and reply.value == "yes"
            self.session.items.append(Item(topic.key, reply.value, reply.certainty, ask_side))
        self._after_change()

    def back(self) -> bool:
        """Undo the last answer and ask its question again; False if there is none. A side
        asked after a yes is asked again (the yes stays); a checklist's answer goes with its
        picks whose sides are not given yet, so the checklist is asked again."""
        items = self.session.items
        at = numbering.last_step(items)
        if at is None:
            return False
        last = items[at]
        if last.side_asked:  # back to its side
            last.value, last.side_pending, last.side_asked = "yes", True, False
            self._after_change(Pending(last.key, "side"))
            return True
        key = last.key
        items[:] = [i for i in items if i.picked != key and i.key != key]
        self._after_change(Pending(key))
        return True

    def would_refer(self, reply: Reply) -> str | None:
        """The referral level the answer to the pending question would give (None if none):
        a number picked by mistake in the safety screen is worth a second look."""
        pending = self.session.pending
        if pending is None or self.referral:
            return None
        topic = self.questionnaire.topic(pending.key)
        if not topic.is_checklist or not reply.picks:
            return None
        listed = self.listed(topic.key)
        return referral_level(self.reasoner, self.case(),
                              [listed[n - 1] for n in reply.picks if 1 <= n <= len(listed)])

    def change(self, number: int, reply: Reply) -> Item:
        """Replace answer ``number`` (1-based) and re-derive everything."""
        items = self.session.items
        item = items[number - 1]
        if item.is_checklist:
            replaced = item.items if reply.value in ("no", "picked") else ()
            kept = [i for i in items
                    if i is item or (i.picked != item.key and i.key not in replaced)]
            new = checklist_answer(self.questionnaire, item.key, reply, item.items)
            at = kept.index(item)
            items[:] = kept[:at] + new + kept[at + 1:]
            item = new[0]
        elif item.is_equipment:
            item = items[number - 1] = equipment_answer(self.kb, reply)
        else:
            item.value, item.certainty, item.side_pending = reply.value, reply.certainty, False
        pending = self.session.pending
        self._after_change(pending if pending and pending.key != item.key else None)
        return item

    def item(self, number: int) -> Item | None:
        items = self.session.items
        return items[number - 1] if 1 <= number <= len(items) else None

    def topic_of(self, key: str) -> Topic | None:
        return self.questionnaire.topics.get(key)

    def set_mode(self, mode: str) -> None:
        """Switch mode (on resume): the answers stay, the texts and the open questions change."""
        if mode != self.session.mode:
            self.session.mode = mode
            self.questionnaire = Questionnaire(self.kb, mode)
            self._after_change(self.session.pending)
