"""The agenda: a small experta engine that decides what to ask next.

It is told the answers so far (``Given``), every topic of the mode still open (``Open``, with
whether it can still change anything, from ``relevance``, and the checklist it waits for), whether
a red flag has fired (``Stop``) and whether the report will hold a programme (``Programme``).
Rules in salience strata assert an ``Ask`` fact; the first one asserted is the next question:

1. ``Stop`` (1000): a referral ends the consultation, nothing more is asked;
2. ``Ask`` (900): records the question chosen and halts;
3. the side of a yes just given to a sided question (100);
4. the safety screen (90);
5. follow-ups such as the age (80);
6. symptoms, habits, posture and movement assessments (50);
7. conditions that adapt the programme, then the equipment at hand, only when there will be a
   programme (10); the consultant marks the equipment as unable to matter when the programme
   addresses no finding.

A question of a checklist (``via``) is not asked while that checklist is open (``Listed``): the
checklist (``Open`` too, ranked just before its questions) is asked instead, and a no to it
answers them.
Once the checklist is answered yes or ?, it is no longer open and its questions are asked one by
one. A checklist is open only while two or more of its questions can still matter; with one left,
that question is asked on its own.

Within a stratum experta's depth strategy fires the most recently declared fact first, so the
open topics are declared last-first: the lowest rank (see ``questionnaire``) is asked first; and
the answers are declared last-first, so the sides of several picks are asked in order.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from experta import AS, MATCH, NOT, Fact, KnowledgeEngine, Rule

from .questionnaire import Topic
from .session import Item, Pending


class Given(Fact):
    """An answer so far: ``key``; ``side_pending`` while the side of a yes is to be asked."""


class Open(Fact):
    """A topic of the mode not answered yet: ``key``, ``stratum``, ``matters``, and ``via``, the
    key of the checklist the question belongs to ("" if none)."""


class Listed(Fact):
    """An open checklist: ``key``. Its questions wait while it is open. (A fact of its own, so
    that experta joins each question with the few open checklists, not with every open topic:
    that join was most of the time a decision took.)"""


class Stop(Fact):
    """A red flag fired: the consultation ends with a referral."""


class Programme(Fact):
    """The report will contain a programme (so conditions that adapt it are worth asking)."""


class Ask(Fact):
    """The next question: ``key`` and ``part`` (answer, or the side of a yes)."""


class Agenda(KnowledgeEngine):
    """Built once per consultation; :meth:`next` resets it and runs one decision."""

    def __init__(self) -> None:
        self.chosen: Pending | None = None
        super().__init__()

    def next(self, items: Iterable[Item], open_topics: Iterable[tuple[Topic, bool]],
             referral: bool, programme: bool) -> Pending | None:
        """The next thing to ask, or None when the consultation is complete."""
        self.reset()
        self.chosen = None
        facts: list[Any] = [Given(key=i.key, side_pending=i.side_pending)
                            for i in reversed(list(items))]
        ordered = sorted(open_topics, key=lambda tm: tm[0].rank, reverse=True)
        facts += [Open(key=t.key, stratum=t.stratum, matters=m, via=t.checklist)
                  for t, m in ordered]
        facts += [Listed(key=t.key) for t, _ in ordered if t.is_checklist]
        if referral:
            facts.append(Stop())
        if programme:
            facts.append(Programme())
        self.declare(*facts)
        self.run()
        return self.chosen

    # -- the strata ---------------------------------------------------------------------------
    @Rule(Stop(), salience=1000)
    def stop_on_referral(self) -> None:
        self.halt()

    @Rule(AS.ask << Ask(), salience=900)
    def chosen_question(self, ask: Any) -> None:
        self.chosen = Pending(ask["key"], ask["part"])
        self.halt()

    @Rule(Given(key=MATCH.key, side_pending=True), salience=100)
    def which_side(self, key: str) -> None:
        self.declare(Ask(key=key, part="side"))

    @Rule(Open(key=MATCH.key, stratum="screen", matters=True, via=MATCH.via),
          NOT(Listed(key=MATCH.via)), salience=90)
    def safety_screen(self, key: str) -> None:
        self.declare(Ask(key=key, part="answer"))

    @Rule(Open(key=MATCH.key, stratum="follow_up", matters=True), salience=80)
    def follow_up(self, key: str) -> None:
        self.declare(Ask(key=key, part="answer"))

    @Rule(Open(key=MATCH.key, stratum="survey", matters=True, via=MATCH.via),
          NOT(Listed(key=MATCH.via)), salience=50)
    def survey(self, key: str) -> None:
        self.declare(Ask(key=key, part="answer"))

    @Rule(Open(key=MATCH.key, stratum="programme", matters=True, via=MATCH.via),
          NOT(Listed(key=MATCH.via)), Programme(), salience=10)
    def programme_conditions(self, key: str) -> None:
        self.declare(Ask(key=key, part="answer"))
