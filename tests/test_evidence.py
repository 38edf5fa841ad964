"""How evidence weighs together: evidence families, one observation counted once, symptoms alone
discounted, and group findings reported as the group (expert/evidence.py, expert/findings.py)."""

from __future__ import annotations

import random

from hypothesis import example, given
from hypothesis import strategies as st

from expert.evidence import SAME_GROUNDS, SUBSUMED, strength, weigh
from expert.findings import resolve
from expert.inference.ledger import Contribution, Ledger, Premise
from expert.inference.reasoner import Reasoner
from expert.knowledge import KnowledgeBase

from .conftest import make_case


def piece(rule: str, certainty: float, *, grounds: tuple[str, ...], family: str = "",
          link: float | None = None, symptom: bool = False, target: str = "hip_flexor",
          via: tuple[str, ...] = (), grouped: bool = False) -> Contribution:
    premise = Premise("answer", grounds[0], None, 1.0, "yes")
    return Contribution(target, None, rule, certainty, (premise,), "overactive",
                        family=family, symptom=symptom, link=certainty if link is None else link,
                        grounds=grounds, via=via, grouped=grouped)


def test_views_of_one_pattern_add_up_only_to_the_strongest_link() -> None:
    tilt = piece("pattern.a", 0.64, grounds=("tilt",), family="crossed", link=0.8)
    lean = piece("ohsa.b", 0.8, grounds=("lean",), family="crossed", link=0.8)
    sitting = piece("habit.c", 0.48, grounds=("sitting",), family="crossed")
    total, weights = weigh([tilt, lean, sitting])
    assert total == 0.8  # independent they would make 0.96
    assert weights[sitting].status == SUBSUMED  # the family already stood at 0.8
    # two views below the link do add up
    assert strength([tilt, sitting]) > 0.64
    # outside a family the same pieces are independent (MYCIN)
    free = [piece("pattern.a", 0.64, grounds=("tilt",)), piece("ohsa.b", 0.8, grounds=("lean",))]
    assert strength(free) == 0.64 + 0.8 - 0.64 * 0.8


def test_one_answer_counts_once_whatever_the_routes() -> None:
    as_pattern = piece("pattern.ucs", 0.64, grounds=("forward_head", "rounded"))
    as_compensation = piece("ohsa.head", 0.48, grounds=("forward_head",))
    total, weights = weigh([as_pattern, as_compensation])
    assert total == 0.64
    assert weights[as_compensation].status == SAME_GROUNDS
    assert weights[as_compensation].instead == as_pattern


def test_a_symptom_alone_is_discounted_unless_a_sign_supports_the_finding() -> None:
    pain = piece("symptom.pain", 0.8, grounds=("pain",), symptom=True)
    assert strength([pain], symptom_alone=0.5) == 0.4
    sign = piece("ohsa.sign", 0.6, grounds=("sign",))
    assert strength([pain, sign], symptom_alone=0.5) == 0.8 + 0.6 - 0.8 * 0.6
    _, weights = weigh([pain], symptom_alone=0.5)
    assert weights[pain].discounted


@given(st.randoms(use_true_random=False))
def test_weighing_does_not_depend_on_the_order_of_evidence(rnd: random.Random) -> None:
    pieces = [piece("pattern.a", 0.64, grounds=("tilt",), family="crossed", link=0.8),
              piece("ohsa.b", 0.5, grounds=("lean",), family="crossed", link=0.8),
              piece("habit.c", 0.48, grounds=("sitting",), family="crossed"),
              piece("ohsa.d", 0.3, grounds=("tilt",)),
              piece("symptom.e", 0.7, grounds=("pain",), symptom=True)]
    expected = weigh(pieces, 0.5)
    shuffled = list(pieces)
    rnd.shuffle(shuffled)
    assert weigh(shuffled, 0.5) == expected


def test_family_tags_cap_related_answers_on_the_fixture(tiny_kb: KnowledgeBase,
                                                        tiny: Reasoner) -> None:
    # tilt (through the crossed pattern) and the forward lean are one family: 0.64 and 0.8 make
    # 0.8, not 0.93
    outcome = tiny.evaluate(make_case(tiny_kb, {"tilt": "yes", "lean": "yes"}))
    [hip] = [f for f in outcome.findings if f.muscle == "hip_flexor"]
    assert hip.certainty == 0.8


def test_a_member_reached_only_through_its_group_is_reported_as_the_group(
        tiny_kb: KnowledgeBase) -> None:
    named = piece("ohsa.glute_test", 0.8, grounds=("glute_test",), target="hamstring_a")
    expanded = [piece("pattern.crossed", 0.64, grounds=("tilt",), target=m, via=("hamstrings",),
                      grouped=True) for m in ("hamstring_a", "hamstring_b")]
    outcome = resolve(tiny_kb, Ledger(muscles=[named, *expanded]), {})
    shown = {(f.muscle, f.members) for f in outcome.findings}
    # hamstring_a is named by evidence of its own; hamstring_b only through the group
    assert ("hamstrings", ("hamstring_b",)) in shown
    assert ("hamstring_a", ()) in shown
    assert not any(f.muscle == "hamstring_b" for f in outcome.findings)


def test_one_edition_repeating_itself_is_one_piece_of_evidence() -> None:
    # the CES long lists put the latissimus dorsi in both crossed syndromes: two patterns seen
    # on different answers, but the link to the muscle is one source's claim both times
    lower = piece("pattern.lower", 0.48, grounds=("tilt",), target="latissimus_dorsi")
    upper = piece("pattern.upper", 0.48, grounds=("forward_head",), target="latissimus_dorsi")
    lone = [Contribution(c.target, c.side, c.rule, c.certainty, c.premises, c.state,
                         ("ces1",), grounds=c.grounds) for c in (lower, upper)]
    assert strength(lone) == 0.48
    agreed = [Contribution(c.target, c.side, c.rule, c.certainty, c.premises, c.state,
                           ("ces1", "cpt7"), grounds=c.grounds) for c in (lower, upper)]
    assert strength(agreed) == 0.48 + 0.48 - 0.48 * 0.48


@given(st.lists(st.tuples(st.sampled_from(["r1", "r2", "r3", "r4"]),
                          st.floats(0.05, 1.0), st.sampled_from(["a", "b", "c", "d"]),
                          st.sampled_from(["", "f1", "f2"]), st.booleans(),
                          st.sampled_from([(), ("ces1",), ("ces1", "cpt7")])),
                min_size=1, max_size=7))
@example([("r1", 0.5, "a", "f1", False, ()), ("r2", 0.5, "b", "f1", False, ()),
          ("r1", 0.5, "a", "", False, ())])  # a tie between families: broken alike
def test_the_fast_sum_is_the_sum_explanations_show(raw: list[tuple]) -> None:
    pieces = [Contribution("m", None, rule, cf, (Premise("answer", g, None, 1.0, "yes"),),
                           "overactive", eds, family=fam, symptom=sym, link=min(1.0, cf * 1.25),
                           grounds=(g,))
              for rule, cf, g, fam, sym, eds in raw]
    assert abs(strength(pieces, 0.5) - weigh(pieces, 0.5)[0]) < 1e-12
