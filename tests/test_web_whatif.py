"""The what-if page of an assessment (``/clients/ID/assessments/N/what-if``) through the ASGI
app: its switches, the difference a flip makes (the same as ``imbalance explain --what-if``'s
core says), the difference alone for the script, the referral, bad input, escaping, and the
script file."""

from __future__ import annotations

import datetime as dt
import re
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from expert.case import Case, load_case
from expert.explain.whatif import what_if as core_what_if
from expert.inference.reasoner import Reasoner
from expert.knowledge import KnowledgeBase
from expert.program import build_program
from expert.report import to_data
from tests.test_web import SEED_A, XSS, add_client, run_through, start, text

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

CASES = Path(__file__).resolve().parent.parent / "examples" / "cases"
SEED = CASES / "seed_a_low_back_pain_apt.yaml"


@pytest.fixture
def kept(real_kb: KnowledgeBase, real: Reasoner, tmp_path: Path
         ) -> Iterator[tuple[TestClient, Any, Case]]:
    """A web client and store with seed A kept as assessment 1 of client 1, as ``imbalance
    run CASE --client 1`` keeps it; the case."""
    from expert.store import open_store
    from expert.web.app import create_app

    store = open_store(f"sqlite:///{tmp_path / 'web.db'}")
    case = load_case(SEED, real_kb)
    keep(store, real_kb, real, case)
    with TestClient(create_app(real_kb, store), raise_server_exceptions=False) as web:
        yield web, store, case


def keep(store: Any, kb: KnowledgeBase, reasoner: Reasoner, case: Case) -> int:
    client = store.add_client("Ann Lee", 1988)
    outcome = reasoner.evaluate(case)
    program = build_program(kb, case, outcome)
    report = to_data(case, kb, outcome, program.to_data() if program else None)
    return int(store.store_assessment(client.id, case, report, report["program"],
                                      dt.date(2026, 1, 5), "file").number)


URL = "/clients/1/assessments/1/what-if"


def listed(page: str) -> dict[str, list[tuple[str, str]]]:
    """The findings the difference lists, by heading: (muscle, side) pairs."""
    out: dict[str, list[tuple[str, str]]] = {}
    for title, body in re.findall(r"<h3>([^<]+)</h3>\s*<ul class=\"findings[^\"]*\">(.*?)</ul>",
                                  page, re.S):
        out[title] = re.findall(r'data-muscle="([^"]+)" data-side="([^"]*)"', body)
    return out


def expected(data: dict[str, Any]) -> dict[str, list[tuple[str, str]]]:
    titles = {"added": "Findings gained", "removed": "Findings lost",
              "changed": "Certainty changed"}
    return {titles[k]: [(e["muscle"], e["side"] or "") for e in data[k]]
            for k in titles if data[k]}


def test_switches_are_the_answers_in_the_modes_words(kept: Any) -> None:
    web, _, _ = kept
    r = web.get(URL)
    assert r.status_code == 200
    # each answer a select named and identified by its observation id, the stored answer chosen
    for obs in ("low_back_pain", "anterior_pelvic_tilt", "prolonged_sitting"):
        m = re.search(rf'<select id="{obs}" name="{obs}" data-stored="yes">(.*?)</select>',
                      r.text, re.S)
        assert m, obs
        assert re.search(r'<option value="yes" selected>Yes \(as answered\)', m.group(1))
        assert '<option value="no">No</option>' in m.group(1)
    # red_flags: none is shown as a no to each red-flag question, which can be flipped
    assert re.search(r'<select id="saddle_numbness" name="saddle_numbness" data-stored="no">\s*'
                     r'<option value="yes">Yes</option><option value="no" selected>', r.text)
    # the unanswered questions to add, grouped by section, in the trainer's words (a file)
    assert '<optgroup label="Overhead squat assessment' in r.text
    assert 'id="what-if-difference"' in r.text and 'aria-live="polite"' in r.text
    assert '<script src="/static/whatif.js" defer></script>' in r.text
    assert "No answer is changed yet" in r.text


