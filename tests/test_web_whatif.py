"""The what-if page of an assessment (``/clients/ID/assessments/N/what-if``) through the ASGI
app: its switches, the difference a flip makes (the same as ``imbalance explain --what-if``'s
core says), the difference alone for the script, the referral, bad input, escaping, and the
script file."""

from __future__ import annotations

import datetime as dt
import re
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
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


def test_several_added_answers_at_once_are_the_cores(kept: Any, real: Reasoner) -> None:
    """Questions not answered, given as switches of their own (as the script turns each
    chosen "add" into one), are all compared at once, and all stay switches."""
    web, _, case = kept
    query = {"shoulder_elevated_at_rest": "left", "neck_pain": "yes",
             "carry_load_one_hand": "left"}
    r = web.get(URL, params=query)
    assert r.status_code == 200
    core = core_what_if(real, case, {o: {"value": v} for o, v in query.items()})
    assert expected(core) == listed(r.text) and core["added"]
    one = core_what_if(real, case, {"shoulder_elevated_at_rest": {"value": "left"}})
    assert expected(one) != listed(r.text)  # more than the first one counts
    added = re.search(r'<fieldset class="switches" id="what-if-added">(.*?)</fieldset>',
                      r.text, re.S)
    assert added, "the Added here list is shown"
    for obs, value in query.items():
        m = re.search(rf'<select id="{obs}" name="{obs}">(.*?)</select>', added.group(1), re.S)
        assert m and f'<option value="{value}" selected>' in m.group(1), obs
    # the page's script turns a chosen question into a switch from this template row
    assert '<template id="what-if-added-row">' in r.text
    assert re.search(r'<option value="shoulder_elevated_at_rest" data-sided>', web.get(URL).text)
    assert re.search(r'<fieldset class="switches" id="what-if-added" hidden>', web.get(URL).text)


def age_rule(kb: KnowledgeBase) -> tuple[str, int, int, list[str]]:
    """The red flag that names an age (read from rules/red_flags.yaml): its id, the ages it
    leaves out and the observations it needs besides."""
    from expert.knowledge.rulebook import AgePremise, AnyOfPremise, ObservationPremise

    for flag in kb.red_flags.values():
        ages = [p for p in flag.when if isinstance(p, AgePremise)]
        if ages:
            needs = [p.observation for p in flag.when if isinstance(p, ObservationPremise)]
            needs += [next(x.observation for x in p.any_of) for p in flag.when
                      if isinstance(p, AnyOfPremise)]
            return flag.id, *ages[0].outside, needs
    raise AssertionError("no red flag names the age")


def test_the_age_switch_refers_new_spinal_pain_at_an_age_the_rule_names(
        kept: Any, real_kb: KnowledgeBase, real: Reasoner) -> None:
    from expert.explain.whatif import changed

    web, _, case = kept
    flag, low, high, needs = age_rule(real_kb)
    assert case.subject.age is not None and low <= case.subject.age <= high
    page = web.get(URL).text
    assert re.search(rf'<label for="subject.age">[^<]+</label>\s*<input type="number" '
                     rf'id="subject.age" name="subject.age" min="0" max="120"[^>]* '
                     rf'value="{case.subject.age}" data-stored="{case.subject.age}"', page)
    yes = {o: "yes" for o in needs}
    # the rule's other premises alone: no referral at the kept age
    within = web.get(URL, params={**yes, "subject.age": str(case.subject.age)})
    assert "A referral" not in text(within.text)
    for age in (high + 1, low - 1):
        r = web.get(URL, params={**yes, "subject.age": str(age), "part": "difference"})
        said = " ".join(text(r.text).split())
        core = real.evaluate(changed(case, real_kb, {o: {"value": "yes"} for o in needs},
                                     {"age": age}))
        assert core.referral is not None and flag in {f.rule for f in core.referral.flags}
        assert r.status_code == 200
        assert "A referral: please see a health professional first" in said
        assert " ".join(real_kb.red_flags[flag].message.split()) in said
        assert f"{case.subject.age} → {age}" in said
        assert "The core of the programme" not in said  # never a programme under a red flag
    # the age alone (the pain not new) refers nobody; cleared, it is "Not given"
    r = web.get(URL, params={"subject.age": str(high + 1)})
    assert "A referral" not in text(r.text) and f"{case.subject.age} → {high + 1}" in text(r.text)
    gone = " ".join(text(web.get(URL, params={"subject.age": ""}).text).split())
    assert f"{case.subject.age} → Not given" in gone


