"""imbalance serve in a real browser: headless Chromium through Selenium (Debian's chromium and
chromium-driver; tests/system-deps.sh installs them). Starts ``imbalance serve`` on a free
loopback port with a temporary SQLite database, adds a client, answers seed scenario A page by
page to its findings, opens the client sheet, and takes screenshots at 1280 and 360 px wide
(kept in IMBALANCE_SCREENSHOTS when set). Skipped without Chromium, except under CI, where a
missing browser fails."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

SEED_A = {"low_back_pain": "yes", "anterior_pelvic_tilt": "yes", "prolonged_sitting": "yes",
          "subject.age": "38", "subject.equipment": ["foam_roller", "stability_ball"]}
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-dev-shm-usage")


def _programs() -> tuple[str, str] | None:
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    driver = shutil.which("chromedriver")
    return (browser, driver) if browser and driver else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("serve")
    port = _free_port()
    log = (folder / "server.log").open("w")
    process = subprocess.Popen(
        [sys.executable, "-m", "expert", "serve", "--port", str(port), "--db",
         f"sqlite:///{folder / 'clients.db'}"], stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            try:
                urllib.request.urlopen(f"{url}/clients", timeout=1).close()
                break
            except OSError:
                if process.poll() is not None:
                    break
                time.sleep(0.1)
        else:
            pytest.fail("imbalance serve did not start")
        assert process.poll() is None, (folder / "server.log").read_text()
        yield url
    finally:
        process.terminate()
        process.wait(10)
        log.close()
    assert "Traceback" not in (folder / "server.log").read_text()


def _chromium(javascript: bool) -> Iterator[Any]:
    programs = _programs()
    if programs is None:
        if os.environ.get("CI"):
            pytest.fail("chromium and chromedriver are missing (bash tests/system-deps.sh)")
        pytest.skip("chromium and chromedriver are not installed (bash tests/system-deps.sh)")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    profile = tempfile.mkdtemp(prefix="imbalance-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = programs[0]
    for flag in (*FLAGS, f"--user-data-dir={profile}", "--window-size=1280,900"):
        options.add_argument(flag)
    if not javascript:
        options.add_experimental_option(
            "prefs", {"profile.managed_default_content_settings.javascript": 2})
    driver = webdriver.Chrome(service=Service(programs[1]), options=options)
    driver.set_page_load_timeout(30)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    yield from _chromium(javascript=True)


@pytest.fixture
def no_script() -> Iterator[Any]:
    yield from _chromium(javascript=False)


def shots() -> Path:
    folder = Path(os.environ.get("IMBALANCE_SCREENSHOTS") or tempfile.mkdtemp())
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def screenshot(driver: Any, name: str, folder: Path, fits: bool = True) -> None:
    """The page at 1280 and 360 px wide (the whole height of the page); ``fits``: nothing on
    it is wider than a phone's window."""
    for width in (1280, 360):
        driver.set_window_size(width, 900)
        height = driver.execute_script("return document.documentElement.scrollHeight")
        driver.set_window_size(width, min(max(height, 600), 4000))
        assert driver.save_screenshot(str(folder / f"{name}-{width}.png"))
        # nothing is wider than the window (no sideways scrolling on a phone)
        wide = driver.execute_script("return document.documentElement.scrollWidth")
        assert wide <= width or not fits, f"{name} is {wide} px wide at {width}"
    driver.set_window_size(1280, 900)


def submit(driver: Any, by: str, selector: str) -> None:
    """Click the button ``selector`` finds and wait for the next page to load. Chromium now
    and then reports a node of a page being replaced as "not belonging to the document"
    rather than stale: both count as gone; a click that fails so is tried again."""
    from selenium.common.exceptions import StaleElementReferenceException, WebDriverException
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.wait import WebDriverWait

    page = driver.find_element(By.TAG_NAME, "html")

    def gone(driver: Any) -> bool:  # the old page was replaced
        try:
            page.is_enabled()
        except WebDriverException:  # stale, or Chromium's "does not belong to the document"
            return True
        return False

    for attempt in range(3):
        try:
            driver.find_element(by, selector).click()
            break
        except (StaleElementReferenceException, WebDriverException):
            if attempt == 2:
                raise
            time.sleep(0.2)
            if gone(driver):  # the click went through: never click on the next page
                break
    WebDriverWait(driver, 15).until(gone)


