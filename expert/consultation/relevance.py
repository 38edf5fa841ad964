"""Which questions can still change a finding or the referral, and through which rules.

Rules fire on positive answers only (yes or a side), so what an answer can change is what a yes
could set off. A question *matters* when a yes (on either side, for a sided question) could set
off, now or later:

- a red flag whose other premises can still hold (a referral ends the consultation);
- a rule over observations whose other premises can still hold and that could still move one of
  its conclusions noticeably;
- as an observed sign (every observation is a sign of itself), a rule over signs whose other
  premises can still hold and that could still move one of its conclusions noticeably.

A premise *can still hold* when it holds now, or when something still to be asked in this mode
could make it hold: an answer premise whose question is open; a sign that is observed, or
concluded by a rule that can still fire; the age, while it has not been asked. A premise answered
no or ?, or answerable only in the other mode, cannot hold: an AND rule whose other premise was
answered no never makes a question matter.

*Noticeably* is defined in ``impact``: a muscle's certainty in a state on a side moving by
``noticeable_change`` (facts/kb.yaml) or more, or across the report or key threshold. A rule's
effect on a conclusion is first estimated with MYCIN's combination (a conclusion now at ``c`` that
a rule of certainty ``r`` adds to moves by ``r(1 - c)``; on either side, since the side of an
answer is not known before it is given; evidence for the opposite state always counts, since
netting moves it). The estimate can only overstate what independent evidence adds, but evidence
families, the discount on symptoms alone and graph reasoning can make the real effect larger:
so when the estimate says a question cannot matter while a yes to it would fire a rule *now*, the
question is *probed*: the case is evaluated again with that yes (each side, for a sided
question), and the question matters if the outcome differs noticeably (``impact.noticeable``).
At the end of a consultation every premise is decided, so every question left out has been
checked this way: answering it yes would not have changed anything noticeable.

The age is a follow-up: it matters when a rule that takes it as a premise has all its other
premises holding *now* (asked right after, say, a yes to new back pain). So is a red-flag question
that refers only together with another answer and does not adapt the programme (``pain_is_new``,
which refers only with spinal pain): its red flags' other answer premises must hold *now*, so it is
asked right after the answer that makes it count, not in the screen before it. A red-flag question
that also adapts the programme (the history flags: a referral with spinal pain, a precaution
without) is asked in the screen as soon as it can matter.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass

from ..findings import Outcome
from ..inference.compiler import Compiled, Need, Target, compile_rules
from ..knowledge import KnowledgeBase
from ..program.safety import gate_ids
from .impact import moved
from .questionnaire import AGE

SIDES = ("left", "right")


@dataclass(frozen=True)
class Effect:
    """A rule a yes to a question could set off, with the conclusions it could still change."""

    rule: str  # rule or red-flag id
    stage: str  # red_flag | observations | signs
    via: str = ""  # for a rule over signs: the sign the question is (an observed compensation)
    targets: tuple[Target, ...] = ()


class Relevance:
    """The knowledge base's rules indexed by every premise (the engine indexes only triggers)."""

    def __init__(self, kb: KnowledgeBase) -> None:
        self.kb = kb
        self.threshold = kb.meta.inference.premise_threshold
        self.by_answer: dict[str, list[Compiled]] = defaultdict(list)
        self.by_sign: dict[str, list[Compiled]] = defaultdict(list)
        self.by_age: list[Compiled] = []
        self.concluders: dict[str, list[Compiled]] = defaultdict(list)
        self.compiled: dict[str, Compiled] = {}
        for rule in compile_rules(kb):
            self.compiled[rule.id] = rule
            for need in rule.needs:
                if need.kind == "answer":
                    for ident in need.ids:
                        self.by_answer[ident].append(rule)
                elif need.kind == "sign":
                    self.by_sign[need.ids[0]].append(rule)
                elif rule not in self.by_age:
                    self.by_age.append(rule)
            for t in rule.targets:
                if t.kind == "sign":
                    self.concluders[t.id].append(rule)
        # red-flag questions asked as follow-ups: every red flag they serve needs another answer,
        # and their answer does not adapt the programme
        gates = set(gate_ids(kb))  # conditions, and what the programme's restrictions name
        self.deferred = {
            key for key, rules in self.by_answer.items()
            if key not in gates and all(
                r.stage == "red_flag" and any(n.kind == "answer" and key not in n.ids
                                              for n in r.needs) for r in rules)}

    def snapshot(self, positives: dict[str, str | None], open_keys: set[str], age: int | None,
                 outcome: Outcome, probe: Callable[[str], bool] | None = None) -> Snapshot:
        """The state after the answers so far: ``positives`` maps each question answered yes
        to its side; ``open_keys`` are the topics still to be asked in this mode; ``probe``
        tells whether a yes to a question would change the outcome noticeably (evaluating the
        case again; see the module's docstring)."""
        return Snapshot(self, positives, open_keys, age, outcome, probe)


def satisfied_by(need: Need, key: str) -> bool:
    """True when a yes to ``key`` is what this premise asks for."""
    if need.kind == "answer":
        return key in need.ids
    if need.kind == "sign":
        return need.ids[0] == key
    return key == AGE


