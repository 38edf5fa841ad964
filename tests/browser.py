"""What the browser tests of imbalance serve share: a real ``imbalance serve`` on a free loopback
port with a temporary SQLite database, headless Chromium through Selenium (Debian's chromium
and chromium-driver; tests/system-deps.sh installs them), and the moves of a person at it:
click and wait for the next page, answer a question page as a case file would, press keys.

The window is a 360 px phone's: every page loaded through these helpers is checked to fit it
(no sideways scrolling). Screenshots at 1280 and 360 px are taken only when
IMBALANCE_SCREENSHOTS names a folder. Without Chromium the tests are skipped, except under CI,
where a missing browser fails."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from expert.case import Case, load_case
from expert.explain.whatif import what_if
from expert.inference.reasoner import Reasoner
from expert.knowledge import KnowledgeBase
from expert.report import to_data

CASES = Path(__file__).parent.parent / "examples" / "cases"

FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-dev-shm-usage", "--hide-scrollbars")
PHONE = (360, 800)


def _programs() -> tuple[str, str] | None:
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    driver = shutil.which("chromedriver")
    return (browser, driver) if browser and driver else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def serve(tmp_path_factory: pytest.TempPathFactory, database: Path | None = None
          ) -> Iterator[str]:
    """``imbalance serve`` as a subprocess, on ``database`` (an SQLite file; a new one when
    None); its address. Its log must hold no traceback."""
    folder = tmp_path_factory.mktemp("serve")
    port = _free_port()
    log = (folder / "server.log").open("w")
    process = subprocess.Popen(
        [sys.executable, "-m", "expert", "serve", "--port", str(port), "--db",
         f"sqlite:///{database or folder / 'clients.db'}"], stdout=log,
        stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
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


def chromium(javascript: bool, downloads: Path | None = None) -> Iterator[Any]:
    """Headless Chromium in a phone-sized window; ``downloads``: where files it downloads go."""
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
    for flag in (*FLAGS, f"--user-data-dir={profile}", f"--window-size={PHONE[0]},{PHONE[1]}"):
        options.add_argument(flag)
    prefs: dict[str, Any] = {}
    if not javascript:
        prefs["profile.managed_default_content_settings.javascript"] = 2
    if downloads is not None:
        prefs.update({"download.default_directory": str(downloads),
                      "download.prompt_for_download": False})
    options.add_experimental_option("prefs", prefs)
    driver = webdriver.Chrome(service=Service(programs[1]), options=options)
    driver.set_page_load_timeout(30)
    driver.set_window_size(*PHONE)
    if downloads is not None:  # headless Chromium ignores the preference without this
        driver.execute_cdp_cmd("Browser.setDownloadBehavior",
                               {"behavior": "allow", "downloadPath": str(downloads)})
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


def fits(driver: Any) -> None:
    """Nothing on the page is wider than the window: no sideways scrolling on a phone."""
    wide, room = driver.execute_script(
        "const e = document.documentElement; return [e.scrollWidth, e.clientWidth]")
    assert wide <= room, f"{driver.current_url} is {wide} px wide in a {room} px window"


def shoot(driver: Any, name: str) -> None:
    """The page at 1280 and 360 px wide, its whole height, into IMBALANCE_SCREENSHOTS (when
    set); each width is checked to fit as well."""
    folder = os.environ.get("IMBALANCE_SCREENSHOTS")
    if not folder:
        return
    Path(folder).mkdir(parents=True, exist_ok=True)
    for width in (1280, 360):
        driver.set_window_size(width, PHONE[1])
        # the window's size includes what headless Chromium keeps around the page
        height, frame = driver.execute_script(
            "return [document.documentElement.scrollHeight,"
            " window.outerHeight - window.innerHeight]")
        driver.set_window_size(width, min(max(height, 600), 8000) + frame)
        assert driver.save_screenshot(str(Path(folder) / f"{name}-{width}.png"))
        fits(driver)
    driver.set_window_size(*PHONE)


@contextmanager
def window(driver: Any, width: int) -> Iterator[None]:
    """The window ``width`` px wide (the phone's height) for a while, then the phone's again."""
    driver.set_window_size(width, PHONE[1])
    try:
        yield
    finally:
        driver.set_window_size(*PHONE)


def scrolled_inside(driver: Any) -> list[str]:
    """The boxes that scroll sideways (``.wide``) whose content is wider than they are (cut
    off at the right until scrolled): the tables too wide for them (by id, or their section's)
    and the widths."""
    found: list[str] = driver.execute_script("""
        return [...document.querySelectorAll('.wide')]
          .filter(e => e.scrollWidth > e.clientWidth)
          .map(e => ([...e.querySelectorAll('table')].filter(t => t.offsetWidth > e.clientWidth)
                       .map(t => t.id || t.closest('section[id]')?.id).join(', ')
                     || e.className) + `: ${e.scrollWidth} px in ${e.clientWidth}`)""")
    return found


def visit(driver: Any, url: str) -> None:
    driver.get(url)
    fits(driver)


def submit(driver: Any, by: str, selector: str) -> None:
    """Click what ``selector`` finds and wait for the next page to load (it must fit a phone).
    Chromium now and then reports a node of a page being replaced as "not belonging to the
    document" rather than stale: both count as gone; a click that fails so is tried again."""
    from selenium.webdriver.common.by import By

    page = driver.find_element(By.TAG_NAME, "html")
    _retry_on(driver, page, lambda: driver.find_element(by, selector).click())
    _wait_gone(driver, page)


def press(driver: Any, *keys: str) -> None:
    """Keys sent to the element that has the focus, as a keyboard would."""
    from selenium.webdriver.common.action_chains import ActionChains

    ActionChains(driver).send_keys(*keys).perform()


def press_to_leave(driver: Any, key: str) -> None:
    """A key that submits the page (Enter on a button): wait for the next page."""
    from selenium.webdriver.common.by import By

    page = driver.find_element(By.TAG_NAME, "html")
    _retry_on(driver, page, lambda: press(driver, key))
    _wait_gone(driver, page)


def _gone(page: Any) -> bool:
    from selenium.common.exceptions import WebDriverException

    try:
        page.is_enabled()
    except WebDriverException:  # stale, or Chromium's "does not belong to the document"
        return True
    return False


def _retry_on(driver: Any, page: Any, act: Callable[[], None]) -> None:
    from selenium.common.exceptions import WebDriverException

    for attempt in range(3):
        try:
            act()
            return
        except WebDriverException:
            if attempt == 2:
                raise
            time.sleep(0.2)
            if _gone(page):  # it went through: never act on the next page
                return


def _wait_gone(driver: Any, page: Any) -> None:
    from selenium.webdriver.support.wait import WebDriverWait

    WebDriverWait(driver, 15).until(lambda _: _gone(page))
    WebDriverWait(driver, 15).until(
        lambda d: d.execute_script("return document.readyState") == "complete")
    fits(driver)


def case(name: str, kb: KnowledgeBase) -> Case:
    """A case file of the library, examples/cases/NAME."""
    return load_case(CASES / name, kb)


def core_findings(c: Case, kb: KnowledgeBase, reasoner: Reasoner
                  ) -> list[tuple[str, str, str, int]]:
    """The key findings ``imbalance run`` reports for the case file, as the results page
    shows them (see ``shown_findings``)."""
    report = to_data(c, kb, reasoner.evaluate(c), explained=False)
    return [(f["name"], f["state"], side_words(f["side"]), round(f["certainty"] * 100))
            for f in report["findings"] if f["key"]]


def answers_of(c: Case) -> dict[str, Any]:
    """What a person answering as the case file ``c`` says, by question key (everything else
    is no)."""
    answers: dict[str, Any] = {key: a.value for key, a in c.answers.items()}
    if c.subject.age is not None:
        answers["subject.age"] = str(c.subject.age)
    answers["subject.equipment"] = [str(e) for e in c.subject.equipment]
    return answers


def page_kind(driver: Any) -> tuple[str, str]:
    """The question key and kind (checklist, yesno, side, number, equipment) of the page."""
    from selenium.webdriver.common.by import By

    form = driver.find_element(By.CSS_SELECTOR, "form.question")
    return form.get_attribute("data-question"), form.get_attribute("data-kind")


def answer_page(driver: Any, answers: dict[str, Any]) -> None:
    """Answer the question page as ``answers`` say (no where they say nothing, don't know for
    a side), by clicking; a tick read back before a referral is confirmed."""
    from selenium.webdriver.common.by import By

    if driver.find_elements(By.CSS_SELECTOR, ".confirm"):  # the ticks are kept, checked
        submit(driver, By.CSS_SELECTOR, "form.question button.primary")
        return
    form = driver.find_element(By.CSS_SELECTOR, "form.question")
    key, kind = page_kind(driver)
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


def add_client(driver: Any, server: str, name: str, mode: str | None = "self") -> str:
    """Add a client on the clients page and start a consultation in ``mode`` (none for
    None); the client page's URL."""
    from selenium.webdriver.common.by import By

    visit(driver, f"{server}/clients")
    driver.find_element(By.ID, "name").send_keys(name)
    submit(driver, By.CSS_SELECTOR, "form.stack button")
    client_page: str = driver.current_url
    if mode is None:
        return client_page
    driver.find_element(By.CSS_SELECTOR, f"input[name=mode][value={mode}]").click()
    submit(driver, By.CSS_SELECTOR, "form.stack button")
    return client_page


def consult(driver: Any, answers: dict[str, Any], limit: int = 60,
            on_page: Callable[[str, str], None] | None = None) -> list[tuple[str, str]]:
    """Answer question pages until the consultation ends at its results; the (key, kind) of
    every page asked. ``on_page`` sees each page first."""
    asked: list[tuple[str, str]] = []
    for _ in range(limit):
        if "/assessments/" in driver.current_url:
            return asked
        asked.append(page_kind(driver))
        if on_page is not None:
            on_page(*asked[-1])
        answer_page(driver, answers)
    pytest.fail(f"the consultation did not end in {limit} pages: {asked}")


def shown_findings(driver: Any) -> list[tuple[str, str, str, int]]:
    """The key findings on a results page: (name, state, side words, certainty in %)."""
    from selenium.webdriver.common.by import By

    out = []
    for item in driver.find_elements(By.CSS_SELECTOR, "ol.findings > li"):
        name = item.find_element(By.CSS_SELECTOR, ".name").text
        state = item.find_element(By.CSS_SELECTOR, ".state").text.removeprefix("probably ")
        first = item.text.split("\n", 1)[0]
        side = first.split(state, 1)[1].strip()
        percent = item.find_element(By.CSS_SELECTOR, ".bar").text.split()[-1]
        out.append((name, state, side, int(percent.rstrip("%"))))
    return out


def core_what_if(c: Case, reasoner: Reasoner, changes: dict[str, str]) -> dict[str, set[str]]:
    """The muscles ``imbalance explain --what-if`` finds gained, lost and changed."""
    data = what_if(reasoner, c, {k: {"value": v, "certainty": 1.0} for k, v in changes.items()})
    return {kind: {f"{e['muscle']}@{e['side'] or ''}" for e in data[kind]}
            for kind in ("added", "removed", "changed")}


def shown_what_if(driver: Any) -> dict[str, set[str]]:
    """The muscles the what-if page's difference lists as gained, lost and changed."""
    from selenium.webdriver.common.by import By

    out = {}
    for title, kind in (("Findings gained", "added"), ("Findings lost", "removed"),
                        ("Certainty changed", "changed")):
        out[kind] = {f"{li.get_attribute('data-muscle')}@{li.get_attribute('data-side')}"
                     for li in driver.find_elements(
                         By.XPATH, f"//*[@id='what-if-difference']/h3[.='{title}']"
                         "/following-sibling::ul[1]/li")}
    return out


def side_words(side: str | None) -> str:
    """How the results page says a finding's side."""
    return {"left": "on the left side", "right": "on the right side",
            "both": "on both sides"}.get(side or "", "")


def no_errors(driver: Any) -> None:
    """The browser logged no error since the last look: no CSP violation, no failed request."""
    logs = [e for e in driver.get_log("browser") if e.get("level") == "SEVERE"]
    assert not logs, logs
