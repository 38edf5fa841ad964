"""A client's progress and the comparison of two assessments in the browser (``/clients/ID/
progress``, ``/clients/ID/compare``), through the ASGI app: the chart is the one ``imbalance
client report`` draws, with its values as a table; the comparison says what ``imbalance
compare`` says for the same pair; bad requests get a friendly 404 or 422 page; a client's name
is shown as text."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from expert.inference.reasoner import Reasoner
from expert.knowledge import KnowledgeBase
from expert.reassessment.comparison import compare
from expert.reassessment.references import StoredRef, from_store
from expert.reassessment.timeline import chart_svg, progress_data

from .test_reassessment import WEEK0, WEEK5, invoke
from .test_web import XSS, add_client, make_client, text


class Web:
    """The test client and the database it serves, with a helper to store assessments the way
    ``imbalance run CASE --client ID`` does."""

    def __init__(self, client: Any, url: str) -> None:
        self.client, self.url = client, url

    def add(self, name: str, *cases: Path) -> int:
        ident = add_client(self.client, name)
        for case in cases:
            stored = invoke("run", str(case), "--client", str(ident), "--db", self.url)
            assert stored.exit_code == 0, stored.output
        return ident

    def get(self, path: str) -> Any:
        return self.client.get(path)


@pytest.fixture
def web(real_kb: KnowledgeBase, tmp_path: Path) -> Iterator[Web]:
    with make_client(real_kb, tmp_path) as client:
        client.get("/clients")  # the CSRF cookie
        yield Web(client, f"sqlite:///{tmp_path / 'web.db'}")


def core_progress(web: Web, ident: int) -> dict[str, Any]:
    from expert.store import open_store

    with open_store(web.url) as store:
        return progress_data(store.client(ident), store.assessments(ident))


def core_compare(web: Web, kb: KnowledgeBase, ident: int, a: int, b: int) -> dict[str, Any]:
    from expert.store import open_store

    with open_store(web.url) as store:
        sides = [from_store(StoredRef(str(ident), n), kb, store) for n in (a, b)]
    return compare(Reasoner(kb), sides[0], sides[1])


def selected(page: str, name: str) -> str:
    select = re.search(rf'<select id="{name}" name="{name}">(.*?)</select>', page, re.S)
    assert select, page
    chosen = re.findall(r'<option value="(\d+)" selected>', select.group(1))
    assert len(chosen) == 1, select.group(1)
    return chosen[0]


# -- progress ------------------------------------------------------------------------------------

def test_the_progress_page_draws_the_client_reports_chart_with_its_values_as_text(
        web: Web) -> None:
    ident = web.add(XSS, WEEK0, WEEK5)
    client_page = web.get(f"/clients/{ident}").text
    assert f'href="/clients/{ident}/progress"' in client_page
    r = web.get(f"/clients/{ident}/progress")
    assert r.status_code == 200
    page = r.text
    # the name is text, never markup
    assert "<script>alert" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    # the chart is the very SVG the client report draws (generated here, nothing fetched)
    data = core_progress(web, ident)
    assert page.count("<svg") == 1 and chart_svg(data) in page
    cli = invoke("client", "report", str(ident), "--db", web.url).output
    assert re.search(r"<svg.*</svg>", cli, re.S).group(0) in page  # type: ignore[union-attr]
    assert 'role="img"' in page and "<img" not in page and 'src="http' not in page
    # its text alternative: every line's certainty at every assessment, in a table
    table = re.search(r'<table class="grid" id="chart-table">(.*?)</table>', page, re.S)
    assert table, page
    rows = dict(re.findall(r'<tr data-finding="([^"]+)">(.*?)</tr>', table.group(1), re.S))
    assert set(rows) == {s["finding"] for s in data["series"]} and rows
    for s in data["series"]:
        cells = re.findall(r"<td>([^<]*)</td>", rows[s["finding"]])
        key = data["key_threshold"]
        assert cells == [("not found" if p["certainty"] is None else
                          f"{p['certainty']:.2f}" + (" key" if p["certainty"] >= key else ""))
                         for p in s["points"]]
    # the seed story: the glutes stay key, the hip flexors drop below the key threshold
    assert re.findall(r"<td>([^<]*)</td>", rows["gluteus_maximus@both underactive"]) == \
        ["0.80 key", "0.64 key"]
    assert rows["hip_flexor_complex@both overactive"].endswith("<td>0.48</td>")
    assert "#1 2026-01-05" in page and "#2 2026-02-09" in page
    # fits a phone: the chart scales to the column, the tables scroll inside it
    css = web.get("/static/style.css").text
    assert re.search(r"\.chart svg \{[^}]*max-width: 100%[^}]*height: auto", css)
    assert re.search(r"\.wide \{[^}]*overflow-x: auto", css)


def test_one_assessment_says_a_chart_needs_two_and_none_has_no_progress_yet(web: Web) -> None:
    one = web.add("One", WEEK0)
    client_page = text(web.get(f"/clients/{one}").text)
    assert "a chart needs two assessments; there is one so far" in client_page
    assert "Compare two assessments" not in client_page   # no pair to compare
    r = web.get(f"/clients/{one}/progress")
    assert r.status_code == 200 and "<svg" not in r.text
    assert "A chart needs two assessments; there is one so far." in text(r.text)
    assert 'id="chart-table"' in r.text and "#1 2026-01-05" in r.text
    none = web.add("Nobody yet")
    assert "/progress" not in web.get(f"/clients/{none}").text
    r = web.get(f"/clients/{none}/progress")
    assert r.status_code == 200 and "No assessment yet" in r.text and "<svg" not in r.text
    assert web.get("/clients/999/progress").status_code == 404


# -- compare -------------------------------------------------------------------------------------

def test_the_compare_form_works_without_script_and_says_what_compare_says(
        web: Web, real_kb: KnowledgeBase) -> None:
    ident = web.add(XSS, WEEK0, WEEK5)
    # the client page's GET form picks the last two by default
    client_page = web.get(f"/clients/{ident}").text
    form = re.search(r'<form method="get" action="([^"]+)"', client_page)
    assert form and form.group(1) == f"/clients/{ident}/compare"
    before, after = selected(client_page, "before"), selected(client_page, "after")
    assert (before, after) == ("1", "2")
    r = web.get(f"{form.group(1)}?before={before}&after={after}")
    assert r.status_code == 200, r.text
    page = r.text
    assert "<script>alert" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    data = core_compare(web, real_kb, ident, 1, 2)
    words = text(page)
    s = data["summary"]
    assert (f"Findings: {s['resolved']} resolved, {s['persisting']} persisting, "
            f"{s['new']} new") in words
    rows = re.findall(r'<tr data-kind="(\w+)" data-muscle="(\w+)">(.*?)</tr>', page)
    assert [(k, m) for k, m, _ in rows] == [(k, e["muscle"]) for k in ("resolved",
                                           "persisting", "new") for e in data["findings"][k]]
    for (_, _, cells), e in zip(rows, [e for k in ("resolved", "persisting", "new")
                                       for e in data["findings"][k]], strict=True):
        for side in ("before", "after"):   # certainty before -> after
            c = e[side]
            assert (f"{c['certainty']:.2f} {'key' if c['key'] else 'possible'}"
                    if c else "not found") in cells
    for line in data["sheet"]["changes"] + data["sheet"]["meaning"] + [data["sheet"]["plan"]]:
        assert line in words
    programme = dict(re.findall(r'<tr (?:class="dropped" )?data-exercise="(\w+)" '
                                r'data-status="(\w*)"', page))
    assert programme == {**{i["exercise"]: i["progression"]["status"]
                            for p in data["program"]["phases"] for i in p["items"]},
                         **{d["exercise"]: "dropped" for d in data["dropped"]}}
    assert programme["ball_bridge"] == "progressed"
    assert programme["kneeling_hip_flexor_stretch"] == "dropped"
    # and the same sections, to the byte, as imbalance compare --format html
    cli = invoke("compare", f"client:{ident}@1", f"client:{ident}@2", "--db", web.url,
                 "--format", "html").output
    sections = cli[cli.index('<section id="changes">'):cli.rindex("</section>") + 10]
    assert sections in page
    # the pair chosen stays selected
    assert (selected(page, "before"), selected(page, "after")) == ("1", "2")


@pytest.mark.parametrize("query, status, says", [
    ("", 422, "Say which two assessments to compare"),
    ("?before=1", 422, "Say which two assessments to compare"),
    ("?before=one&after=2", 422, "Say which two assessments to compare"),
    ("?before=0&after=2", 422, "Say which two assessments to compare"),
    ("?before=-1&after=2", 422, "Say which two assessments to compare"),
    ("?before=1&after=99999999999999999999", 422, "Say which two assessments to compare"),
    ("?before=2&after=2", 422, "That is assessment 2 twice"),
    ("?before=1&after=3", 404, "This client has no assessment 3 (it has 2: 1 to 2)"),
])
def test_bad_compare_requests_get_a_friendly_page(web: Web, query: str, status: int,
                                                  says: str) -> None:
    ident = web.add("Ann Lee", WEEK0, WEEK5)
    web.add("Someone else", WEEK0, WEEK5, WEEK0)  # has an assessment 3: never shown for Ann
    r = web.get(f"/clients/{ident}/compare{query}")
    assert r.status_code == status
    assert says in text(r.text) and "Traceback" not in r.text
    assert 'data-kind="' not in r.text              # no comparison shown
    # the form to choose again, with the last two picked
    assert (selected(r.text, "before"), selected(r.text, "after")) == ("1", "2")


def test_compare_of_an_unknown_client_or_of_one_assessment(web: Web) -> None:
    r = web.get("/clients/999/compare?before=1&after=2")
    assert r.status_code == 404 and "There is no such page." in r.text
    one = web.add("One", WEEK0)
    r = web.get(f"/clients/{one}/compare?before=1&after=2")
    assert r.status_code == 404 and "Traceback" not in r.text
    assert "has one assessment: a comparison needs two" in text(r.text)
    assert "<select" not in r.text
