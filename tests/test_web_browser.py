"""imbalance serve in a real browser, JavaScript on (tests/browser.py: one server and one
headless Chromium for the module, in a 360 px phone window, every page checked to fit it): seed
scenarios A and B by clicking to the findings the core gives for their case files, a why, how a
finding was found, the client sheet and its PDF download, a what-if switch whose difference
changes live, a why-not, a red flag ending at its referral, resuming after the tab was closed,
a consultation with the keyboard alone; each compared with what the core says; and a client's
progress and comparison pages read at 360 and 1280 px."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from expert.inference.reasoner import Reasoner
from expert.knowledge import KnowledgeBase
from expert.report import to_data

from .browser import (
    add_client,
    answer_page,
    answers_of,
    case,
    chromium,
    consult,
    core_findings,
    core_what_if,
    fits,
    no_errors,
    page_kind,
    press,
    press_to_leave,
    scrolled_inside,
    serve,
    shoot,
    shown_findings,
    shown_what_if,
    submit,
    visit,
    window,
)
from .test_reassessment import WEEK0, WEEK5, invoke

XSS = "<script>alert(1)</script>"


@pytest.fixture(scope="module")
def database(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("db") / "clients.db"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, database: Path) -> Iterator[str]:
    yield from serve(tmp_path_factory, database)


@pytest.fixture(scope="module")
def downloads(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("downloads")


@pytest.fixture(scope="module")
def browser(downloads: Path) -> Iterator[Any]:
    yield from chromium(javascript=True, downloads=downloads)


@pytest.fixture(scope="module")
def seed_a(server: str, browser: Any, real_kb: KnowledgeBase) -> str:
    """Seed scenario A answered by clicking, in self mode, for a client named like a script
    (shown as text); the URL of its results. Screenshots of the clients page, a checklist with
    its reasons open and a yes/no question."""
    from selenium.webdriver.common.by import By

    add_client(browser, server, XSS, mode=None)
    assert browser.find_element(By.TAG_NAME, "h1").text == XSS
    visit(browser, f"{server}/clients")
    shoot(browser, "clients")
    submit(browser, By.LINK_TEXT, XSS)
    submit(browser, By.CSS_SELECTOR, "form.stack button")  # self mode, the first
    seen: set[str] = set()

    def look(key: str, kind: str) -> None:
        if kind == "checklist" and "checklist" not in seen:  # the first: the safety screen
            browser.find_element(By.CSS_SELECTOR, "details.why summary").click()
            assert "safety screen" in browser.find_element(By.CSS_SELECTOR, "details.why").text
            shoot(browser, "checklist")
        elif kind == "yesno" and "yesno" not in seen:
            shoot(browser, "question")
        seen.add(kind)

    consult(browser, answers_of(case("seed_a_low_back_pain_apt.yaml", real_kb)), on_page=look)
    assert {"checklist", "yesno"} <= seen
    url: str = browser.current_url
    return url


def test_seed_a_by_clicking_gives_the_findings_of_its_case_file(
        seed_a: str, browser: Any, real_kb: KnowledgeBase, real: Reasoner) -> None:
    from selenium.webdriver.common.by import By

    visit(browser, seed_a)
    shown = shown_findings(browser)
    assert shown == core_findings(case("seed_a_low_back_pain_apt.yaml", real_kb), real_kb, real)
    names = " / ".join(name for name, *_ in shown)
    assert "Gluteus maximus" in names and "Erector spinae" in names  # domain.md §8.1
    # a finding opens how it was found, down to the answers
    browser.find_element(By.CSS_SELECTOR, "details.how summary").click()
    how = browser.find_element(By.CSS_SELECTOR, "details.how").text
    assert "low back" in how.lower()
    shoot(browser, "results")
    no_errors(browser)


def test_the_sheet_prints_and_downloads_as_a_one_page_pdf(
        seed_a: str, browser: Any, downloads: Path) -> None:
    from pypdf import PdfReader
    from selenium.webdriver.common.by import By

    visit(browser, seed_a)
    submit(browser, By.PARTIAL_LINK_TEXT, "sheet: the exercises")  # client or exercise
    assert browser.current_url.endswith("/sheet")
    assert browser.find_element(By.ID, "print").is_displayed()
    assert "glute" in browser.find_element(By.TAG_NAME, "body").text.lower()
    shoot(browser, "sheet")
    for old in downloads.iterdir():
        old.unlink()
    browser.find_element(By.PARTIAL_LINK_TEXT, "Download as PDF").click()
    pdf = _downloaded(downloads)
    assert pdf.name.endswith(".pdf") and pdf.read_bytes().startswith(b"%PDF")
    pages = [p.extract_text() for p in PdfReader(pdf).pages]
    # the sheet is one page, complete on it (through the disclaimer); the log to tick follows
    assert len(pages) == 2, [p[:80] for p in pages]
    assert pages[0].startswith("Your exercise plan") and "not a diagnosis" in pages[0]
    assert pages[1].startswith("Your log")
    assert browser.current_url.endswith("/sheet")  # a download, the page stays
    no_errors(browser)


def _downloaded(folder: Path, seconds: float = 20) -> Path:
    import time

    end = time.monotonic() + seconds
    while time.monotonic() < end:
        done = [p for p in folder.iterdir() if not p.name.endswith(".crdownload")]
        if done and not any(p.name.endswith(".crdownload") for p in folder.iterdir()):
            return done[0]
        time.sleep(0.1)
    pytest.fail(f"nothing was downloaded in {seconds} s: {list(folder.iterdir())}")


def test_seed_b_in_trainer_mode_by_clicking_gives_the_findings_of_its_case_file(
        server: str, browser: Any, real_kb: KnowledgeBase, real: Reasoner) -> None:
    seed_b = case("seed_b_groceries_left.yaml", real_kb)
    add_client(browser, server, "Bea", mode="trainer")
    asked = consult(browser, answers_of(seed_b))
    # ticked in its checklist, the side is asked on a page of its own
    assert ("carry_load_one_hand", "side") in asked
    shown = shown_findings(browser)
    assert shown == core_findings(seed_b, real_kb, real)
    assert seed_b.expected and seed_b.expected.overactive == ["upper_trapezius@left"]
    assert (real_kb.name("upper_trapezius"), "overactive", "on the left side") in \
        [s[:3] for s in shown]  # domain.md §8.2
    no_errors(browser)


def test_a_red_flag_ends_at_its_referral_without_a_programme(
        server: str, browser: Any, real_kb: KnowledgeBase, real: Reasoner) -> None:
    from selenium.webdriver.common.by import By

    flagged = case("red_flag_radiating_leg_pain_left.yaml", real_kb)
    client_page = add_client(browser, server, "Cy")
    read_back: list[str] = []

    def look(key: str, kind: str) -> None:
        confirm = browser.find_elements(By.CSS_SELECTOR, ".confirm")
        if confirm:
            read_back.append(confirm[0].text)
            # only what was ticked is ticked again on the page that reads it back
            ticked = [box.get_attribute("data-item") for box in
                      browser.find_elements(By.CSS_SELECTOR, "input[name=pick]:checked")]
            assert ticked == ["radiating_leg_pain"]

    consult(browser, answers_of(flagged), on_page=look)
    assert read_back and "ends the consultation with a referral" in read_back[0]
    referral = to_data(flagged, real_kb, real.evaluate(flagged), explained=False)["referral"]
    main = browser.find_element(By.TAG_NAME, "main").text
    assert "Please see a health professional first" in main
    # what to do next, in the words imbalance run gives for the case file
    assert referral["message"] in " ".join(main.split())
    assert "See a doctor or physiotherapist" in main
    assert "No exercise programme is given" in main
    assert not browser.find_elements(By.PARTIAL_LINK_TEXT, "sheet")
    assert not browser.find_elements(By.CSS_SELECTOR, "ol.findings")
    shoot(browser, "referral")
    visit(browser, client_page)
    assert f"referral ({referral['level']})" in browser.find_element(By.TAG_NAME, "main").text
    no_errors(browser)


def test_closing_the_tab_and_coming_back_resumes_the_consultation(
        server: str, browser: Any) -> None:
    from selenium.webdriver.common.by import By

    home = browser.current_window_handle
    browser.switch_to.new_window("tab")
    client_page = add_client(browser, server, "Dee")
    answers = {"low_back_pain": "yes", "prolonged_sitting": "yes"}
    for _ in range(4):  # into the safety screen
        answer_page(browser, answers)
    question = page_kind(browser), browser.find_element(By.TAG_NAME, "h1").text
    given = browser.find_element(By.CSS_SELECTOR, "details.given").get_attribute("textContent")
    browser.close()
    browser.switch_to.window(home)
    visit(browser, client_page)
    assert "answers so far" in browser.find_element(By.TAG_NAME, "main").text
    submit(browser, By.XPATH, "//button[.='Continue the consultation']")
    assert (page_kind(browser), browser.find_element(By.TAG_NAME, "h1").text) == question
    again = browser.find_element(By.CSS_SELECTOR, "details.given").get_attribute("textContent")
    assert again == given
    answer_page(browser, answers)  # and it carries on from there
    assert page_kind(browser) != question[0]
    no_errors(browser)


FOCUSED = """const e = document.activeElement, s = getComputedStyle(e);
return {tag: e.tagName.toLowerCase(), id: e.id, item: e.dataset.item || "",
        text: (e.innerText || e.value || "").trim(),
        outline: s.outlineStyle === "none" || parseFloat(s.outlineWidth) < 2 ? ""
                 : `${s.outlineStyle} ${s.outlineWidth} ${s.outlineColor}`};"""


def tab_to(driver: Any, want: Callable[[dict[str, str]], bool], limit: int = 40
           ) -> dict[str, str]:
    """Press Tab until ``want`` holds for the focused element (its tag, id, data-item and
    text); every element the focus stops at on the way shows an outline 2 px wide or more
    (the style sheet's, not Chromium's thin default ring)."""
    from selenium.webdriver.common.keys import Keys

    for _ in range(limit):
        press(driver, Keys.TAB)
        focused: dict[str, str] = driver.execute_script(FOCUSED)
        assert focused["tag"] != "body", "the focus left the page"
        assert focused["outline"], f"no visible focus on {focused}"
        if want(focused):
            return focused
    pytest.fail(f"Tab never reached the element wanted on {driver.current_url}")


def test_the_keyboard_alone_answers_questions_with_a_visible_focus(
        server: str, browser: Any) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    visit(browser, f"{server}/clients")
    tab_to(browser, lambda e: e["id"] == "name")
    press(browser, "Eve")
    press_to_leave(browser, Keys.ENTER)  # Enter in the field submits its form
    assert browser.find_element(By.TAG_NAME, "h1").text == "Eve"
    tab_to(browser, lambda e: e["text"] == "Start a consultation")
    press_to_leave(browser, Keys.ENTER)
    # the safety screen's first checklist: nothing applies, Continue
    assert page_kind(browser)[1] == "checklist"
    tab_to(browser, lambda e: e["text"] == "Continue")
    press_to_leave(browser, Keys.SPACE)
    while page_kind(browser)[0] != "checklist.symptoms":
        tab_to(browser, lambda e: e["text"] == "Continue")
        press_to_leave(browser, Keys.ENTER)
    tab_to(browser, lambda e: e["item"] == "low_back_pain")
    press(browser, Keys.SPACE)
    assert browser.find_element(By.CSS_SELECTOR, "[data-item=low_back_pain]").is_selected()
    tab_to(browser, lambda e: e["text"] == "Continue")
    press_to_leave(browser, Keys.ENTER)
    # the reasons open from the keyboard as well
    tab_to(browser, lambda e: e["tag"] == "summary" and "Why" in e["text"])
    press(browser, Keys.ENTER)
    assert browser.find_element(By.CSS_SELECTOR, "details.why").get_attribute("open")
    given = browser.find_element(By.CSS_SELECTOR, "details.given").get_attribute("textContent")
    assert "yes" in given.lower()
    fits(browser)
    no_errors(browser)


def test_a_what_if_switch_shows_the_difference_live(
        seed_a: str, browser: Any, real_kb: KnowledgeBase, real: Reasoner) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.select import Select
    from selenium.webdriver.support.wait import WebDriverWait

    visit(browser, seed_a)
    submit(browser, By.PARTIAL_LINK_TEXT, "What if some answers were different")
    difference = browser.find_element(By.ID, "what-if-difference")
    assert "No answer is changed yet" in difference.text
    page = browser.find_element(By.TAG_NAME, "html")
    Select(browser.find_element(By.ID, "anterior_pelvic_tilt")).select_by_value("no")
    WebDriverWait(browser, 15).until(  # the changes listed: the new difference is in
        lambda d: d.find_elements(By.CSS_SELECTOR, "#what-if-difference ul.changes"))
    # swapped in by static/whatif.js: the same page, its address saying what was changed
    assert page.is_enabled() and "anterior_pelvic_tilt=no" in browser.current_url
    seed = case("seed_a_low_back_pain_apt.yaml", real_kb)
    expected = core_what_if(seed, real, {"anterior_pelvic_tilt": "no"})
    assert expected["removed"] and shown_what_if(browser) == expected
    fits(browser)
    shoot(browser, "what-if")
    # flipped back, there is no difference any more
    Select(browser.find_element(By.ID, "anterior_pelvic_tilt")).select_by_value("yes")
    WebDriverWait(browser, 15).until(lambda d: "No answer is changed yet" in d.find_element(
        By.ID, "what-if-difference").text)
    assert shown_what_if(browser) == {"added": set(), "removed": set(), "changed": set()}
    no_errors(browser)


def test_why_not_a_muscle_says_what_would_have_flagged_it(
        seed_a: str, browser: Any, real_kb: KnowledgeBase, real: Reasoner) -> None:
    from selenium.webdriver.common.by import By

    from expert.consultation.questionnaire import Questionnaire
    from expert.explain.counterfactual import why_not_and_change
    from expert.explain.target import Target

    visit(browser, seed_a)
    name = real_kb.name("upper_trapezius")
    browser.find_element(By.ID, "why-not-muscle").send_keys(name)
    submit(browser, By.XPATH, "//button[.='Why not?']")
    assert browser.find_element(By.TAG_NAME, "h1").text == f"{name}: why not?"
    seed = case("seed_a_low_back_pain_apt.yaml", real_kb)
    core = why_not_and_change(real, seed, real.evaluate(seed), Target("upper_trapezius"))
    # every rule that could flag it, and the smallest change that would, as explain says
    assert len(browser.find_elements(By.CSS_SELECTOR, "ul.rules > li")) == len(core["rules"])
    change = browser.find_element(By.CSS_SELECTOR, "p.message").text
    label = Questionnaire(real_kb, "self").label
    for step in core["counterfactual"]:
        assert label(step["observation"]) in change
    no_errors(browser)


# the rendered size, in px, of the text of the chart that shows (the narrow or the wide one)
CHART_TEXT = """return [...document.querySelectorAll('.chart svg')]
  .filter(s => s.getBoundingClientRect().width > 0)
  .map(s => parseFloat(s.getAttribute('font-size')) * s.getBoundingClientRect().width
            / s.viewBox.baseVal.width)"""
# each filled cell of the report's tables: its table, its column's heading, and the label
# shown before it (the card's, on a phone)
CELL_LABELS = """const out = [];
for (const t of document.querySelectorAll('.report table')) {
  const head = [...(t.tHead ? t.tHead.rows[0] : t.rows[0]).cells].map(c => c.textContent.trim());
  for (const r of t.rows) {
    if (!r.querySelector('td')) continue;
    [...r.cells].forEach((c, i) => {
      if (c.tagName === 'TD' && c.colSpan === 1 && c.textContent.trim())
        out.push([t.id || t.closest('section').id, head[i],
                  getComputedStyle(c, '::before').content.replace(/^"|"$/g, '')]);
    });
  }
}
return out;"""


@pytest.fixture(scope="module")
def two_assessments(server: str, database: Path) -> str:
    """A client with the reassessment story's two assessments (examples/reassessment: week 0
    and week 5), stored as ``imbalance run CASE --client ID`` stores them; the client's URL."""
    url = f"sqlite:///{database}"
    added = invoke("client", "add", "Fay", "--db", url)
    assert added.exit_code == 0, added.output
    ident = added.output.split("Added client ", 1)[1].split(":", 1)[0]
    for story in (WEEK0, WEEK5):
        stored = invoke("run", str(story), "--client", ident, "--db", url)
        assert stored.exit_code == 0, stored.output
    return f"{server}/clients/{ident}"


