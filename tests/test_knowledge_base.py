"""Data integrity of the real knowledge base (the curated data, checked like bioregistry's):
every reference resolves, every rule cites sources and explains itself, the public vocabulary is
covered, relations are well formed, and the catalogue matches domain.md."""

from __future__ import annotations

import re
from collections import Counter

import pytest

from expert.case import Subject
from expert.knowledge import KnowledgeBase, read
from expert.knowledge.locate import default_root
from expert.knowledge.rulebook import (
    AgePremise,
    AnyOfPremise,
    MuscleConclusion,
    ObservationPremise,
    SignConclusion,
)

from .conftest import SHARED


def test_kb_check_is_clean() -> None:
    kb, problems = read(default_root())
    assert kb is not None
    assert [p.line() for p in problems] == []


def _vocabulary_ids() -> set[str]:
    text = (SHARED / "vocabulary.md").read_text(encoding="utf-8")
    body = text.split("## Observations", 1)[1].split("## Findings", 1)[0]
    ids = set(re.findall(r"`([a-z][a-z0-9_]+)`", body))
    # answer values, referral levels and subject-block fields are not observation ids
    return ids - {"yes", "no", "unknown", "refer", "emergency"} - set(Subject.model_fields)


@pytest.mark.skipif(not (SHARED / "vocabulary.md").exists(), reason="shared/ not beside the repo")
def test_every_vocabulary_id_is_a_question(real_kb: KnowledgeBase) -> None:
    groups = {flag.group for flag in real_kb.red_flags.values()}  # e.g. age_onset
    missing = sorted(_vocabulary_ids() - set(real_kb.questions) - groups)
    assert missing == []


def test_sided_questions_match_the_vocabulary(real_kb: KnowledgeBase) -> None:
    sided = {q.id for q in real_kb.questions.values() if q.sided}
    assert {"feet_turn_out", "asymmetric_weight_shift", "carry_load_one_hand",
            "radiating_leg_pain", "sls_hip_drop", "scapular_winging"} <= sided
    assert not sided & {"low_back_pain", "anterior_pelvic_tilt", "excessive_forward_lean",
                        "saddle_numbness", "osteoporosis"}


@pytest.mark.skipif(not (SHARED / "domain.md").exists(), reason="shared/ not beside the repo")
def test_every_catalogued_muscle_of_domain_md_is_in_the_kb(real_kb: KnowledgeBase) -> None:
    text = (SHARED / "domain.md").read_text(encoding="utf-8")
    section = text.split("### 5.1", 1)[1].split("### 5.6", 1)[0]
    ids = set(re.findall(r"^\| ([a-z][a-z0-9_]+) \|", section, flags=re.M)) - {"id"}
    assert len(ids) > 40
    assert sorted(ids - set(real_kb.muscles) - set(real_kb.groups)) == []


@pytest.mark.skipif(not (SHARED / "domain.md").exists(), reason="shared/ not beside the repo")
def test_every_source_key_of_domain_md_is_registered(real_kb: KnowledgeBase) -> None:
    text = (SHARED / "domain.md").read_text(encoding="utf-8")
    register = text.split("### 0.3", 1)[1].split("## 1.", 1)[0]
    keys = set(re.findall(r"^\| ([A-Z][A-Z0-9-]+) \|", register, flags=re.M)) - {"Key"}
    assert len(keys) > 40
    assert sorted(keys - set(real_kb.sources)) == []


def test_every_rule_cites_sources_and_explains_itself(real_kb: KnowledgeBase) -> None:
    for rule in [*real_kb.rules.values(), *real_kb.red_flags.values()]:
        assert rule.sources and len(rule.rationale) > 20, rule.id


def test_rules_whose_editions_differ_say_how(real_kb: KnowledgeBase) -> None:
    for rule in real_kb.rules.values():
        tagged = [set(c.editions) for c in rule.conclude
                  if isinstance(c, MuscleConclusion) and c.editions]
        if len(set().union(*tagged) if tagged else set()) > 1 and any(len(t) == 1 for t in tagged):
            assert rule.disagreement.strip(), f"{rule.id} mixes editions but explains nothing"


