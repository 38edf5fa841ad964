"""imbalance serve in a real browser with JavaScript off (tests/browser.py: its own server and
headless Chromium, a 360 px phone window, every page checked to fit it): plain forms and full
page loads take seed scenario B to the findings the core gives for its case file and to the
client sheet; a consultation resumes after the page was closed; a referring tick is read back
and the consultation ends at the referral page."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from expert.inference.reasoner import Reasoner
from expert.knowledge import KnowledgeBase

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
    serve,
    shown_findings,
    shown_what_if,
    submit,
    visit,
)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    yield from serve(tmp_path_factory)


@pytest.fixture(scope="module")
def no_script() -> Iterator[Any]:
    yield from chromium(javascript=False)


def test_javascript_is_off(no_script: Any) -> None:
    from selenium.webdriver.common.by import By

    no_script.get("data:text/html,<p id=js>off</p><script>js.textContent='on'</script>")
    assert no_script.find_element(By.ID, "js").text.lower() == "off"


@pytest.fixture(scope="module")
def seed_b(server: str, no_script: Any, real_kb: KnowledgeBase) -> str:
    """Seed scenario B answered by clicking in self mode; the URL of its results."""
    add_client(no_script, server, "Bea")
    consult(no_script, answers_of(case("seed_b_groceries_left.yaml", real_kb)))
    url: str = no_script.current_url
    return url


def test_without_javascript_seed_b_reaches_its_findings_and_the_sheet(
        seed_b: str, no_script: Any, real_kb: KnowledgeBase, real: Reasoner) -> None:
    from selenium.webdriver.common.by import By

    visit(no_script, seed_b)
    expected = core_findings(case("seed_b_groceries_left.yaml", real_kb), real_kb, real)
    assert shown_findings(no_script) == expected
    # the explanation opens without a script (a details element)
    no_script.find_element(By.CSS_SELECTOR, "details.how summary").click()
    assert "left" in no_script.find_element(By.CSS_SELECTOR, "details.how").text
    fits(no_script)
    submit(no_script, By.PARTIAL_LINK_TEXT, "sheet: the exercises")
    body = no_script.find_element(By.TAG_NAME, "body").text
    assert "Your exercise plan" in body and "not a diagnosis" in body
    assert no_script.find_element(By.PARTIAL_LINK_TEXT, "Download as PDF").is_displayed()
    # printing needs the script: without it, no button that would do nothing
    assert not no_script.find_element(By.ID, "print").is_displayed()
    no_errors(no_script)


def test_without_javascript_a_what_if_is_a_plain_form(
        seed_b: str, no_script: Any, real_kb: KnowledgeBase, real: Reasoner) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.select import Select

    visit(no_script, seed_b)
    submit(no_script, By.PARTIAL_LINK_TEXT, "What if some answers were different")
    Select(no_script.find_element(By.ID, "carry_load_one_hand")).select_by_value("no")
    submit(no_script, By.XPATH, "(//button[.='Show the difference'])[1]")
    shown = shown_what_if(no_script)
    seed = case("seed_b_groceries_left.yaml", real_kb)
    expected = core_what_if(seed, real, {"carry_load_one_hand": "no"})
    assert any(expected.values()) and shown == expected
    no_errors(no_script)


def test_without_javascript_a_red_flag_resumes_and_ends_at_the_referral(
        server: str, no_script: Any) -> None:
    from selenium.webdriver.common.by import By

    client_page = add_client(no_script, server, "Ben")
    question = no_script.find_element(By.TAG_NAME, "h1").text
    # close the page and come back: the consultation continues at the same question
    no_script.get("about:blank")
    visit(no_script, client_page)
    submit(no_script, By.XPATH, "//button[.='Continue the consultation']")
    assert no_script.find_element(By.TAG_NAME, "h1").text == question
    no_script.find_element(By.CSS_SELECTOR, "input[name=pick][value='1']").click()
    submit(no_script, By.CSS_SELECTOR, "button.primary")
    assert "You ticked" in no_script.find_element(By.CSS_SELECTOR, ".confirm").text
    submit(no_script, By.CSS_SELECTOR, "button.primary")
    for _ in range(20):  # a flag that refers may still leave the emergency ones to ask
        if "/assessments/" in no_script.current_url:
            break
        answer_page(no_script, {})
    main = no_script.find_element(By.TAG_NAME, "main").text
    assert "Please see a health professional first" in main
    assert "client sheet" not in main and "exercise sheet" not in main
    no_errors(no_script)
