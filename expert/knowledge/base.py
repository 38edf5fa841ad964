"""The loaded knowledge base: every record by id, and the lookups the engine and reports need."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

from .catalogue import (
    Edition,
    EquipmentItem,
    EquipmentQuestion,
    Group,
    Joint,
    KbMeta,
    Muscle,
    Question,
    Region,
    Relation,
    Sign,
    Source,
)
from .exercises import (
    Avoided,
    Dose,
    Exercise,
    Notice,
    Plan,
    Refinement,
    Restriction,
    SafetyNote,
)
from .poses import Pose, Posture
from .rulebook import Family, InferenceRule, RedFlag


@dataclass
class KnowledgeBase:
    meta: KbMeta
    sources: dict[str, Source]
    editions: dict[str, Edition]
    regions: dict[str, Region]
    checkpoints: dict[str, Region]
    joints: dict[str, Joint]
    muscles: dict[str, Muscle]
    groups: dict[str, Group]
    relations: dict[str, Relation]
    questions: dict[str, Question]
    signs: dict[str, Sign]
    rules: dict[str, InferenceRule]
    red_flags: dict[str, RedFlag]
    files: dict[str, str] = field(default_factory=dict)  # record id -> file it came from
    families: dict[str, Family] = field(default_factory=dict)  # evidence families of rules
    # the corrective programme (exercises.yaml, doses.yaml, safety.yaml; optional files)
    exercises: dict[str, Exercise] = field(default_factory=dict)
    avoided: dict[str, Avoided] = field(default_factory=dict)
    doses: dict[str, Dose] = field(default_factory=dict)  # by technique
    plans: dict[str, Plan] = field(default_factory=dict)
    restrictions: dict[str, Restriction] = field(default_factory=dict)
    refinements: dict[str, Refinement] = field(default_factory=dict)  # by subject field
    notices: dict[str, Notice] = field(default_factory=dict)
    safety_notes: dict[str, SafetyNote] = field(default_factory=dict)
    # what the consultation asks about equipment (equipment.yaml; optional)
    equipment: dict[str, EquipmentItem] = field(default_factory=dict)
    equipment_question: EquipmentQuestion | None = None
    # the exercise pictures (poses.yaml; optional): base postures, and poses by exercise
    postures: dict[str, Posture] = field(default_factory=dict)
    poses: dict[str, Pose] = field(default_factory=dict)

    @property
    def version(self) -> str:
        return self.meta.version

    def is_group(self, node: str) -> bool:
        return node in self.groups

    def is_node(self, node: str) -> bool:
        return node in self.muscles or node in self.groups

    def name(self, node: str) -> str:
        record = self.muscles.get(node) or self.groups.get(node) or self.signs.get(node)
        if record is not None:
            return record.name
        return node.replace("_", " ")

    def expand(self, node: str) -> tuple[str, ...]:
        """The muscles a muscle or group id stands for, in catalogue order."""
        return self._leaves[node]

    @cached_property
    def _leaves(self) -> dict[str, tuple[str, ...]]:
        order = {m: i for i, m in enumerate(self.muscles)}
        leaves: dict[str, tuple[str, ...]] = {m: (m,) for m in self.muscles}

        def walk(node: str, trail: tuple[str, ...]) -> set[str]:
            if node in self.muscles:
                return {node}
            if node in trail or node not in self.groups:
                return set()  # cycles and dangling ids are reported by the integrity check
            out: set[str] = set()
            for member in self.groups[node].members:
                out |= walk(member, (*trail, node))
            return out

        for gid in self.groups:
            leaves[gid] = tuple(sorted(walk(gid, ()), key=order.__getitem__))
        return leaves

    def groups_of(self, muscle: str) -> list[str]:
        """Groups whose expansion includes the muscle, smallest first."""
        found = [g for g in self.groups if muscle in self.expand(g)]
        return sorted(found, key=lambda g: (len(self.expand(g)), g))

    @cached_property
    def observation_ids(self) -> frozenset[str]:
        return frozenset(self.questions)

    @cached_property
    def sign_ids(self) -> frozenset[str]:
        """Everything a sign premise may name: every observation and every inferred pattern."""
        return frozenset(self.questions) | frozenset(self.signs)

    def sided_sign(self, sign: str) -> bool:
        if sign in self.questions:
            return self.questions[sign].sided
        return sign in self.signs and self.signs[sign].sided