def test_every_section_of_domain_md_has_rules(real_kb: KnowledgeBase) -> None:
    by_file = Counter(real_kb.files[f"rules:{r}"].rsplit("/", 1)[-1] for r in real_kb.rules)
    assert set(by_file) >= {"overhead_squat.yaml", "single_leg_squat.yaml", "push_pull.yaml",
                            "static_patterns.yaml", "habits_symptoms.yaml"}
    ohsa = {q.id for q in real_kb.questions.values()
            if q.category in ("ohsa", "single_leg_squat", "push_pull")}
    premised = {p.sign for r in real_kb.rules.values() for p in r.when if hasattr(p, "sign")}
    assert sorted(ohsa - premised) == []


def _screen_table() -> list[tuple[list[str], str, str]]:
    """The rows of vocabulary.md's Safety screen table: ids, level, when it fires."""
    text = (SHARED / "vocabulary.md").read_text(encoding="utf-8")
    body = text.split("## Safety screen", 1)[1].split("\n\n", 3)[2]
    rows = []
    for line in body.splitlines()[2:]:
        cells = [c.strip() for c in line.strip("|").split("|")]
        rows.append((re.findall(r"`([a-z_]+)`", cells[0]), cells[2], cells[3]))
    return rows


@pytest.mark.skipif(not (SHARED / "vocabulary.md").exists(), reason="shared/ not beside the repo")
def test_every_red_flag_refers_at_the_vocabulary_level_when_it_says(
        real_kb: KnowledgeBase) -> None:
    rows = _screen_table()
    assert len(rows) > 20
    spinal = {"low_back_pain", "neck_pain", "thoracic_pain"}
    # each question's own red flag (spinal pains sit inside any_of, never at the top level)
    flags = {p.observation: flag for flag in real_kb.red_flags.values() for p in flag.when
             if isinstance(p, ObservationPremise)}
    for ids, level, fires in rows:
        for qid in ids:
            flag = flags[qid]
            assert real_kb.questions[qid].category == "red_flag", qid
            assert flag.level == level, qid
            if fires == "always":
                assert len(flag.when) == 1, qid
            else:  # with spinal pain: the question and any of the spinal pains
                assert fires.startswith("with spinal pain"), qid
                others = [p for p in flag.when if not isinstance(p, ObservationPremise)]
                assert len(flag.when) == 2 and len(others) == 1, qid
                assert isinstance(others[0], AnyOfPremise), qid
                assert {o.observation for o in others[0].any_of} == spinal, qid


def test_the_age_rule_needs_new_spinal_pain(real_kb: KnowledgeBase) -> None:
    flag = real_kb.red_flags["red_flag.age_onset"]
    assert ObservationPremise(observation="pain_is_new") in flag.when
    spinal = [p for p in flag.when if isinstance(p, AnyOfPremise)]
    assert {o.observation for o in spinal[0].any_of} == {"low_back_pain", "neck_pain",
                                                         "thoracic_pain"}
    assert [p.outside for p in flag.when if isinstance(p, AgePremise)] == [(20, 55)]


def test_antagonists_never_oppose_themselves_after_group_expansion(real_kb: KnowledgeBase) -> None:
    for rel in real_kb.relations.values():
        if rel.type == "antagonist":
            a = {m for x in rel.a for m in real_kb.expand(x)}
            b = {m for x in rel.b for m in real_kb.expand(x)}
            assert not a & b, rel.id


def test_no_relation_is_stated_twice(real_kb: KnowledgeBase) -> None:
    seen = Counter()
    for rel in real_kb.relations.values():
        if rel.type == "antagonist":
            key = (rel.type, frozenset([frozenset(rel.a), frozenset(rel.b)]))
        else:
            key = (rel.type, frozenset(rel.members))
        seen[key] += 1
    assert [k for k, n in seen.items() if n > 1] == []


def test_groups_expand_to_muscles(real_kb: KnowledgeBase) -> None:
    assert real_kb.expand("hip_flexor_complex") == (
        "psoas_major", "iliacus", "rectus_femoris", "tensor_fasciae_latae")
    assert set(real_kb.expand("hamstring_complex")) == {
        "biceps_femoris_long_head", "biceps_femoris_short_head", "semitendinosus",
        "semimembranosus"}
    for gid in real_kb.groups:
        assert real_kb.expand(gid), gid


def test_signs_are_concluded_and_used(real_kb: KnowledgeBase) -> None:
    concluded = {c.sign for r in real_kb.rules.values() for c in r.conclude
                 if isinstance(c, SignConclusion)}
    assert set(real_kb.signs) <= concluded