def core_programme(kb: KnowledgeBase, reasoner: Reasoner, case: Case) -> list[str]:
    from expert.web.whatif import core_items

    return core_items(kb, case, reasoner.evaluate(case)) or []


def test_the_equipment_switch_changes_the_programme_as_the_core_says(
        kept: Any, real_kb: KnowledgeBase, real: Reasoner) -> None:
    from expert.explain.whatif import changed

    web, _, case = kept
    page = web.get(URL).text
    for item in real_kb.equipment:  # as kept: ticked, the others not
        box = re.search(rf'<input type="checkbox" id="kit-{item}" name="subject.equipment" '
                        rf'value="{item}"( checked)?>', page)
        assert box and bool(box.group(1)) == (item in case.subject.equipment), item
    before = core_programme(real_kb, real, case)
    checked = 0
    for kit in ([], ["resistance_band", "dumbbells", "cable_machine", "bench"], None):
        query = [("subject.equipment", "given"),
                 *(("subject.equipment", e) for e in (kit if kit is not None else ["unsaid"]))]
        r = web.get(URL, params=query)
        assert r.status_code == 200
        after = core_programme(real_kb, real, changed(case, real_kb, {}, {"equipment": kit}))
        said = " ".join(text(r.text).split())
        added = [i for i in after if i not in before]
        removed = [i for i in before if i not in after]
        if added:
            assert f"Added: {', '.join(added)}." in said
        if removed:
            assert f"Removed: {', '.join(removed)}." in said
        if not (added or removed):
            assert "The core exercises would stay the same." in said
        checked += bool(added or removed)
    assert checked  # some kit changes the core of the programme
    # the kit as kept is no change, in any order
    same = web.get(URL, params=[("subject.equipment", "given"),
                                *(("subject.equipment", e) for e in
                                  reversed(case.subject.equipment))])
    assert "No answer is changed yet" in same.text


def test_the_weeks_of_a_pregnancy_are_a_trainers_switch(kept: Any, real_kb: KnowledgeBase,
                                                         real: Reasoner) -> None:
    from expert.explain.whatif import changed

    web, _, case = kept
    field, ref = next(iter(real_kb.refinements.items()))
    key = f"subject.{field}"
    assert f'id="{key}" name="{key}"' in web.get(URL).text
    programmes = {}
    for weeks in (ref.assume_when_unknown - 6, ref.assume_when_unknown + 4):
        r = web.get(URL, params={ref.condition: "yes", key: str(weeks)})
        assert r.status_code == 200
        new = changed(case, real_kb, {ref.condition: {"value": "yes"}}, {field: weeks})
        programmes[weeks] = core_programme(real_kb, real, new)
        said = " ".join(text(r.text).split())
        assert f"Not given → {weeks}" in said
        for item in programmes[weeks]:
            if item not in core_programme(real_kb, real, case):
                assert item in said
    # the weeks without a yes to the condition: a 422 saying so
    r = web.get(URL, params={key: "20"})
    assert r.status_code == 422 and ref.condition in text(r.text)


def test_self_mode_has_the_age_but_not_the_kit(real_kb: KnowledgeBase, tmp_path: Path) -> None:
    from tests.test_web import make_client

    with make_client(real_kb, tmp_path) as web:
        web.get("/clients")
        ident = add_client(web)
        start(web, ident)
        results = run_through(web, ident, SEED_A)
        page = web.get(f"{results.url.path}/what-if").text
    assert 'id="subject.age"' in page
    assert "subject.equipment" not in page and "subject.pregnancy" not in page


@pytest.mark.parametrize("query, said", [
    ({"subject.age": "old"}, "'old' is not a value of subject.age: give a whole number from 0 "
                             "to 120"),
    ({"subject.age": "121"}, "'121' is not a value of subject.age"),
    ({"subject.pregnancy_weeks": "-3"}, "is not a value of subject.pregnancy_weeks: give a "
                                        "whole number from 0 to 45"),
    ([("subject.equipment", "given"), ("subject.equipment", "rowing_machine")],
     "'rowing_machine' is not a piece of equipment: use foam_roller"),
    ({"subject.equipment": "bench"}, "subject.equipment needs subject.equipment=given"),
])
def test_a_bad_subject_field_is_a_friendly_422(kept: Any, query: Any, said: str) -> None:
    web, _, _ = kept
    r = web.get(URL, params=query)
    assert r.status_code == 422
    assert said in " ".join(text(r.text).split())
    assert "Traceback" not in r.text and "Nothing was worked out" in r.text