def test_a_flip_lists_what_the_cli_what_if_says(kept: Any, real: Reasoner) -> None:
    web, store, case = kept
    r = web.get(URL, params={"anterior_pelvic_tilt": "no"})
    assert r.status_code == 200
    core = core_what_if(real, case, {"anterior_pelvic_tilt": {"value": "no"}})
    assert expected(core) == listed(r.text)
    assert listed(r.text)["Findings lost"]  # seed A loses findings without the tilt
    words = " ".join(text(r.text).split())
    assert "Does the client's pelvis tilt" in words or "anterior" in words.lower()
    assert "Yes → No" in words
    # before → after bars, e.g. the gluteus maximus 80 % → 48 %
    glute = re.search(r'data-muscle="gluteus_maximus".*?</li>', r.text, re.S)
    assert glute and "80%" in glute.group(0) and "48%" in glute.group(0)
    assert glute.group(0).count("<meter") == 2
    # the stored assessment is never changed
    assert store.assessment(1, 1).case_data["answers"]["anterior_pelvic_tilt"]["value"] == "yes"
    # the same answer as stored is no change; the order of the query does not matter
    same = web.get(URL, params={"anterior_pelvic_tilt": "yes"})
    assert "No answer is changed yet" in same.text
    a = web.get(f"{URL}?prolonged_sitting=no&anterior_pelvic_tilt=no&part=difference")
    b = web.get(f"{URL}?part=difference&anterior_pelvic_tilt=no&prolonged_sitting=no")
    assert a.text == b.text


def test_adding_a_yes_and_the_core_programme_change(kept: Any, real: Reasoner) -> None:
    web, _, case = kept
    r = web.get(URL, params={"add": "shoulder_elevated_at_rest", "add_side": "left"})
    assert r.status_code == 200
    core = core_what_if(real, case, {"shoulder_elevated_at_rest": {"value": "left"}})
    assert expected(core) == listed(r.text) and core["added"]
    # the added answer is now a switch of its own (it can be taken back), chosen as asked
    m = re.search(r'<select id="shoulder_elevated_at_rest" name="shoulder_elevated_at_rest">'
                  r'(.*?)</select>', r.text, re.S)
    assert m and '<option value="left" selected>' in m.group(1)
    assert '<option value="">Not answered</option>' in m.group(1)
    words = " ".join(text(r.text).split())
    assert "Not answered → Yes, on the left" in words
    assert "The core of the programme" in words


def test_the_fragment_is_the_difference_alone(kept: Any) -> None:
    web, _, _ = kept
    r = web.get(URL, params={"anterior_pelvic_tilt": "no", "part": "difference"})
    assert r.status_code == 200
    body = r.text.strip()
    assert body.startswith('<section id="what-if-difference"') and body.endswith("</section>")
    assert "<select" not in body and "<html" not in body
    full = web.get(URL, params={"anterior_pelvic_tilt": "no"})
    assert body in full.text  # the same section the whole page shows


def test_a_red_flag_switched_on_refers_and_shows_no_programme(kept: Any) -> None:
    web, _, _ = kept
    r = web.get(URL, params={"saddle_numbness": "yes"})
    assert r.status_code == 200
    words = " ".join(text(r.text).split())
    assert "A referral: please see a health professional first" in words
    assert "emergency" in words
    assert "The core of the programme" not in words


def test_under_a_referral_findings_compare_but_no_programme(real_kb: KnowledgeBase,
                                                            real: Reasoner,
                                                            tmp_path: Path) -> None:
    from expert.store import open_store
    from expert.web.app import create_app

    store = open_store(f"sqlite:///{tmp_path / 'web.db'}")
    referred = load_case(SEED, real_kb).model_copy(update={"red_flags": None})
    data = referred.model_dump(mode="json", exclude_none=True)
    data["answers"]["saddle_numbness"] = "yes"
    from expert.case import parse_case
    keep(store, real_kb, real, parse_case(data, "referred", real_kb))
    with TestClient(create_app(real_kb, store), raise_server_exceptions=False) as web:
        assert "/what-if" in web.get("/clients/1/assessments/1").text  # linked
        r = web.get(URL, params={"saddle_numbness": "no"})
    words = " ".join(text(r.text).split())
    assert r.status_code == 200
    assert "would go away" in words and "Only a clinician can lift a referral" in words
    assert listed(r.text)["Findings gained"]  # what the answers alone would give
    assert "The core of the programme" not in words


