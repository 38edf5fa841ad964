"""The explanations on the results pages of imbalance serve (ASGI test client): the picture of
how each key finding was reached (the SVG imbalance explain draws, with a title, small enough
for a phone), and "why not" for any muscle, asked by id or name, in the words of the
assessment's mode, with suggestions for a misspelt name and nothing of the query taken as
markup."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from typing import Any, NamedTuple

import pytest

from expert.knowledge import KnowledgeBase

from .test_web import SEED_A, XSS, add_client, form_of, make_client, run_through, start, text

SVG = "{http://www.w3.org/2000/svg}"
SEED_B = {"carry_load_one_hand": "left", "shoulder_elevated_at_rest": "left", "subject.age": "41"}


class Site(NamedTuple):
    """One server with seed A answered in self mode and seed B in trainer mode."""
    web: Any          # the test client
    seed_a: str       # the results pages' paths
    seed_b: str
    store: str        # the database's URL


@pytest.fixture(scope="module")
def site(real_kb: KnowledgeBase, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    folder = tmp_path_factory.mktemp("explain")
    with make_client(real_kb, folder) as web:
        web.get("/clients")  # the CSRF cookie
        paths = []
        for answers, mode in ((SEED_A, "self"), (SEED_B, "trainer")):
            ident = add_client(web)
            start(web, ident, mode)
            paths.append(run_through(web, ident, answers).url.path)
        yield Site(web, paths[0], paths[1], f"sqlite:///{folder / 'web.db'}")


def words(page: str) -> str:
    return " ".join(text(page).split())


def main_words(page: str) -> str:
    """The words of the page above the why-not form (the form's datalist names every
    muscle)."""
    return words(page[:page.find('<form class="why-not"')])


def why_not(web: Any, results: str, muscle: str) -> Any:
    return web.get(f"{results}/why-not", params={"muscle": muscle})


def test_each_key_finding_has_its_picture_as_valid_svg_with_a_title(site: Site) -> None:
    web, seed_a, *_ = site
    page = web.get(seed_a).text
    # in self mode a muscle's plain name comes first: "Glutes (Gluteus maximus)"
    findings = re.findall(r"<li>(?:<span class=\"plain\">[^<]*</span> \()?"
                          r"<span class=\"name[^\"]*\">([^<]+)</span>", page)
    pictures = re.findall(r'<img src="([^"]+\.svg)"[^>]*alt="([^"]+)"', page)
    assert len(findings) >= 4 and len(pictures) == len(findings)
    for name, (src, alt) in zip(findings, pictures, strict=True):
        assert name in alt  # the text alternative names the finding
        r = web.get(src)
        assert r.status_code == 200 and r.headers["content-type"].startswith("image/svg+xml")
        root = ET.fromstring(r.text)  # well-formed XML, an svg with a title naming it
        assert root.tag == f"{SVG}svg"
        title = root.find(f"{SVG}title")
        assert title is not None and title.text and name in title.text
        # a person alone gets names only: no rule ids in the tooltips
        assert "rule " not in r.text
    assert web.get(f"{seed_a}/findings/99.svg").status_code == 404


def test_the_picture_is_the_one_imbalance_explain_draws(site: Site, tmp_path: Path) -> None:
    import json

    from click.testing import CliRunner

    from expert.cli import main
    from expert.store import open_store

    web, _, seed_b, url = site
    page = web.get(seed_b).text
    first = re.search(r'<li><span class="name">([^<]+)</span>.*?<img src="([^"]+\.svg)"', page,
                      re.S)
    assert first is not None and first.group(1).startswith("Trapezius, upper")
    svg = web.get(first.group(2)).text
    # the command line, on the case the consultation stored, draws the very same picture
    ident, number = re.findall(r"\d+", seed_b)
    with open_store(url) as store:
        case = store.assessment(int(ident), int(number)).case_data
    (tmp_path / "case.json").write_text(json.dumps(case))
    out = CliRunner().invoke(main, ["explain", "upper_trapezius", "--state", "overactive",
                                    "--side", "left", "--case", str(tmp_path / "case.json"),
                                    "--format", "svg"])
    assert out.exit_code == 0, out.output
    assert svg == out.output
    assert "rule " in svg  # a trainer's picture keeps the ids in its tooltips


def test_the_results_page_offers_why_not_with_every_muscle_suggested(
        site: Site, real_kb: KnowledgeBase) -> None:
    web, seed_a, *_ = site
    page = web.get(seed_a).text
    form = page[page.find('<form class="why-not"'):page.find("</form>")]
    assert 'method="get"' in form and f'action="{seed_a}/why-not"' in form
    assert 'id="why-not-muscle"' in form and ">Why not?</button>" in form
    listed = form[form.find("<datalist"):form.find("</datalist>")]
    options = re.findall(r'<option value="([^"]+)">', listed)
    assert len(options) == len(real_kb.muscles)
    # the state and side of the command line's --state and --side, each labelled
    for name, values in (("state", ["", "overactive", "underactive"]),
                         ("side", ["", "left", "right", "both"])):
        m = re.search(rf'<label for="why-not-{name}">[^<]+</label>\s*<select id="why-not-{name}" '
                      rf'name="{name}">(.*?)</select>', form, re.S)
        assert m, name
        assert re.findall(r'<option value="([^"]*)"', m.group(1)) == values
    assert "Trapezius, upper (descending) fibres" in options and "Psoas major" in options


def test_why_not_a_muscle_that_is_not_a_finding_says_why(site: Site) -> None:
    web, seed_a, *_ = site
    r = why_not(web, seed_a, "upper_trapezius")
    assert r.status_code == 200
    said = main_words(r.text)
    assert "Trapezius, upper (descending) fibres is not a finding of this assessment" in said
    # the rules that could have flagged it, each with what it needed and how it stands
    assert "Carries loads (groceries, a case, a child) on one side" in said
    assert re.search(r"“Do you often carry heavy things on one side[^”]*”: answered no", said)
    assert "it did not apply" in said
    # what would be needed: the smallest change that would flag it, in the mode's words
    assert re.search(r"It would be flagged with a yes \S* ?\S* ?\S* ?to “", said)
    # a person alone gets the words only: no rule ids
    assert "habit.carry_load_one_hand" not in said


def test_why_not_in_trainer_mode_names_the_rules(site: Site) -> None:
    web, _, seed_b, _ = site
    said = main_words(why_not(web, seed_b, "Psoas major").text)
    assert "Psoas major" in said and "is not a finding" in said
    assert re.search(r"\((?:habit|symptom|ohsa|pattern|static)\.[a-z_]+\)", said)


def test_why_not_a_finding_says_it_is_one_and_how_it_was_found(site: Site) -> None:
    web, _, seed_b, _ = site
    r = why_not(web, seed_b, "lower_trapezius")
    said = main_words(r.text)
    assert r.status_code == 200
    assert "is a finding of this assessment" in said
    assert re.search(r"Trapezius, lower \S+ fibres: probably underactive on the left side", said)
    assert re.search(r"you answered left to “[^”]*carry", said)
    assert re.search(r'<img src="[^"]+/findings/\d+\.svg"', r.text)


def test_a_muscle_can_be_named_by_its_name_in_any_case(site: Site) -> None:
    web, seed_a, *_ = site
    by_id = main_words(why_not(web, seed_a, "upper_trapezius").text)
    for word in ("Trapezius, upper (descending) fibres", "TRAPEZIUS, UPPER (DESCENDING) FIBRES",
                 "upper trap", " Upper Trapezius "):
        r = why_not(web, seed_a, word)
        assert r.status_code == 200 and main_words(r.text) == by_id, word


def test_a_muscle_inside_a_group_finding_is_found_through_the_group(site: Site) -> None:
    web, seed_a, *_ = site
    said = main_words(why_not(web, seed_a, "psoas").text)
    # seed A reports the psoas as the hip flexor complex (domain.md §8.1)
    assert "Psoas major is a finding" in said and "Hip flexor complex: probably overactive" in said


def test_an_unknown_name_gets_suggestions_not_an_error(site: Site) -> None:
    web, seed_a, *_ = site
    r = why_not(web, seed_a, "gluteus maxximus")
    assert r.status_code == 422
    said = words(r.text)
    assert "“gluteus maxximus” is not the name of one muscle" in said
    assert re.search(r'href="[^"]+/why-not\?muscle=Gluteus%20maximus">Gluteus maximus</a>',
                     r.text)
    several = why_not(web, seed_a, "trapezius")  # names more than one
    assert several.status_code == 422 and "Trapezius, lower (ascending) fibres" in several.text
    empty = why_not(web, seed_a, "")
    assert empty.status_code == 422 and "Type the name of a muscle" in empty.text
    assert "Traceback" not in r.text + several.text + empty.text


def test_the_query_is_shown_as_text_never_as_markup(site: Site) -> None:
    web, seed_a, *_ = site
    r = why_not(web, seed_a, XSS)
    assert r.status_code == 422
    assert XSS not in r.text and "&lt;script&gt;alert(1)&lt;/script&gt;" in r.text
    assert XSS in words(r.text)


def test_a_referral_has_no_why_not(real_kb: KnowledgeBase, tmp_path: Path) -> None:
    with make_client(real_kb, tmp_path) as web:
        web.get("/clients")
        ident = add_client(web)
        _, flag = form_of(start(web, ident).text)["items"][0]  # a red flag of the screen
        results = run_through(web, ident, {flag: "yes"})
        assert "Please see a health professional first" in results.text
        assert 'id="why-not-muscle"' not in results.text
        r = why_not(web, results.url.path, "psoas_major")
        assert r.status_code == 404 and "referral" in words(r.text)
        assert web.get(f"{results.url.path}/findings/1.svg").status_code == 404


def stored_case(site: Site, results: str, kb: KnowledgeBase) -> Any:
    """The case a results page's assessment keeps, as the core reads it."""
    from expert.case import parse_case
    from expert.store import open_store

    ident, number = re.findall(r"\d+", results)
    with open_store(site.store) as store:
        data = store.assessment(int(ident), int(number)).case_data
    return parse_case(data, "kept", kb)