class Snapshot:
    """Relevance after one set of answers (rebuilt after every answer)."""

    def __init__(self, rel: Relevance, positives: dict[str, str | None], open_keys: set[str],
                 age: int | None, outcome: Outcome,
                 probe: Callable[[str], bool] | None = None) -> None:
        self.rel, self.positives, self.open, self.age = rel, positives, open_keys, age
        self.probe = probe
        self.signs: dict[str, dict[str | None, float]] = defaultdict(dict)
        for (sign, side), (certainty, _) in outcome.signs.items():
            self.signs[sign][side] = certainty
        self.muscles: dict[tuple[str, str | None, str], float] = {}
        for f in outcome.findings:
            sides = SIDES if f.side == "both" else (f.side,)
            for leaf in f.members or rel.kb.expand(f.muscle):
                for side in sides:
                    self.muscles[(leaf, side, f.state)] = f.certainty
        self._possible: dict[str, bool] = {}
        self._live: dict[str, bool] = {}
        self._matters: dict[str, bool] = {}

    # -- premises ---------------------------------------------------------------------------
    def sign_level(self, sign: str, side: str | None = None) -> float:
        levels = self.signs.get(sign, {})
        if side is None:
            return max(levels.values(), default=0.0)
        return max(levels.get(side, 0.0), levels.get("both", 0.0), levels.get(None, 0.0))

    def holds(self, need: Need) -> bool:
        if need.kind == "answer":
            return any(i in self.positives for i in need.ids)
        if need.kind == "sign":
            return self.sign_level(need.ids[0]) >= self.rel.threshold
        return self.age is not None and not need.low <= self.age <= need.high

    def can_hold(self, need: Need) -> bool:
        if self.holds(need):
            return True
        if need.kind == "answer":
            return any(i in self.open for i in need.ids)
        if need.kind == "sign":
            return self.sign_possible(need.ids[0])
        return self.age is None and AGE in self.open

    def sign_possible(self, sign: str) -> bool:
        """Could the sign still be observed or concluded strongly enough to fire rules?"""
        if sign not in self._possible:
            self._possible[sign] = False  # guards against cycles
            self._possible[sign] = (
                self.sign_level(sign) >= self.rel.threshold or sign in self.open
                or any(all(self.can_hold(n) for n in r.needs)
                       for r in self.rel.concluders.get(sign, ())))
        return self._possible[sign]

    def others_hold(self, rule: Compiled, key: str, now: bool = False) -> bool:
        """Do the premises of ``rule`` other than the one a yes to ``key`` meets hold (now),
        or can they still hold? (For a follow-up red-flag question, its other answer premises
        must hold now.)"""
        answers_now = rule.stage == "red_flag" and key in self.rel.deferred
        for need in rule.needs:
            if satisfied_by(need, key):
                continue
            strict = now or (answers_now and need.kind != "age")
            if not (self.holds(need) if strict else self.can_hold(need)):
                return False
        return True

    # -- conclusions --------------------------------------------------------------------------
    def moves(self, now: float, certainty: float) -> bool:
        """Would evidence of ``certainty`` for a conclusion now at ``now`` move it noticeably
        (MYCIN's combination of independent evidence)?"""
        return moved(self.rel.kb, now, now + certainty * (1.0 - now))

    def settled(self, t: Target) -> bool:
        """Could evidence from this conclusion no longer move anything noticeably?"""
        sides: tuple[str | None, ...] = SIDES if t.paired else (None,)
        if t.kind == "sign":
            return not self.sign_live(t.id) or not any(
                self.moves(self.sign_level(t.id, s), t.certainty) for s in sides)
        return not any(self.moves(self.muscles.get((t.id, s, t.state), 0.0), t.certainty)
                       for s in sides)

    def live_targets(self, rule: Compiled) -> tuple[Target, ...]:
        return tuple(t for t in rule.targets if not self.settled(t))

    def sign_live(self, sign: str) -> bool:
        """Could more evidence for the sign still change a finding?"""
        if sign not in self._live:
            self._live[sign] = False
            self._live[sign] = any(self.others_hold(r, sign) and self.live_targets(r)
                                   for r in self.rel.by_sign.get(sign, ()))
        return self._live[sign]

    # -- questions ----------------------------------------------------------------------------
    def effects(self, key: str) -> list[Effect]:
        """What a yes to ``key`` could still set off; empty when it cannot change anything."""
        out = self._effects(key, estimate=True)
        if not out and self.probe is not None and key != AGE:
            # the estimate says no; a rule a yes would fire now is checked by evaluating
            immediate = self._effects(key, estimate=False, now=True)
            if immediate and self.probe(key):
                out = immediate
        return out

    def _effects(self, key: str, estimate: bool, now: bool = False) -> list[Effect]:
        out: list[Effect] = []
        rules = self.rel.by_age if key == AGE else self.rel.by_answer.get(key, ())
        for rule in rules:
            if not self.others_hold(rule, key, now=now or key == AGE):
                continue
            if rule.stage == "red_flag":
                out.append(Effect(rule.id, rule.stage))
            elif live := (self.live_targets(rule) if estimate else rule.targets):
                out.append(Effect(rule.id, rule.stage, targets=live))
        question = self.rel.kb.questions.get(key)
        if question is not None and key in self.rel.by_sign:
            sides: tuple[str | None, ...] = SIDES if question.sided else (None,)
            if not estimate or any(self.moves(self.sign_level(key, s), 1.0) for s in sides):
                for rule in self.rel.by_sign[key]:
                    if not self.others_hold(rule, key, now=now):
                        continue
                    if live := (self.live_targets(rule) if estimate else rule.targets):
                        out.append(Effect(rule.id, "signs", key, live))
        return out

    def matters(self, key: str) -> bool:
        if key not in self._matters:
            self._matters[key] = bool(self.effects(key))
        return self._matters[key]