@pytest.mark.parametrize("query, said", [
    ({"anterior_pelvic_tilts": "no"}, "There is no observation 'anterior_pelvic_tilts': "
                                      "did you mean 'anterior_pelvic_tilt'?"),
    ({"anterior_pelvic_tilt": "maybe"}, "'maybe' is not an answer to anterior_pelvic_tilt"),
    ({"anterior_pelvic_tilt": "left"}, "'left' is not an answer to anterior_pelvic_tilt"),
    ({"add": "nothing_like_this"}, "There is no observation 'nothing_like_this' to add"),
    ({"add": "neck_pain", "add_side": "up"}, "add_side='up' is not a side"),
    ({"part": "everything"}, "part='everything' is not a part of this page"),
])
def test_bad_input_is_a_friendly_422(kept: Any, query: dict[str, str], said: str) -> None:
    web, _, _ = kept
    for part in ({}, {"part": "difference"}) if "part" not in query else ({},):
        r = web.get(URL, params={**query, **part})
        assert r.status_code == 422
        assert said in " ".join(text(r.text).split())
        assert "Traceback" not in r.text and "Nothing was worked out" in r.text


def test_more_parameters_than_questions_are_refused_at_once(kept: Any) -> None:
    web, _, _ = kept
    r = web.get(URL + "?" + "&".join(f"x{n}=yes" for n in range(2000)))
    assert r.status_code == 422 and "more than there are questions" in r.text


def test_script_in_a_parameter_shows_as_text(kept: Any) -> None:
    web, _, _ = kept
    for query in ({XSS: "yes"}, {"anterior_pelvic_tilt": XSS}, {"add": XSS}):
        r = web.get(URL, params=query)
        assert r.status_code == 422
        assert XSS not in r.text and "&lt;script&gt;" in r.text


def test_unknown_assessment_is_404(kept: Any) -> None:
    web, _, _ = kept
    assert web.get("/clients/1/assessments/9/what-if").status_code == 404
    assert web.get("/clients/7/assessments/1/what-if").status_code == 404


def test_the_script_is_served_as_javascript(kept: Any) -> None:
    web, _, _ = kept
    r = web.get("/static/whatif.js")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith(("text/javascript", "application/javascript"))
    assert "part=difference" in r.text and "what-if-difference" in r.text


def test_a_consultation_in_the_browser_flips_live(real_kb: KnowledgeBase, real: Reasoner,
                                                  tmp_path: Path) -> None:
    """A self-mode consultation's assessment (every red flag answered no, explicitly): the
    answers are the switches, and a flip agrees with the core."""
    from expert.case import parse_case
    from tests.test_web import make_client

    with make_client(real_kb, tmp_path) as web:
        web.get("/clients")
        ident = add_client(web)
        start(web, ident)
        results = run_through(web, ident, SEED_A)
        assert 'id="what-if-link"' in results.text
        page = web.get(f"{results.url.path}/what-if")
        assert page.status_code == 200
        assert re.search(r'<select id="low_back_pain" name="low_back_pain" data-stored="yes">',
                         page.text)
        r = web.get(f"{results.url.path}/what-if",
                    params={"low_back_pain": "no", "part": "difference"})
    from expert.store import open_store
    store = open_store(f"sqlite:///{tmp_path / 'web.db'}")
    case = parse_case(store.assessment(ident, 1).case_data, "kept", real_kb)
    core = core_what_if(real, case, {"low_back_pain": {"value": "no"}})
    assert expected(core) == listed(r.text)


def test_cli_what_if_turns_a_red_flag_on_under_red_flags_none(real_kb: KnowledgeBase,
                                                              real: Reasoner) -> None:
    """Regression: ``red_flags: none`` and a what-if of a red flag was refused as a
    contradiction; it now refers, and the other red flags stay answered no."""
    case = load_case(SEED, real_kb)
    data = core_what_if(real, case, {"saddle_numbness": {"value": "yes"}})
    assert data["referral"] == {"before": None, "after": "emergency"}
    unsure = core_what_if(real, case, {"saddle_numbness": {"value": "unknown"}})
    assert unsure["referral"] == {"before": None, "after": None}