def test_what_if_keeps_equipment_not_given_as_not_given(real_kb: KnowledgeBase,
                                                        real: Reasoner) -> None:
    """Regression: the core's what-if turned equipment left out (the plan's assumed kit) into
    an empty list (body weight only), changing the programme of any what-if."""
    from expert.case import parse_case
    from expert.explain.whatif import changed

    data = load_case(SEED, real_kb).model_dump(mode="json", exclude_none=True)
    del data["subject"]["equipment"]
    case = parse_case(data, "no kit", real_kb)
    new = changed(case, real_kb, {"neck_pain": {"value": "no"}})
    assert "equipment" not in new.subject.model_fields_set
    assert core_programme(real_kb, real, new) == core_programme(real_kb, real, case)
    # and the subject's fields set through the core (None: not given)
    older = changed(case, real_kb, {}, {"age": 70, "equipment": ["bench"]})
    assert older.subject.age == 70 and older.subject.equipment == ["bench"]
    assert changed(older, real_kb, {}, {"age": None}).subject.age is None


def test_in_a_browser_several_adds_the_kit_and_the_age_update_live(
        real_kb: KnowledgeBase, real: Reasoner, tmp_path: Path,
        tmp_path_factory: pytest.TempPathFactory) -> None:
    """Headless Chromium (skipped without it, as tests/test_web_browser.py): two questions
    added one after the other, each a switch in place, a box of the kit ticked and the age
    typed; the difference follows each change without a page load, and the findings are the
    core's for all the changes together."""
    from expert.store import open_store
    from tests.browser import chromium, fits, no_errors, serve, shoot, shown_what_if

    database = tmp_path / "clients.db"
    store = open_store(f"sqlite:///{database}")
    case = load_case(SEED, real_kb)
    keep(store, real_kb, real, case)
    with contextmanager(serve)(tmp_path_factory, database) as server, \
            contextmanager(chromium)(True) as browser:
        from selenium.webdriver.common.by import By
        from selenium.webdriver.common.keys import Keys
        from selenium.webdriver.support.select import Select
        from selenium.webdriver.support.wait import WebDriverWait

        def changes(count: int) -> None:
            WebDriverWait(browser, 15).until(lambda d: len(d.find_elements(
                By.CSS_SELECTOR, "#what-if-difference ul.changes li")) == count)

        browser.get(f"{server}{URL}")
        page = browser.find_element(By.TAG_NAME, "html")
        Select(browser.find_element(By.ID, "add_side")).select_by_value("left")
        Select(browser.find_element(By.ID, "add")).select_by_value(
            "shoulder_elevated_at_rest")
        changes(1)
        added = Select(browser.find_element(By.ID, "shoulder_elevated_at_rest"))
        assert added.first_selected_option.get_attribute("value") == "left"
        assert browser.find_element(By.ID, "add").get_attribute("value") == ""
        Select(browser.find_element(By.ID, "add")).select_by_value("neck_pain")
        changes(2)
        plain = Select(browser.find_element(By.ID, "neck_pain"))
        assert [o.get_attribute("value") for o in plain.options] == [
            "", "yes", "no", "unknown"]
        both = {"shoulder_elevated_at_rest": {"value": "left"},
                "neck_pain": {"value": "yes"}}
        core = core_what_if(real, case, both)
        shown = shown_what_if(browser)
        assert {k: {f"{e['muscle']}@{e['side'] or ''}" for e in core[k]}
                for k in ("added", "removed", "changed")} == shown and shown["added"]
        assert "shoulder_elevated_at_rest=left" in browser.current_url
        assert "neck_pain=yes" in browser.current_url
        browser.find_element(By.ID, "kit-bench").click()
        changes(3)
        assert "subject.equipment=given" in browser.current_url
        age = browser.find_element(By.ID, "subject.age")
        age.send_keys(Keys.CONTROL, "a")  # not clear(): that would send a change of its own
        age.send_keys("61", Keys.TAB)
        WebDriverWait(browser, 15).until(lambda d: f"{case.subject.age} → 61" in
                                         d.find_element(By.ID, "what-if-difference").text)
        changes(4)
        assert "subject.age=61" in browser.current_url
        assert page.is_enabled()  # the same page all along: no page load
        fits(browser)
        shoot(browser, "what-if-trainer")
        # the address, loaded again, shows the same switches and difference
        before = browser.find_element(By.ID, "what-if-difference").text
        browser.get(browser.current_url)
        assert browser.find_element(By.ID, "what-if-difference").text == before
        no_errors(browser)
