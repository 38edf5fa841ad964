"""Cross-reference checks over a loaded knowledge base: every id resolves, groups have no
cycles, red-flag questions are screened, red-flag and condition questions are in checklists,
signs are used, the equipment the consultation asks about is exactly the case files' equipment
vocabulary. Returns problems; never raises."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, get_args

from ..equipment import Equipment
from ..problems import Problem
from ..spelling import suggest
from .rulebook import (
    AgePremise,
    AnyOfPremise,
    MuscleConclusion,
    ObservationPremise,
    Premise,
    SignConclusion,
    SignPremise,
)

if TYPE_CHECKING:
    from .base import KnowledgeBase

# categories whose questions must be in a checklist: the safety screen and the conditions
CHECKLISTED = ("red_flag", "condition")


# words of a reference's kind ("muscle or group", "condition question", ...) -> the tables
# (loader section keys) that define the ids it names
DEFINED_IN = {
    "source": ("sources",), "edition": ("editions",), "region": ("regions",),
    "checkpoint": ("checkpoints",), "joint": ("joints",), "muscle": ("muscles", "groups"),
    "group": ("groups",), "observation": ("questions",), "question": ("questions",),
    "sign": ("signs", "questions"), "family": ("families",), "exercise": ("exercises",),
    "technique": ("doses",), "posture": ("postures",),
}


def defined_in(what: str) -> tuple[str, ...]:
    """The tables that define the ids a reference of kind ``what`` names."""
    words = what.replace("(", " ").split()
    return tuple(dict.fromkeys(t for w in words for t in DEFINED_IN.get(w, ())))
EXAMPLES = 3  # consequences shown with their summary


@dataclass
class Damage:
    """What failed to load, so that the problems it causes elsewhere (references to the ids it
    would have defined, signs no rule concludes because the rules are lost) are reported as its
    consequences, summarised after the causes, instead of burying them."""

    tables: dict[str, str] = field(default_factory=dict)  # table lost whole -> its file
    entries: dict[str, dict[str, str]] = field(default_factory=dict)  # table -> {id: file}

    def lose_table(self, table: str, file: str) -> None:
        self.tables.setdefault(table, file)

    def lose_entry(self, table: str, rid: str, file: str) -> None:
        """An entry that did not validate; ``rid`` "" when it has no readable id."""
        self.entries.setdefault(table, {}).setdefault(rid, file)

    def cause(self, tables: Iterable[str], value: str | None = None) -> str | None:
        """The file whose failure explains a missing ``value`` of these tables (or, with no
        value, anything missing from them), or None."""
        for table in tables:
            if table in self.tables:
                return self.tables[table]
            lost = self.entries.get(table, {})
            if value is None and lost:
                return next(iter(lost.values()))
            if value is not None and value in lost:
                return lost[value]
        return None


class _Checker:
    def __init__(self, kb: KnowledgeBase, damage: Damage | None = None) -> None:
        self.kb = kb
        self.damage = damage or Damage()
        self.problems: list[Problem] = []
        self.consequences: dict[str, list[Problem]] = {}  # cause file -> problems

    def add(self, problem: Problem, tables: Iterable[str] = (), value: str | None = None
            ) -> None:
        """Record a problem, as a consequence when what it misses failed to load."""
        cause = self.damage.cause(tables, value)
        if cause is None:
            self.problems.append(problem)
        else:
            self.consequences.setdefault(cause, []).append(problem)

    def summaries(self) -> list[Problem]:
        out = []
        for cause, found in sorted(self.consequences.items()):
            examples = "; ".join(Problem(p.file, p.entry, p.field, p.message).line()
                                 for p in sorted(found)[:EXAMPLES])
            more = ", …" if len(found) > EXAMPLES else ""
            out.append(Problem(
                cause, "", "", f"{len(found)} more problem(s) elsewhere follow from the "
                f"problem(s) above in this file", f"e.g. {examples}{more}"))
        return out

    def where(self, table: str, rid: str) -> str:
        return self.kb.files.get(f"{table}:{rid}", table)

    def ref(self, table: str, rid: str, fld: str, value: str, choices: Iterable[str],
            what: str) -> None:
        pool = set(choices)
        if value not in pool:
            self.add(Problem(self.where(table, rid), rid, fld, f"unknown {what} {value!r}",
                             suggest(value, pool)), defined_in(what), value)

    def refs(self, table: str, rid: str, fld: str, values: Iterable[str],
             choices: Iterable[str], what: str) -> None:
        pool = set(choices)
        for value in values:
            self.ref(table, rid, fld, value, pool, what)

    def premises(self, table: str, rid: str, premises: list[Premise]) -> None:
        kb = self.kb
        for i, p in enumerate(premises):
            fld = f"when[{i}]"
            if isinstance(p, ObservationPremise):
                self.ref(table, rid, fld, p.observation, kb.observation_ids, "observation")
            elif isinstance(p, SignPremise):
                self.ref(table, rid, fld, p.sign, kb.sign_ids, "sign")
            elif isinstance(p, AnyOfPremise):
                self.refs(table, rid, fld, (o.observation for o in p.any_of), kb.observation_ids,
                          "observation")

    def run(self) -> list[Problem]:
        kb = self.kb
        src = set(kb.sources)
        for table, records in (("editions", kb.editions), ("muscles", kb.muscles),
                               ("groups", kb.groups), ("relations", kb.relations),
                               ("questions", kb.questions), ("signs", kb.signs),
                               ("rules", kb.rules), ("red_flags", kb.red_flags),
                               ("families", kb.families)):
            for rid, record in records.items():
                self.refs(table, rid, "sources", getattr(record, "sources", []), src, "source")
        for qid, question in kb.questions.items():
            if question.advice is not None:
                self.refs("questions", qid, "advice.sources", question.advice.sources, src,
                          "source")
        for jid, joint in kb.joints.items():
            self.ref("joints", jid, "region", joint.region, kb.regions, "region")
        for mid, muscle in kb.muscles.items():
            self.ref("muscles", mid, "region", muscle.region, kb.regions, "region")
            self.refs("muscles", mid, "joints", muscle.joints, kb.joints, "joint")
            if mid in kb.groups:
                self.problems.append(Problem(self.where("muscles", mid), mid, "id",
                                             "is both a muscle and a group"))
        nodes = set(kb.muscles) | set(kb.groups)
        for gid, group in kb.groups.items():
            self.refs("groups", gid, "members", group.members, nodes, "muscle or group")
            if gid in self._cycle_members():
                self.problems.append(Problem(self.where("groups", gid), gid, "members",
                                             "group contains itself (a membership cycle)"))
        for rid, rel in kb.relations.items():
            self.refs("relations", rid, "members", [*rel.a, *rel.b, *rel.members], nodes,
                      "muscle or group")
        places = set(kb.checkpoints) | {"general"}
        for qid, q in kb.questions.items():
            self.ref("questions", qid, "region", q.region, places, "region")
        for sid, sign in kb.signs.items():
            self.ref("signs", sid, "checkpoint", sign.checkpoint, kb.checkpoints, "checkpoint")
            if sid in kb.questions:
                self.problems.append(Problem(self.where("signs", sid), sid, "id",
                                             "is already an observation (a sign of itself)"))
        self.rules()
        self.red_flags()
        self.checklists()
        self.programme()
        self.equipment()
        self.poses()
        return self.problems

    def _cycle_members(self) -> set[str]:
        groups = self.kb.groups
        cyclic: set[str] = set()

        def visit(node: str, trail: tuple[str, ...]) -> None:
            if node in trail:
                cyclic.update(trail[trail.index(node):])
                return
            for member in groups[node].members if node in groups else ():
                visit(member, (*trail, node))

        for gid in groups:
            visit(gid, ())
        return cyclic

    def rules(self) -> None:
        kb = self.kb
        concluded: set[str] = set()
        used: set[str] = set()
        for rid, rule in kb.rules.items():
            self.premises("rules", rid, rule.when)
            if rule.family is not None:
                self.ref("rules", rid, "family", rule.family, kb.families, "evidence family")
            used |= {p.sign for p in rule.when if isinstance(p, SignPremise)}
            anchor = rule.when[0]
            anchor_sided = (
                (isinstance(anchor, ObservationPremise) and kb.sided_sign(anchor.observation))
                or (isinstance(anchor, SignPremise) and kb.sided_sign(anchor.sign)))
            for i, c in enumerate(rule.conclude):
                fld = f"conclude[{i}]"
                if isinstance(c, MuscleConclusion):
                    self.ref("rules", rid, fld, c.muscle, set(kb.muscles) | set(kb.groups),
                             "muscle or group")
                    self.refs("rules", rid, fld + ".editions", c.editions, kb.editions, "edition")
                elif isinstance(c, SignConclusion):
                    self.ref("rules", rid, fld, c.sign, kb.sign_ids, "sign")
                    concluded.add(c.sign)
                if c.side == "opposite" and not anchor_sided:
                    self.add(Problem(self.where("rules", rid), rid, fld + ".side",
                                     "side 'opposite' needs a sided first premise"),
                             ("questions", "signs"))
        for sid in sorted(set(kb.signs) - concluded):
            self.add(Problem(self.where("signs", sid), sid, "", "no rule concludes this sign"),
                     ("rules",))
        for sid in sorted(set(kb.signs) - used):
            self.add(Problem(self.where("signs", sid), sid, "",
                             "no rule uses this sign as a premise"), ("rules",))

    def red_flags(self) -> None:
        kb = self.kb
        screened: set[str] = set()
        for rid, flag in kb.red_flags.items():
            self.premises("red_flags", rid, flag.when)
            for p in flag.when:
                if isinstance(p, ObservationPremise):
                    screened.add(p.observation)
                elif isinstance(p, AnyOfPremise) and not any(
                        isinstance(q, AgePremise) for q in flag.when):
                    screened |= {o.observation for o in p.any_of}
        for qid, q in kb.questions.items():
            if q.category == "red_flag" and qid not in screened:
                self.add(Problem(self.where("questions", qid), qid, "category",
                                 "red-flag question that no red-flag rule screens"),
                         ("red_flags",))


    def checklists(self) -> None:
        """Every red-flag and condition question is in a checklist (``imbalance consult`` asks
        those as checklists); the questions of one checklist id carry one definition (write it
        once with a YAML anchor) and share one category (they are asked at one point)."""
        kb = self.kb
        first: dict[str, str] = {}  # checklist id -> the first question in it
        for qid, q in kb.questions.items():
            if q.checklist is None:
                if q.category in CHECKLISTED:
                    self.problems.append(Problem(
                        self.where("questions", qid), qid, "checklist",
                        f"{q.category.replace('_', '-')} question in no checklist",
                        "add checklist: *ANCHOR naming the checklist it is asked in"))
                continue
            other = kb.questions[first.setdefault(q.checklist.id, qid)]
            if other.checklist != q.checklist:
                self.problems.append(Problem(
                    self.where("questions", qid), qid, "checklist",
                    f"checklist {q.checklist.id!r} is defined differently by {other.id!r}",
                    "define it once (&anchor) and refer to it (*anchor)"))
            elif other.category != q.category:
                self.problems.append(Problem(
                    self.where("questions", qid), qid, "checklist",
                    f"checklist {q.checklist.id!r} mixes categories {other.category} and "
                    f"{q.category}"))

    def programme(self) -> None:
        """The corrective-programme files: every id resolves, every technique has a dose, every
        condition restricts something (checked only when the knowledge base has exercises)."""
        kb = self.kb
        if not kb.exercises:
            return
        equipment = set(get_args(Equipment))
        nodes = set(kb.muscles) | set(kb.groups)
        src = set(kb.sources)
        for eid, ex in kb.exercises.items():
            t = "exercises"
            self.refs(t, eid, "sources", ex.sources, src, "source")
            self.refs(t, eid, "targets", ex.targets, nodes, "muscle or group")
            self.refs(t, eid, "signs", ex.signs, kb.sign_ids, "sign")
            self.refs(t, eid, "not_with", ex.not_with, kb.sign_ids, "sign")
            self.refs(t, eid, "checkpoints", ex.checkpoints, kb.checkpoints, "checkpoint")
            self.refs(t, eid, "regions", ex.regions, kb.regions, "region")
            self.refs(t, eid, "equipment", [e for o in ex.equipment_options() for e in o],
                      equipment, "equipment")
            self.refs(t, eid, "alternatives", ex.alternatives, kb.exercises, "exercise")
            for alt in ex.alternatives:
                if alt in kb.exercises and kb.exercises[alt].phase != ex.phase:
                    self.problems.append(Problem(self.where(t, eid), eid, "alternatives",
                                                 f"{alt!r} belongs to another phase"))
            dose = kb.doses.get(ex.technique)
            if ex.dose_variant is not None and dose is not None and ex.dose_variant not in {
                    v.id for v in dose.variants}:
                self.problems.append(Problem(
                    self.where(t, eid), eid, "dose_variant",
                    f"{ex.dose_variant!r} is not a variant of the {ex.technique} dose",
                    "one of " + ", ".join(v.id for v in dose.variants)))
            for fld, tech in [("technique", ex.technique), *(("options", o) for o in ex.options)]:
                dose = kb.doses.get(tech)
                if dose is None:
                    self.ref(t, eid, fld, tech, kb.doses, "technique (no dose in doses.yaml)")
                elif dose.phase != ex.phase:
                    self.problems.append(Problem(self.where(t, eid), eid, fld,
                                                 f"technique {tech!r} belongs to the "
                                                 f"{dose.phase} phase, not {ex.phase}"))
        for aid, av in kb.avoided.items():
            self.refs("avoided", aid, "sources", av.sources, src, "source")
            self.refs("avoided", aid, "concerns", av.concerns, nodes, "muscle or group")
            self.refs("avoided", aid, "instead", av.instead, kb.exercises, "exercise")
        phases = {d.phase for d in kb.doses.values()}
        for tech, dose in kb.doses.items():
            self.refs("doses", tech, "sources",
                      [k for v in dose.variants for k in v.sources]
                      + (dose.older_adults.sources if dose.older_adults else [])
                      + (dose.progression.sources if dose.progression else []), src, "source")
        for phase in sorted({ex.phase for ex in kb.exercises.values()} - phases):
            self.problems.append(Problem("doses.yaml", phase, "phase",
                                         f"no dose for the {phase} phase"))
        if not kb.plans:
            self.problems.append(Problem("doses.yaml", "plans", "",
                                         "no programme block (plans) defined"))
        for pid, plan in kb.plans.items():
            self.refs("plans", pid, "sources", plan.sources, src, "source")
            self.refs("plans", pid, "core.sources", plan.core.sources, src, "source")
            if plan.reassessment is not None:
                self.refs("plans", pid, "reassessment.sources", plan.reassessment.sources, src,
                          "source")
            self.refs("plans", pid, "assumed_equipment", plan.assumed_equipment, equipment,
                      "equipment")
            self.refs("plans", pid, "region_checkpoints", plan.region_checkpoints, kb.regions,
                      "region")
            self.refs("plans", pid, "region_checkpoints", plan.region_checkpoints.values(),
                      kb.checkpoints, "checkpoint")
        conditions = {q for q, rec in kb.questions.items() if rec.category == "condition"}
        # a red-flag question that refers only with spinal pain is a precaution without it
        gates = conditions | {q for q, rec in kb.questions.items() if rec.category == "red_flag"}
        refined = {ref.condition for ref in kb.refinements.values()}
        for fid, ref in kb.refinements.items():
            self.refs("refinements", fid, "sources", ref.sources, src, "source")
            self.ref("refinements", fid, "condition", ref.condition, conditions,
                     "condition question")
        for nid, notice in kb.notices.items():
            self.refs("notices", nid, "sources", notice.sources, src, "source")
            self.refs("notices", nid, "conditions", notice.conditions, gates,
                      "condition question or red-flag question")
        restricted: set[str] = set()
        for rid, r in kb.restrictions.items():
            t = "restrictions"
            self.refs(t, rid, "sources", r.sources, src, "source")
            if r.condition is not None:
                self.ref(t, rid, "condition", r.condition, gates,
                         "condition question or red-flag question")
                restricted.add(r.condition)
                if ((r.from_week is not None or r.before_week is not None)
                        and r.condition not in refined):
                    self.problems.append(Problem(
                        self.where(t, rid), rid, "from_week",
                        f"weeks refine a condition, but no refinement refines {r.condition!r}",
                        "add it to refinements in safety.yaml, or drop from_week/before_week"))
            self.refs(t, rid, "techniques", r.techniques, kb.doses, "technique")
            self.refs(t, rid, "muscles", r.muscles, nodes, "muscle or group")
            self.refs(t, rid, "regions", r.regions, kb.regions, "region")
            self.refs(t, rid, "exercises", r.exercises, kb.exercises, "exercise")
        for qid in sorted(conditions - restricted):
            self.add(Problem(self.where("questions", qid), qid, "category",
                             "condition that no safety restriction handles"), ("restrictions",))
        for nid, note in kb.safety_notes.items():
            self.refs("safety_notes", nid, "sources", note.sources, src, "source")

    def equipment(self) -> None:
        """``equipment.yaml`` (optional): the question and the list come together, and the
        list names exactly the ``subject.equipment`` ids of case files (``expert.case``), each
        once, so that every answer is a valid case and every id can be answered."""
        kb = self.kb
        if not kb.equipment and kb.equipment_question is None:
            return
        name = kb.files.get("equipment_question") or next(
            (f for k, f in kb.files.items() if k.startswith("equipment:")), "equipment.yaml")
        if kb.equipment_question is None:
            self.problems.append(Problem(name, "equipment_question", "",
                                         "section is missing (how the equipment is asked)"))
        if not kb.equipment:
            self.problems.append(Problem(name, "equipment", "",
                                         "section is missing (the equipment to list)"))
            return
        vocabulary = get_args(Equipment)
        for eid in kb.equipment:
            if eid not in vocabulary:
                self.problems.append(Problem(
                    self.where("equipment", eid), eid, "id",
                    f"unknown equipment {eid!r}: not a subject.equipment id of case files",
                    suggest(eid, vocabulary)))
        missing = [e for e in vocabulary if e not in kb.equipment]
        if missing:
            self.problems.append(Problem(
                name, "equipment", "", "does not list " + ", ".join(missing),
                "list every subject.equipment id of case files, so that each can be answered"))

    def poses(self) -> None:
        """``poses.yaml`` (optional): every exercise has a pose, every pose names a known
        exercise, and every posture it starts from is defined."""
        kb = self.kb
        if not kb.poses and not kb.postures:
            return
        name = next((f for k, f in kb.files.items() if k.startswith(("poses:", "postures:"))),
                    "poses.yaml")
        for pid, pose in kb.poses.items():
            self.ref("poses", pid, "exercise", pid, kb.exercises, "exercise")
            self.ref("poses", pid, "base", pose.base, kb.postures, "posture")
            for label, frame in (("start", pose.start), ("end", pose.end)):
                if frame.base is not None:
                    self.ref("poses", pid, f"{label}.base", frame.base, kb.postures, "posture")
        for eid in kb.exercises:
            if eid not in kb.poses:
                self.add(Problem(self.where("exercises", eid), eid, "",
                                 "has no pose, so it has no picture",
                                 f"add a pose for {eid} to {name} (docs/program.md: Pictures)"),
                         ("poses",), eid)


def cross_check(kb: KnowledgeBase, damage: Damage | None = None
                ) -> tuple[list[Problem], list[Problem]]:
    """The cross-reference problems of their own, and one summary per file that failed to load
    of the problems that follow from it (see :class:`Damage`)."""
    checker = _Checker(kb, damage)
    return checker.run(), checker.summaries()


def check(kb: KnowledgeBase, damage: Damage | None = None) -> list[Problem]:
    """Every cross-reference problem, sorted, then the summaries of consequences."""
    own, consequences = cross_check(kb, damage)
    return sorted(own) + consequences
