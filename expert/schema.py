"""The JSON Schema of case files, with the observation ids of the knowledge base filled in."""

from __future__ import annotations

from typing import Any

from .case import Case
from .knowledge import KnowledgeBase

SCHEMA_ID = "https://github.com/imbalance-expert/imbalance-expert/docs/case.schema.json"


def case_schema(kb: KnowledgeBase) -> dict[str, Any]:
    schema = Case.model_json_schema()
    defs = schema.setdefault("$defs", {})
    plain = ["yes", "no", "unknown"]
    sided = [*plain, "left", "right", "both"]
    properties = {}
    for qid, q in kb.questions.items():
        values = sided if q.sided else plain
        properties[qid] = {
            "description": q.person,
            "anyOf": [
                {"enum": values},
                {"type": "boolean", "description": "YAML 1.1 yes/no"},
                {"type": "object", "additionalProperties": False, "required": ["value"],
                 "properties": {"value": {"anyOf": [{"enum": values}, {"type": "boolean"}]},
                                "certainty": {"type": "number", "minimum": 0, "maximum": 1}}},
            ],
        }
    schema["properties"]["answers"] = {
        "type": "object", "additionalProperties": False, "properties": properties,
        "description": "observation id -> answer",
    }
    defs.pop("Answer", None)
    schema["properties"]["red_flags"]["description"] = (
        "none: every safety-screen (red-flag) question was asked and answered no, and the age "
        "rule does not apply; without it, unanswered red-flag questions keep the screen open "
        "and the programme is withheld")
    nodes = sorted([*kb.muscles, *kb.groups])
    pattern = "^(" + "|".join(nodes) + ")(@(left|right|both))?$"
    for state in ("overactive", "underactive"):
        defs["Expected"]["properties"][state] = {
            "anyOf": [{"type": "array", "items": {"type": "string", "pattern": pattern}},
                      {"type": "null"}]}
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = SCHEMA_ID
    schema["title"] = "Case file"
    schema["description"] = (f"A case for imbalance-expert (knowledge base {kb.version}); see "
                             "docs/case-files.md.")
    return schema