@pytest.mark.parametrize("state, side", [("", "right"), ("underactive", ""),
                                         ("overactive", "both")])
def test_why_not_in_a_state_or_on_a_side_is_the_cores(site: Site, real_kb: KnowledgeBase,
                                                      real: Any, state: str,
                                                      side: str) -> None:
    """Seed B's upper trapezius is overactive on the left: asked about the right side, the
    other state or both sides, the page gives the rules and smallest change of
    ``explain --why-not --state --side`` for the same case."""
    from expert.explain.counterfactual import why_not_and_change
    from expert.explain.target import Target
    from expert.web.explain import Words

    web, _, seed_b, _ = site
    r = web.get(f"{seed_b}/why-not", params={"muscle": "upper trapezius", "state": state,
                                             "side": side})
    assert r.status_code == 200
    said = main_words(r.text)
    case = stored_case(site, seed_b, real_kb)
    data = why_not_and_change(real, case, real.evaluate(case),
                              Target("upper_trapezius", state or None, side or None))
    assert data["status"] == "other_state_or_side"
    asked = " ".join(x for x in (state, {"right": "on the right", "both": "on both sides"}
                                 .get(side, "")) if x)
    assert f"Trapezius, upper (descending) fibres {asked}: why not?" in said
    assert "is a finding of this assessment, but not " + asked in said
    assert "overactive on the left" in said  # what it is
    words = Words(real_kb, "trainer")
    titles = re.findall(r"<li><strong>([^<]+)</strong>", r.text)
    assert titles == [words.rule(rule) for rule in data["rules"]]
    applied = re.findall(r"</strong>, which would flag it [a-z ]+: (it did not apply|it applied"
                         r"(?:, on the other side)?)", r.text)
    assert applied == ["it did not apply" if not rule["fired"] else "it applied" +
                       (", on the other side" if rule.get("other_side") else "")
                       for rule in data["rules"]]
    change = data["counterfactual"]
    if change:
        assert f"It would be flagged with {words.change(change)}." in said
    else:
        assert "No change of up to three answers would flag it." in said
    # the form keeps what was asked
    assert re.search(rf'<option value="{state}" selected>', r.text)
    assert re.search(rf'<option value="{side}" selected>', r.text)


