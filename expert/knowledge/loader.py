"""Reading ``facts/`` and ``rules/`` into a KnowledgeBase, collecting every problem at once.

Each entry is validated on its own so that one bad entry does not hide the others; problems name
the file, the entry (its id where it has one) and the field.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from .. import yamlio
from ..problems import InputError, Problem
from .base import KnowledgeBase
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
from .integrity import Damage, cross_check
from .poses import Pose, Posture
from .rulebook import Family, InferenceRule, RedFlag

# file -> {top-level key: (model, id field)}; an id field "" marks a section holding one record
# (a mapping), not a list of entries
FACT_FILES: dict[str, dict[str, tuple[type[BaseModel], str]]] = {
    "sources.yaml": {"sources": (Source, "key")},
    "editions.yaml": {"editions": (Edition, "id")},
    "anatomy.yaml": {"regions": (Region, "id"), "checkpoints": (Region, "id"),
                     "joints": (Joint, "id")},
    "muscles.yaml": {"muscles": (Muscle, "id")},
    "groups.yaml": {"groups": (Group, "id")},
    "relations.yaml": {"relations": (Relation, "id")},
    "questions.yaml": {"questions": (Question, "id")},
    "signs.yaml": {"signs": (Sign, "id")},
    # the corrective programme: optional, a knowledge base without them gives no programme
    "exercises.yaml": {"exercises": (Exercise, "id"), "avoided": (Avoided, "id")},
    "doses.yaml": {"doses": (Dose, "technique"), "plans": (Plan, "id")},
    "safety.yaml": {"restrictions": (Restriction, "id"), "refinements": (Refinement, "id"),
                    "notices": (Notice, "id"), "safety_notes": (SafetyNote, "id")},
    # what the consultation asks about equipment (optional: without it, it is not asked)
    "equipment.yaml": {"equipment_question": (EquipmentQuestion, ""),
                       "equipment": (EquipmentItem, "id")},
    # the exercise pictures (optional: without it, pictures are placeholders)
    "poses.yaml": {"postures": (Posture, "id"), "poses": (Pose, "exercise")},
}
OPTIONAL_FACT_FILES = frozenset({"exercises.yaml", "doses.yaml", "safety.yaml",
                                 "equipment.yaml", "poses.yaml"})
RULE_SECTIONS: dict[str, tuple[type[BaseModel], str]] = {
    "families": (Family, "id"), "rules": (InferenceRule, "id"), "red_flags": (RedFlag, "id")}
_TAGS = {"observation", "sign", "any_of", "subject", "muscle"}


def _field(loc: tuple[Any, ...]) -> str:
    parts: list[str] = []
    for i, item in enumerate(loc):
        # pydantic puts the union tag into the location (conclude.0.muscle.state): drop it
        if (isinstance(item, str) and item in _TAGS and i > 0 and isinstance(loc[i - 1], int)
                and i + 1 < len(loc)):
            continue
        if isinstance(item, int):
            parts.append(f"[{item}]")
        else:
            parts.append("." + str(item) if parts else str(item))
    return "".join(parts)


def validation_problems(exc: ValidationError, file: str, entry: str,
                        prefix: tuple[Any, ...] = ()) -> list[Problem]:
    out = []
    for err in exc.errors(include_url=False):
        msg = err["msg"]
        if err["type"] == "extra_forbidden":
            msg = "unknown key"
        elif err["type"] == "missing":
            msg = "required key is missing"
        out.append(Problem(file, entry, _field((*prefix, *err["loc"])), msg))
    return out


def _present(path: Path) -> bool:
    """Whether a knowledge file is there at all: anything but a regular file (a named pipe, a
    directory, a link loop) is there, and its reading says what is wrong with it."""
    return path.exists() or path.is_symlink()


class _Reader:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.problems: list[Problem] = []
        self.files: dict[str, str] = {}
        self.damage = Damage()

    @staticmethod
    def rel(path: Path) -> str:
        """The path as a user can open it: relative to the working folder when inside it."""
        try:
            return str(path.resolve().relative_to(Path.cwd()))
        except ValueError:
            return str(path)

    def document(self, path: Path) -> dict[str, Any] | None:
        name = self.rel(path)
        try:
            data = yamlio.load(path)
        except InputError as exc:
            self.problems += [Problem(name, p.entry, p.field, p.message, p.hint)
                              for p in exc.problems]
            return None
        if not isinstance(data, dict):
            self.problems.append(Problem(name, message="top level must be a mapping of sections"))
            return None
        return data

    def single(self, name: str, key: str, data: Any, model: type[BaseModel],
               into: dict[str, Any]) -> None:
        """A section holding one record (a mapping), kept as ``into[key]``."""
        if not isinstance(data, dict):
            self.problems.append(Problem(name, key, message="must be a mapping (key: value lines)"))
            self.damage.lose_table(key, name)
            return
        try:
            into[key] = model.model_validate(data)
        except ValidationError as exc:
            self.problems += validation_problems(exc, name, key)
            self.damage.lose_table(key, name)
            return
        self.files[key] = name

    def section(self, name: str, key: str, items: Any, model: type[BaseModel],
                id_field: str, into: dict[str, Any]) -> None:
        if not id_field:
            self.single(name, key, items, model, into)
            return
        if not isinstance(items, list):
            self.problems.append(Problem(name, key, message="must be a list of entries"))
            self.damage.lose_table(key, name)
            return
        for i, item in enumerate(items):
            ident = item.get(id_field) if isinstance(item, dict) else None
            entry = f"{key}[{i}]" + (f" {ident}" if isinstance(ident, str) else "")
            try:
                record = model.model_validate(item)
            except ValidationError as exc:
                self.problems += validation_problems(exc, name, entry)
                self.damage.lose_entry(key, ident if isinstance(ident, str) else "", name)
                continue
            rid = getattr(record, id_field)
            if rid in into:
                self.problems.append(Problem(
                    name, entry, id_field, f"duplicate id {rid!r}",
                    f"first defined in {self.files.get(key + ':' + rid, name)}"))
                continue
            into[rid] = record
            self.files[key + ":" + rid] = name

    def sections(self, path: Path, layout: dict[str, tuple[type[BaseModel], str]],
                 tables: dict[str, dict[str, Any]], required: bool = True) -> None:
        name = self.rel(path)
        if not _present(path):
            if required:
                self.problems.append(Problem(name, message="missing knowledge file"))
                for key in layout:
                    self.damage.lose_table(key, name)
            return
        data = self.document(path)
        if data is None:
            for key in layout:
                self.damage.lose_table(key, name)
            return
        for key in sorted(set(data) - set(layout)):
            self.problems.append(Problem(name, str(key), message="unknown section",
                                         hint="expected " + ", ".join(layout)))
        for key, (model, id_field) in layout.items():
            if key in data:
                self.section(name, key, data[key], model, id_field, tables.setdefault(key, {}))
            elif required:
                self.problems.append(Problem(name, key, message="section is missing"))
                self.damage.lose_table(key, name)


def read(root: Path) -> tuple[KnowledgeBase | None, list[Problem]]:
    """Load a knowledge base from ``root`` (holding facts/ and rules/), with all its problems."""
    reader = _Reader(root)
    facts, rules = root / "facts", root / "rules"
    meta: KbMeta | None = None
    meta_path = facts / "kb.yaml"
    if not _present(meta_path):
        reader.problems.append(Problem(reader.rel(meta_path), message="missing knowledge file"))
    else:
        doc = reader.document(meta_path)
        if doc is not None:
            try:
                meta = KbMeta.model_validate(doc)
            except ValidationError as exc:
                reader.problems += validation_problems(exc, reader.rel(meta_path), "")
    tables: dict[str, dict[str, Any]] = {}
    for fname, layout in FACT_FILES.items():
        reader.sections(facts / fname, layout, tables,
                        required=fname not in OPTIONAL_FACT_FILES)
    rule_files = sorted(rules.glob("*.yaml")) if rules.is_dir() else []
    if not rule_files:
        reader.problems.append(Problem(reader.rel(rules), message="no rule files (*.yaml)"))
        for key in RULE_SECTIONS:
            reader.damage.lose_table(key, reader.rel(rules))
    for path in rule_files:
        reader.sections(path, RULE_SECTIONS, tables, required=False)
    kb = KnowledgeBase(
        # without kb.yaml the base cannot be used, but its cross-references are still checked
        meta=meta if meta is not None else KbMeta.model_construct(),
        sources=tables.get("sources", {}), editions=tables.get("editions", {}),
        regions=tables.get("regions", {}), checkpoints=tables.get("checkpoints", {}),
        joints=tables.get("joints", {}), muscles=tables.get("muscles", {}),
        groups=tables.get("groups", {}), relations=tables.get("relations", {}),
        questions=tables.get("questions", {}), signs=tables.get("signs", {}),
        rules=tables.get("rules", {}), red_flags=tables.get("red_flags", {}),
        families=tables.get("families", {}),
        files=reader.files, exercises=tables.get("exercises", {}),
        avoided=tables.get("avoided", {}), doses=tables.get("doses", {}),
        plans=tables.get("plans", {}), restrictions=tables.get("restrictions", {}),
        refinements=tables.get("refinements", {}), notices=tables.get("notices", {}),
        safety_notes=tables.get("safety_notes", {}), equipment=tables.get("equipment", {}),
        equipment_question=tables.get("equipment_question", {}).get("equipment_question"),
        postures=tables.get("postures", {}), poses=tables.get("poses", {}))
    own, consequences = cross_check(kb, reader.damage)
    problems = sorted(reader.problems + own) + consequences  # causes first
    return (kb if meta is not None else None), problems


def load(root: Path) -> KnowledgeBase:
    """Load a knowledge base or raise InputError listing every problem."""
    kb, problems = read(root)
    if problems or kb is None:
        raise InputError(problems)
    return kb
