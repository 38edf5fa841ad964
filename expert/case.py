"""Case files: one person's answers (and optionally the expected findings), read from YAML or
JSON and checked against the vocabulary of the knowledge base."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    field_validator,
)

from . import yamlio
from .equipment import Equipment
from .knowledge import KnowledgeBase
from .problems import InputError, Problem, shown
from .screening import firing
from .spelling import suggest

AnswerValue = Literal["yes", "no", "unknown", "left", "right", "both"]
SIDES = ("left", "right", "both")
ExpectedId = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*(@(left|right|both))?$")]
# YAML 1.1 reads yes/no/on/off as booleans; JSON writers may send true/false
_BOOLEANS = {True: "yes", False: "no"}


class Answer(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    value: AnswerValue
    # strict: true is not a certainty (a bare float would read it as 1.0); whole numbers pass
    certainty: float = Field(default=1.0, ge=0.0, le=1.0, strict=True)

    @field_validator("value", mode="before")
    @classmethod
    def _normalise(cls, value: Any) -> Any:
        if isinstance(value, bool):
            return _BOOLEANS[value]
        if isinstance(value, str):
            return value.strip().lower()
        return value

    @property
    def positive(self) -> bool:
        return self.value in ("yes", *SIDES) and self.certainty > 0

    @property
    def side(self) -> str | None:
        return self.value if self.value in SIDES else None


class Subject(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    age: int | None = Field(default=None, ge=0, le=120, strict=True)
    sex: str | None = None
    equipment: list[Equipment] = []
    # whole weeks of pregnancy; refines the pregnancy condition (facts/safety.yaml refinements)
    pregnancy_weeks: int | None = Field(
        default=None, ge=0, le=45, strict=True,
        description="Whole weeks of pregnancy (needs the answer pregnancy: yes). From 16 weeks, "
                    "or when pregnancy is yes and the weeks are left out, nothing is done lying "
                    "on the back or face down.")
    notes: str = ""

    @field_validator("pregnancy_weeks", mode="before")
    @classmethod
    def _whole_weeks(cls, value: Any) -> Any:
        if value is not None and (isinstance(value, bool) or not isinstance(value, int)
                                  or not 0 <= value <= 45):
            raise ValueError(f"{shown(value)} is not a number of weeks; give whole weeks of "
                             "pregnancy from 0 to 45 (for example 20), or leave it out")
        return value


class Expected(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    overactive: list[ExpectedId] | None = None
    underactive: list[ExpectedId] | None = None
    referral: Literal["emergency", "refer"] | None = None


_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class Case(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    id: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$", max_length=200)]
    title: str = ""
    reference: str = ""
    # who the client sheet is for and who wrote it, and the assessment date (the programme
    # starts on it unless --start says otherwise; nothing is taken from today's date)
    client: Annotated[str, StringConstraints(max_length=200, strip_whitespace=True)] = Field(
        default="", description="The client's display name or a pseudonym, shown on the sheet.")
    trainer: Annotated[str, StringConstraints(max_length=200, strip_whitespace=True)] = Field(
        default="", description="The trainer's name, shown on the sheet.")
    date: dt.date | None = Field(
        default=None, description="The assessment date, YYYY-MM-DD; the programme starts on it "
                                  "unless --start is given.")
    subject: Subject = Subject()
    # "none": every red-flag question was asked and answered no (expert/screening.py)
    red_flags: Literal["none"] | None = None
    answers: dict[str, Answer] = {}
    expected: Expected | None = None

    @field_validator("answers", mode="before")
    @classmethod
    def _wrap_plain(cls, answers: Any) -> Any:
        if isinstance(answers, dict):
            return {k: (v if isinstance(v, dict) else {"value": v}) for k, v in answers.items()}
        return answers

    @field_validator("date", mode="before")
    @classmethod
    def _iso_date(cls, value: Any) -> Any:
        # YAML reads 2025-03-03 as a date; JSON gives a string. Nothing else is a date here
        # (pydantic would take a number as a timestamp, a datetime with a time of midnight)
        if value is None or (isinstance(value, dt.date) and not isinstance(value, dt.datetime)):
            return value
        if isinstance(value, str) and _ISO_DATE.match(value.strip()):
            try:
                return dt.date.fromisoformat(value.strip())
            except ValueError:
                pass
        said = shown(str(value) if isinstance(value, dt.datetime) else value)
        raise ValueError(f"{said} is not a date; write the assessment date as "
                         "YYYY-MM-DD (for example 2025-03-03)")

    @property
    def checks_referral(self) -> bool:
        return self.expected is not None and "referral" in self.expected.model_fields_set


def _problems(exc: ValidationError, name: str, data: Any) -> list[Problem]:
    out = []
    for err in exc.errors(include_url=False):
        loc = [str(x) for x in err["loc"]]
        if loc[:1] == ["answers"] and len(loc) >= 2:
            entry = f"answers.{loc[1]}"
            raw = data.get("answers", {}).get(loc[1]) if isinstance(data, dict) else None
            if len(loc) >= 3 and loc[2] == "value" and not isinstance(raw, dict):
                msg = (f"{shown(raw)} is not an answer; use yes, no, unknown, or left, right, "
                       "both for sided ids")
            elif loc[2:] == ["certainty"] and err["type"] == "float_type":
                msg = (f"certainty: {shown(err['input'])} is not a number; give one from 0 to 1 "
                       "(e.g. 0.6)")
            else:
                msg = f"{'.'.join(loc[2:]) or 'value'}: {err['msg']}"
        elif loc[:1] == ["red_flags"]:
            entry, msg = "red_flags", (f"{shown(err['input'])} is not a value here; write "
                                       "red_flags: none (every red-flag question asked and "
                                       "answered no) or leave the key out")
        else:
            entry = ".".join(loc) or "(top level)"
            msg = {"extra_forbidden": "unknown key", "missing": "required key is missing",
                   "dict_type": "must be a mapping (key: value lines)",
                   "list_type": "must be a list"}.get(err["type"], err["msg"])
            if err["type"] == "value_error":    # our own validators' words, without the prefix
                msg = str(err.get("ctx", {}).get("error", msg))
        out.append(Problem(name, entry, "", msg))
    return out


def _vocabulary(case: Case, kb: KnowledgeBase, name: str) -> list[Problem]:
    out = []
    for obs, answer in case.answers.items():
        question = kb.questions.get(obs)
        if question is None:
            out.append(Problem(name, f"answers.{obs}", "", "unknown observation id",
                               suggest(obs, kb.questions) or "see imbalance kb questions"))
        elif answer.side and not question.sided:
            out.append(Problem(name, f"answers.{obs}", "",
                               f"{answer.value!r} is a side, but {obs} is not sided",
                               "answer yes, no or unknown"))
    out += _refinements(case, kb, name)
    if case.expected is not None:
        for state in ("overactive", "underactive"):
            for item in getattr(case.expected, state) or []:
                node = item.split("@")[0]
                if not kb.is_node(node):
                    out.append(Problem(name, f"expected.{state}", "",
                                       f"unknown muscle or group {shown(node)}",
                                       suggest(node, [*kb.muscles, *kb.groups])))
    return out


def _refinements(case: Case, kb: KnowledgeBase, name: str) -> list[Problem]:
    """A subject field that refines a condition (pregnancy_weeks) needs the condition answered
    yes: weeks of pregnancy with pregnancy unanswered or no contradict each other."""
    out = []
    for fid, ref in kb.refinements.items():
        if getattr(case.subject, fid, None) is None:
            continue
        answer = case.answers.get(ref.condition)
        if answer is None or not answer.positive:
            said = "not answered" if answer is None else f"answered {answer.value}"
            out.append(Problem(name, f"subject.{fid}", "",
                               f"{fid} is given but {ref.condition} is {said}",
                               f"add '{ref.condition}: yes' to answers, or remove {fid}"))
    return out


def _contradictions(case: Case, kb: KnowledgeBase, name: str) -> list[Problem]:
    """``red_flags: none`` with answers that set off a red flag is a contradiction."""
    if case.red_flags != "none":
        return []
    return [Problem(name, "red_flags", "",
                    f"stated none, but {' and '.join(reasons)} set"
                    f"{'s' if len(reasons) == 1 else ''} off {flag.id} ({flag.level})",
                    "if the red flag is real, remove red_flags: none (the case is then a "
                    "referral); otherwise correct those answers")
            for flag, reasons in firing(kb, case.answers, case.subject.age)]


def parse_case(data: Any, name: str, kb: KnowledgeBase) -> Case:
    """Validate parsed data as a case; raise InputError with every problem found."""
    if not isinstance(data, dict):
        raise InputError([Problem(name, "(top level)", "",
                                  "a case is a mapping with id and answers")])
    try:
        case = Case.model_validate(data)
    except ValidationError as exc:
        raise InputError(_problems(exc, name, data)) from exc
    problems = _vocabulary(case, kb, name) or _contradictions(case, kb, name)
    if problems:
        raise InputError(problems)
    return case


def load_case(path: Path, kb: KnowledgeBase) -> Case:
    """Read and validate one case file (YAML or JSON)."""
    return parse_case(yamlio.load(path), yamlio.display(path), kb)
