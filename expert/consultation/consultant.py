"""The consultant: answers in, the next question and the findings out. No terminal I/O.

After every change to the answers it re-derives everything (``standing.py``: the case, the
reasoner's outcome, which open questions can still matter) and the agenda's choice of the next
question; then it saves the session (atomically) with that question as pending.

Checklists: a checklist lists its questions that are open and can still matter (all of them for
the conditions); a no to it answers each of them no (``Session.implied``), the numbers of the
items that apply answer those yes and the rest no, and yes or ? leave them to be asked one by
one. Changing a checklist's answer re-derives its questions: its picks go, and a no or new picks
also replace the answers given to its items one by one.

Equipment: the answer is the case's ``subject.equipment`` (none: an empty list; ?: not given,
the programme keeps its assumed kit); it is asked only when the programme addresses a finding
(``standing.addresses``).
"""

from __future__ import annotations

from dataclasses import dataclass

from ..inference.reasoner import Reasoner
from ..knowledge import KnowledgeBase
from . import numbering
from .agenda import Agenda
from .answers import Reply
from .checks import check_session
from .probing import referral_level
from .questionnaire import EQUIPMENT, Questionnaire, Topic
from .questionnaire import PROGRAMME as CONDITION
from .recording import checklist_answer, equipment_answer
from .relevance import Relevance
from .session import Item, Pending, Session
from .standing import Standing, addresses


@dataclass(frozen=True)
class Prompt:
    """A question to put: the topic, which part (the answer, or the side of a yes), and the
    number it has in this consultation."""

    topic: Topic
    part: str
    number: int
    items: tuple[str, ...] = ()  # a checklist: the questions it lists, in order


MIN_ITEMS = 2  # a checklist with fewer questions that can still matter is not asked


class Consultant(Standing):
    """One consultation over one knowledge base: where it stands (``Standing``), the question
    to put next, and changes to the answers. Build the reasoner once per process and pass it in
    (it is the expensive part)."""

    def __init__(self, kb: KnowledgeBase, session: Session, reasoner: Reasoner | None = None,
                 relevance: Relevance | None = None) -> None:
        super().__init__(kb, session, reasoner, relevance)
        self.agenda = Agenda()
        check_session(kb, self.questionnaire, session)
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

    # -- the question being asked ---------------------------------------------------------------
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

    def set_mode(self, mode: str) -> None:
        """Switch mode (on resume): the answers stay, the texts and the open questions change."""
        if mode != self.session.mode:
            self.session.mode = mode
            self.questionnaire = Questionnaire(self.kb, mode)
            self._after_change(self.session.pending)