def readable(driver: Any, name: str) -> None:
    """The page read at 360 px (no sideways scrolling anywhere: each table row a card, each
    cell labelled with its column's heading) and at 1280 px (every table whole in its column);
    the chart that shows has text of 10 px or more at both widths."""
    labels = driver.execute_script(CELL_LABELS)
    assert labels and all(label == head for _, head, label in labels), \
        [row for row in labels if row[1] != row[2]]
    assert scrolled_inside(driver) == []
    charts = driver.execute_script(CHART_TEXT)
    assert all(size >= 10 for size in charts), charts
    with window(driver, 1280):
        fits(driver)
        assert scrolled_inside(driver) == []
        wide = driver.execute_script(CHART_TEXT)
        assert all(size >= 10 for size in wide), wide
        # the tables side by side again, not cards
        assert not any(label for *_, label in driver.execute_script(CELL_LABELS)
                       if label not in ("none", "normal"))
    shoot(driver, name)
    no_errors(driver)


def test_progress_and_compare_read_at_360_and_1280_px(two_assessments: str,
                                                      browser: Any) -> None:
    from selenium.webdriver.common.by import By

    visit(browser, two_assessments)
    submit(browser, By.LINK_TEXT, "Progress over time")
    assert browser.current_url.endswith("/progress")
    assert len(browser.execute_script(CHART_TEXT)) == 1  # one chart shows: the narrow one
    readable(browser, "progress")
    tables = {t for t, *_ in browser.execute_script(CELL_LABELS)}
    assert tables == {"chart-table", "assessments"}
    submit(browser, By.LINK_TEXT, "Compare the last two assessments")
    assert "before=1" in browser.current_url and "after=2" in browser.current_url
    readable(browser, "compare")
    tables = {t for t, *_ in browser.execute_script(CELL_LABELS)}
    assert tables == {"findings", "answers", "progressed-table"}

