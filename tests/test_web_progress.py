"""A client's progress and the comparison of two assessments in the browser (``/clients/ID/
progress``, ``/clients/ID/compare``), through the ASGI app: the chart is the one ``imbalance
client report`` draws, with its values as a table; the comparison says what ``imbalance
compare`` says for the same pair; bad requests get a friendly 404 or 422 page; a client's name
is shown as text."""

from __future__ import annotations

import re
from collections.abc import Iterator
from itertools import pairwise
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
    # the chart is the very SVG the client report draws (generated here, nothing fetched), and
    # beside it the narrow one a phone is shown (the style sheet shows one of the two)
    data = core_progress(web, ident)
    assert page.count("<svg") == 2
    cli = invoke("client", "report", str(ident), "--db", web.url).output
    report_svg = re.search(r"<svg.*</svg>", cli, re.S).group(0)  # type: ignore[union-attr]
    assert report_svg == chart_svg(data)
    assert f'<div class="chart-wide">\n{report_svg}\n</div>' in page
    narrow = chart_svg(data, narrow=True)
    assert f'<div class="chart-narrow">\n{narrow}\n</div>' in page and narrow != report_svg
    assert page.count('role="img"') == 2 and "<img" not in page and 'src="http' not in page
    # its text alternative: every line's certainty at every assessment, in a table
    table = re.search(r'<table class="grid" id="chart-table">(.*?)</table>', page, re.S)
    assert table, page
    rows = dict(re.findall(r'<tr data-finding="([^"]+)">(.*?)</tr>', table.group(1), re.S))
    assert set(rows) == {s["finding"] for s in data["series"]} and rows
    cell = r'<td data-label="([^"]*)">([^<]*)</td>'
    for s in data["series"]:
        cells = re.findall(cell, rows[s["finding"]])
        key = data["key_threshold"]
        # each cell labelled with its assessment (a phone shows the label beside the value)
        assert cells == [(f"#{p['number']} {p['date']}",
                          "not found" if p["certainty"] is None else
                          f"{p['certainty']:.2f}" + (" key" if p["certainty"] >= key else ""))
                         for p in s["points"]]
    # the seed story: the glutes stay key, the hip flexors drop below the key threshold
    assert re.findall(cell, rows["gluteus_maximus@both underactive"]) == \
        [("#1 2026-01-05", "0.80 key"), ("#2 2026-02-09", "0.64 key")]
    assert rows["hip_flexor_complex@both overactive"].endswith(
        '<td data-label="#2 2026-02-09">0.48</td>')
    assert "#1 2026-01-05" in page and "#2 2026-02-09" in page
    # the report pages get the wider column (tests/test_web_browser.py measures the widths)
    assert '<main class="report-page">' in page


def test_the_narrow_chart_keeps_its_labels_apart_and_its_legend_under_the_plot() -> None:
    """The phone's chart: drawn 340 wide (a 360 px window's column, so 13-unit text shows at
    about 13 px), each tick labelled with its number and, where there is room, its date, no
    two labels touching, the latest always labelled; the legend under the plot, in lines short
    enough for its width."""
    import xml.etree.ElementTree as ET

    dates = ["2026-01-05", "2026-01-06", "2026-01-08", "2026-02-04", "2026-03-02", "2026-03-03"]
    name = "Intrinsic core stabilizers (deep abdominals) (midline), underactive"
    data = {"key_threshold": 0.5,
            "assessments": [{"number": n, "date": d} for n, d in enumerate(dates, 1)],
            "series": [{"finding": f"m{k}@both underactive", "name": f"{name} {k}",
                        "points": [{"number": n, "date": d, "certainty": 0.2 + 0.1 * k + 0.05 * n}
                                   for n, d in enumerate(dates, 1)]} for k in range(3)]}
    svg = ET.fromstring(chart_svg(data, narrow=True))
    ns = "{http://www.w3.org/2000/svg}"
    width, height = (float(v) for v in svg.get("viewBox", "").split()[2:])
    assert width == 340 and svg.get("font-size") == "13"
    texts = [(float(t.get("x", 0)), float(t.get("y", 0)), t.get("class"), t.text or "")
             for t in svg.iter(f"{ns}text") if t.get("x") is not None]
    axis = max(y for x, y, kind, words in texts if words.startswith("Assessment (number"))
    ticks = [(x, words) for x, y, kind, words in texts if kind is None and y < axis
             and (words.startswith("#") or words[:4] == "2026")]
    numbers = [(x, w) for x, w in ticks if w.startswith("#")]
    dated = [(x, w) for x, w in ticks if not w.startswith("#")]
    # days 0, 1, 3, 30, 56, 57 of 57: the close ones share the label of the first of them,
    # the last keeps its own
    assert [w for _, w in numbers] == ["#1", "#4", "#6"]
    assert [w for _, w in dated] == ["2026-01-05", "2026-02-04", "2026-03-03"]
    for labels, gap in ((numbers, 30), (dated, 86)):
        assert all(b[0] - a[0] >= gap for a, b in pairwise(labels))
    # no label runs past the drawing (a date is about 84 units wide at 13)
    assert all(42 <= x <= width - 42 for x, _ in dated)
    legend = [(x, y, words) for x, y, kind, words in texts if kind == "legend"]
    assert len(legend) >= 6 and all(y > axis and len(words) <= 40 for _, y, words in legend)
    assert max(y for _, y, _ in legend) < height
    assert " ".join(w for *_, w in legend).count("Intrinsic core stabilizers") == 3


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
    assert '<main class="report-page">' in page  # the wider column for its tables
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