def answer_page(driver: Any, answers: dict[str, Any]) -> None:
    from selenium.webdriver.common.by import By

    form = driver.find_element(By.CSS_SELECTOR, "form.question")
    key, kind = form.get_attribute("data-question"), form.get_attribute("data-kind")
    if kind in ("checklist", "equipment"):
        wanted = answers.get(key, [])
        for box in form.find_elements(By.NAME, "pick"):
            item = box.get_attribute("data-item")
            if answers.get(item) not in (None, "no") or item in wanted:
                box.click()
        submit(driver, By.CSS_SELECTOR, "form.question button.primary")
    elif kind == "number":
        value = answers.get(key)
        if value is None:
            submit(driver, By.CSS_SELECTOR, "form.question button[value=unknown]")
        else:
            form.find_element(By.NAME, "number").send_keys(value)
            submit(driver, By.CSS_SELECTOR, "form.question button.primary")
    else:
        value = answers.get(key, "unknown" if kind == "side" else "no")
        form.find_element(By.CSS_SELECTOR, f"input[name=answer][value={value}]").click()
        submit(driver, By.CSS_SELECTOR, "form.question button.primary")


def test_seed_a_in_a_real_browser(server: str, browser: Any) -> None:
    from selenium.webdriver.common.by import By

    folder = shots()
    browser.get(f"{server}/")
    assert browser.title.startswith("Clients")
    browser.find_element(By.ID, "name").send_keys("<script>alert(1)</script>")
    submit(browser, By.CSS_SELECTOR, "form.stack button")
    assert browser.find_element(By.TAG_NAME, "h1").text == "<script>alert(1)</script>"
    browser.find_element(By.CSS_SELECTOR, "input[value=self]").click()
    submit(browser, By.CSS_SELECTOR, "form.stack button")
    first = True
    for _ in range(40):
        if "/assessments/" in browser.current_url:
            break
        if first:  # a question page, with its reasons opened
            browser.find_element(By.CSS_SELECTOR, "details.why summary").click()
            assert "safety screen" in browser.find_element(By.CSS_SELECTOR, "details.why").text
            screenshot(browser, "question", folder)
            first = False
        answer_page(browser, SEED_A)
    else:
        pytest.fail("the consultation did not end")
    body = browser.find_element(By.TAG_NAME, "main").text
    assert "Key findings" in body and "Gluteus maximus" in body and "Erector spinae" in body
    screenshot(browser, "results", folder)
    submit(browser, By.PARTIAL_LINK_TEXT, "client sheet")
    assert browser.current_url.endswith("/sheet")
    assert browser.find_element(By.ID, "print").is_displayed()
    assert "Gluteus" in browser.find_element(By.TAG_NAME, "body").text or \
        "glute" in browser.find_element(By.TAG_NAME, "body").text.lower()
    screenshot(browser, "sheet", folder)  # A4 on paper, one card a row on a phone
    logs = [e for e in browser.get_log("browser") if e.get("level") == "SEVERE"]
    assert not logs, logs  # no CSP violation, no failed request


def test_without_javascript_a_red_flag_resumes_and_ends_at_the_referral(
        server: str, no_script: Any) -> None:
    from selenium.webdriver.common.by import By

    browser = no_script
    browser.get("data:text/html,<p id=js>off</p><script>js.textContent='on'</script>")
    assert browser.find_element(By.ID, "js").text.lower() == "off"
    browser.get(f"{server}/clients")
    browser.find_element(By.ID, "name").send_keys("Ben")
    submit(browser, By.CSS_SELECTOR, "form.stack button")
    client_page = browser.current_url
    submit(browser, By.CSS_SELECTOR, "form.stack button")
    question = browser.find_element(By.TAG_NAME, "h1").text
    # close the page and come back: the consultation continues at the same question
    browser.get("about:blank")
    browser.get(client_page)
    submit(browser, By.XPATH, "//button[.='Continue the consultation']")
    assert browser.find_element(By.TAG_NAME, "h1").text == question
    browser.find_element(By.CSS_SELECTOR, "input[name=pick][value='1']").click()
    submit(browser, By.CSS_SELECTOR, "button.primary")
    assert "You ticked" in browser.find_element(By.CSS_SELECTOR, ".confirm").text
    submit(browser, By.CSS_SELECTOR, "button.primary")
    for _ in range(20):  # a flag that refers may still leave the emergency ones to ask
        if "/assessments/" in browser.current_url:
            break
        answer_page(browser, {})
    main = browser.find_element(By.TAG_NAME, "main").text
    assert "Please see a health professional first" in main
    assert "client sheet" not in main
