"""Schemas of the rule files in ``rules/``: inference rules and red flags.

A rule's premises (``when``) are all required; each is an observation, a sign, a choice among
observations, or a condition on the subject's age. Conclusions name a muscle (or group) with a
state and side handling, or (for rules over observations only) a sign.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    StringConstraints,
    Tag,
    model_validator,
)

from .catalogue import Confidence, Evidence, Id, SourceKey, Text

RuleId = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+$")]
Side = Literal["same", "opposite", "both"]


class Record(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)


class ObservationPremise(Record):
    observation: Id


class SignPremise(Record):
    sign: Id


class AnyOfPremise(Record):
    any_of: list[ObservationPremise] = Field(min_length=2)


class AgePremise(Record):
    subject: Literal["age"]
    outside: tuple[int, int]

    @model_validator(mode="after")
    def _ordered(self) -> AgePremise:
        if self.outside[0] > self.outside[1]:
            raise ValueError("outside: [low, high] needs low <= high")
        return self


def _kind(value: object, keys: tuple[str, ...]) -> str | None:
    """Pick the union member by the key an entry carries, so errors name the right fields."""
    if isinstance(value, dict):
        return next((k for k in keys if k in value), None)
    return next((k for k in keys if getattr(value, k, None) is not None), None)


Premise = Annotated[
    Annotated[ObservationPremise, Tag("observation")] | Annotated[SignPremise, Tag("sign")]
    | Annotated[AnyOfPremise, Tag("any_of")] | Annotated[AgePremise, Tag("subject")],
    Discriminator(lambda v: _kind(v, ("observation", "sign", "any_of", "subject")),
                  custom_error_type="premise",
                  custom_error_message="a premise has one of the keys observation, sign, "
                  "any_of or subject"),
]


class MuscleConclusion(Record):
    muscle: Id
    state: Literal["overactive", "underactive"]
    side: Side = "same"
    editions: list[Id] = []
    confidence: Confidence | None = None


class SignConclusion(Record):
    sign: Id
    side: Side = "same"
    confidence: Confidence | None = None


Conclusion = Annotated[
    Annotated[MuscleConclusion, Tag("muscle")] | Annotated[SignConclusion, Tag("sign")],
    Discriminator(lambda v: _kind(v, ("muscle", "sign")), custom_error_type="conclusion",
                  custom_error_message="a conclusion names a muscle or a sign"),
]


def _needs_trigger(premises: list[Premise]) -> None:
    if all(isinstance(p, AgePremise) for p in premises):
        raise ValueError("a rule needs an observation or sign premise to set it off")


class Family(Record):
    """Rules that read one underlying pattern from different angles (docs/knowledge-base.md,
    "Evidence families"): for one muscle, state and side only the family's strongest rule
    counts, and families combine as independent evidence."""

    id: Id
    title: Text
    rationale: Text
    sources: list[SourceKey] = Field(min_length=1)


class InferenceRule(Record):
    id: RuleId
    title: Text
    section: Text
    when: list[Premise] = Field(min_length=1)
    confidence: Confidence
    evidence: Evidence | None = None
    # the evidence family the rule belongs to (rules/families.yaml); none: a family of its own
    family: Id | None = None
    conclude: list[Conclusion] = Field(min_length=1)
    rationale: Text
    disagreement: str = ""
    sources: list[SourceKey] = Field(min_length=1)

    @property
    def over_signs(self) -> bool:
        """True when a premise is a sign: the rule runs after signs are combined."""
        return any(isinstance(p, SignPremise) for p in self.when)

    @model_validator(mode="after")
    def _stages(self) -> InferenceRule:
        _needs_trigger(self.when)
        if self.over_signs and any(isinstance(c, SignConclusion) for c in self.conclude):
            raise ValueError("a rule over signs concludes muscles only (signs come from "
                             "rules over observations)")
        return self


class RedFlag(Record):
    id: RuleId
    when: list[Premise] = Field(min_length=1)
    group: Id
    level: Literal["emergency", "refer"]
    message: Text
    rationale: Text
    sources: list[SourceKey] = Field(min_length=1)

    @model_validator(mode="after")
    def _observations_only(self) -> RedFlag:
        _needs_trigger(self.when)
        if any(isinstance(p, SignPremise) for p in self.when):
            raise ValueError("red flags are screened on answers, not inferred signs")
        return self


class RuleFile(Record):
    families: list[Family] = []
    rules: list[InferenceRule] = []
    red_flags: list[RedFlag] = []