def test_the_right_side_is_flagged_by_the_cores_change(site: Site, real_kb: KnowledgeBase,
                                                       real: Any) -> None:
    """The smallest change the page gives for the right side does flag it there (the core's
    what-if agrees)."""
    from expert.explain.counterfactual import why_not_and_change
    from expert.explain.target import Target, findings_for
    from expert.explain.whatif import changed

    case = stored_case(site, site.seed_b, real_kb)
    target = Target("upper_trapezius", None, "right")
    change = why_not_and_change(real, case, real.evaluate(case), target)["counterfactual"]
    assert change and all(c["value"] in ("right", "both", "yes") for c in change)
    after = real.evaluate(changed(case, real_kb, {c["observation"]: {"value": c["value"]}
                                                  for c in change}))
    assert findings_for(real_kb, after, target)
    assert not findings_for(real_kb, real.evaluate(case), target)


def test_a_finding_in_the_state_and_side_asked_shows_how(site: Site) -> None:
    web, _, seed_b, _ = site
    r = web.get(f"{seed_b}/why-not", params={"muscle": "lower_trapezius",
                                             "state": "underactive", "side": "left"})
    said = main_words(r.text)
    assert r.status_code == 200 and "is a finding of this assessment" in said
    other = main_words(web.get(f"{seed_b}/why-not", params={
        "muscle": "lower_trapezius", "state": "overactive"}).text)
    assert "is a finding of this assessment, but not overactive" in other
    assert "underactive on the left" in other


@pytest.mark.parametrize("query, said", [
    ({"state": "tight"}, "“tight” is not a state: choose overactive, underactive or leave it "
                         "empty (either)."),
    ({"side": "up"}, "“up” is not a side: choose left, right, both or leave it empty (any)."),
    ({"state": "<b>x</b>"}, "“<b>x</b>” is not a state"),
])
def test_a_bad_state_or_side_is_a_friendly_422(site: Site, query: dict[str, str],
                                               said: str) -> None:
    web, seed_a, *_ = site
    r = web.get(f"{seed_a}/why-not", params={"muscle": "upper_trapezius", **query})
    assert r.status_code == 422
    assert said in words(r.text) and "Traceback" not in r.text
    assert "<b>x</b>" not in r.text


def test_a_midline_muscle_has_no_side(site: Site, real_kb: KnowledgeBase) -> None:
    web, seed_a, *_ = site
    midline = next(m for m in real_kb.muscles.values() if not m.paired)
    r = web.get(f"{seed_a}/why-not", params={"muscle": midline.id, "side": "left"})
    assert r.status_code == 422
    assert f"{midline.name} is a midline muscle and has no side" in words(r.text)
    assert web.get(f"{seed_a}/why-not", params={"muscle": midline.id}).status_code == 200
