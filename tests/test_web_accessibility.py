"""The accessibility audit of imbalance serve, measured (issue 13: WCAG AA).

(a) Contrast: the WCAG 2.x contrast ratio of every text colour / background pair the style
sheets declare (the pages' style.css, the client sheet's style with its web bar, and the print
style of the trainer's report), at least 4.5:1 for text, and 3:1 for the borders of form
controls and for focus rings against the background they are drawn on.
(b) Every page reachable through the ASGI client (the clients, a client, each kind of question,
changing an answer, the results and every page linked from them, a referral, the login, an
error, the client sheet, and the result pages of the GET forms no link reaches: a comparison,
why-not): lang, a title, one h1 (the sheet: one a printed page), a main
landmark, unique ids, every form control and button with an accessible name, every link with
text, every image and picture with a text alternative.
(c) A visible focus style: an outline on :focus-visible for every link, button and input, and
no rule removes the outline."""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from expert.knowledge import KnowledgeBase

from .test_reassessment import WEEK0, invoke
from .test_web import answer_for, csrf, form_of, make_client

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

EXPERT = Path(__file__).resolve().parent.parent / "expert"
STYLE = EXPERT / "web" / "static" / "style.css"
TEMPLATES = EXPERT / "templates"
TEXT, NON_TEXT = 4.5, 3.0
CONTROLS = ("input", "select", "textarea", "button", ".button", "summary")


# -- (a) contrast -------------------------------------------------------------------------------
def luminance(colour: tuple[float, float, float]) -> float:
    """The relative luminance of an sRGB colour (WCAG 2.x)."""
    def linear(c: float) -> float:
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4
    r, g, b = (linear(c) for c in colour)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def ratio(a: str, b: str) -> float:
    hi, lo = sorted((luminance(rgb(a)), luminance(rgb(b))), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


NAMED = {"white": "#ffffff", "black": "#000000"}


def rgb(colour: str) -> tuple[float, float, float]:
    value = NAMED.get(colour, colour).lstrip("#")
    if len(value) == 3:
        value = "".join(c * 2 for c in value)
    return (int(value[0:2], 16) / 255, int(value[2:4], 16) / 255, int(value[4:6], 16) / 255)


COLOUR = re.compile(r"#[0-9a-fA-F]{6}\b|#[0-9a-fA-F]{3}\b|\b(?:white|black)\b")


def colour_of(value: str | None) -> str | None:
    """The colour a declaration's value names (the first one), lower case; None for none
    (inherit, transparent, a size alone)."""
    found = COLOUR.search(value or "")
    return found.group(0).lower() if found else None


def rules(css: str) -> list[tuple[str, dict[str, str]]]:
    """(selector, declarations) for each selector of each rule; @media blocks flattened, the
    comments (CSS and Jinja) left out."""
    css = re.sub(r"/\*.*?\*/|\{#.*?#\}", "", css, flags=re.S)
    found = []
    for selectors, body in re.findall(r"([^{}]+)\{([^{}]*)\}", css):
        decls = {}
        for decl in body.split(";"):
            name, _, value = decl.partition(":")
            if value.strip():
                decls[name.strip().lower()] = value.strip()
        for selector in selectors.split(","):
            found.append((" ".join(selector.split()), decls))
    return found


def background(decls: dict[str, str]) -> str | None:
    return colour_of(decls.get("background-color") or decls.get("background"))


class Sheet:
    """The colours a style sheet declares and where they can meet: a rule with a background
    and no colour is a box any text may sit in; a rule with a colour and no background is
    text that may sit in any such box, or only in its ancestor's box when the selector is
    inside a rule that sets one (``.top .brand`` inside ``.top``)."""

    def __init__(self, name: str, css: str, paper: str = "#ffffff", ink: str = "#000000"
                 ) -> None:
        self.name, self.rules = name, rules(css)
        roots = [d for s, d in self.rules if s in ("html", "body")]
        self.paper = next((b for d in roots if (b := background(d))), paper)
        self.ink = next((c for d in roots if (c := colour_of(d.get("color")))), ink)
        self.boxes = {s: b for s, d in self.rules if (b := background(d))}

    def context(self, selector: str) -> list[str] | None:
        """The background of the nearest ancestor box of ``selector`` (None: anywhere)."""
        parts = selector.split(" ")
        for n in range(len(parts) - 1, 0, -1):
            ancestor = " ".join(parts[:n])
            if ancestor in self.boxes:
                return [self.boxes[ancestor]]
        return None

    def free_backgrounds(self) -> list[str]:
        return sorted({self.paper} | {b for s, d in self.rules if (b := background(d))
                                      and not colour_of(d.get("color"))
                                      and self.context(s) is None})

    def free_inks(self) -> list[str]:
        return sorted({self.ink} | {c for s, d in self.rules if (c := colour_of(d.get("color")))
                                    and not background(d) and self.context(s) is None})

    def text_pairs(self) -> list[tuple[str, str, str]]:
        """(where, text colour, background) for every pair that can meet."""
        pairs = [("text in any box", ink, bg) for ink in self.free_inks()
                 for bg in self.free_backgrounds()]
        for s, d in self.rules:
            ink, bg = colour_of(d.get("color")), background(d)
            if ink and bg:
                pairs.append((s, ink, bg))
            elif ink and (near := self.context(s)):
                pairs += [(s, ink, b) for b in near]
        return pairs

    def around(self, selector: str) -> list[str]:
        """The backgrounds around an element of ``selector`` (a border or an outline is drawn
        on them)."""
        return self.context(selector) or self.free_backgrounds()

    def control_borders(self) -> list[tuple[str, str, str]]:
        """(where, border, background around) of the form controls' borders."""
        found = []
        for s, d in self.rules:
            border = colour_of(d.get("border-color") or d.get("border"))
            if border and any(re.search(rf"(^|[\s>]){re.escape(c)}\b", s) for c in CONTROLS):
                found += [(s, border, bg) for bg in self.around(s)]
        return found

    def focus_rings(self) -> list[tuple[str, str, str]]:
        """(where, outline, background around) of the focus rings."""
        found = []
        for s, d in self.rules:
            ring = colour_of(d.get("outline-color") or d.get("outline"))
            if ":focus" in s and ring:
                found += [(s, ring, bg) for bg in self.around(s)]
        return found


def style(text: str) -> str:
    return "\n".join(re.findall(r"<style>(.*?)</style>", text, re.S))


def sheets() -> list[Sheet]:
    bar = style((TEMPLATES / "web_sheet_bar.html.j2").read_text())
    return [Sheet("style.css", STYLE.read_text()),
            Sheet("the client sheet and its web bar",
                  style((TEMPLATES / "sheet.html.j2").read_text()) + bar),
            Sheet("print_style.css.j2", (TEMPLATES / "print_style.css.j2").read_text())]


def test_the_contrast_formula_gives_the_known_ratios() -> None:
    assert ratio("#000", "#fff") == pytest.approx(21.0)
    assert ratio("#fff", "#fff") == pytest.approx(1.0)
    assert ratio("#767676", "#ffffff") == pytest.approx(4.54, abs=0.01)  # AA's lightest grey
    assert ratio("#777777", "#ffffff") < TEXT


def test_the_audit_sees_a_failing_pair() -> None:
    weak = Sheet("weak", "html { color: #222; } .hint { color: #999; } .note { background: "
                 "#eee; } .top { background: #05a; } .top a { color: #333; } "
                 "input { border: 1px solid #ddd; } :focus-visible { outline: 2px solid #ff0; }")
    failing = {(s, ink, bg) for s, ink, bg in weak.text_pairs() if ratio(ink, bg) < TEXT}
    # grey text on the page and in a box; the page's text and a dark link in a blue bar
    assert {(ink, bg) for _, ink, bg in failing} == {
        ("#999", "#ffffff"), ("#999", "#eee"), ("#999", "#05a"), ("#222", "#05a"),
        ("#333", "#05a")}
    assert [b for _, b, _ in weak.control_borders() if ratio(b, "#ffffff") < NON_TEXT]
    assert [bg for _, r, bg in weak.focus_rings() if ratio(r, bg) < NON_TEXT] == ["#eee",
                                                                                "#ffffff"]


@pytest.mark.parametrize("sheet", sheets(), ids=lambda s: s.name)
def test_text_colours_meet_wcag_aa(sheet: Sheet) -> None:
    pairs = sheet.text_pairs()
    assert len(pairs) >= 3
    weak = [f"{s}: {ink} on {bg} is {ratio(ink, bg):.2f}:1" for s, ink, bg in pairs
            if ratio(ink, bg) < TEXT]
    assert not weak, weak


@pytest.mark.parametrize("sheet", sheets(), ids=lambda s: s.name)
def test_control_borders_and_focus_rings_stand_out(sheet: Sheet) -> None:
    weak = [f"{s}: {line} on {bg} is {ratio(line, bg):.2f}:1"
            for s, line, bg in sheet.control_borders() + sheet.focus_rings()
            if ratio(line, bg) < NON_TEXT]
    assert not weak, weak


def lowest() -> tuple[float, str]:
    """The lowest text contrast over every sheet (docs/web.md "Accessibility" quotes it)."""
    return min((ratio(ink, bg), f"{sheet.name}: {s}, {ink} on {bg}")
               for sheet in sheets() for s, ink, bg in sheet.text_pairs())


# -- (c) focus ----------------------------------------------------------------------------------
def test_links_buttons_and_inputs_show_where_the_focus_is() -> None:
    css = rules(STYLE.read_text())
    rings = [(s, d) for s, d in css if s.endswith(":focus-visible")]
    # one ring for everything (a bare :focus-visible reaches links, buttons, inputs, summaries)
    everything = [d for s, d in rings if s == ":focus-visible"]
    assert everything, [s for s, _ in rings]
    width = re.search(r"(\d+(?:\.\d+)?)px", everything[0].get("outline", ""))
    assert width and float(width.group(1)) >= 2 and "solid" in everything[0]["outline"]
    hidden = [s for s, d in css if re.fullmatch(r"none|0(px)?", d.get("outline", "x"))]
    assert not hidden, hidden
    bar = rules(style((TEMPLATES / "web_sheet_bar.html.j2").read_text()))
    assert any(":focus-visible" in s and "outline" in d for s, d in bar)


# -- (b) the pages ------------------------------------------------------------------------------
class Audit(HTMLParser):
    """What a page offers a screen reader: its language, title, headings, landmarks, and the
    names of its controls, links and pictures."""

    VOID = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link",
                      "meta", "source", "track", "wbr"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lang = ""
        self.title = ""
        self.h1 = 0
        self.main = 0
        self.ids: list[str] = []
        self.label_for: list[str] = []
        self.controls: list[dict[str, Any]] = []  # attrs, with "_label": inside a label
        self.named: list[dict[str, Any]] = []  # links, buttons, summaries: attrs and "_text"
        self.pictures: list[dict[str, Any]] = []
        self.stack: list[tuple[str, dict[str, Any]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a: dict[str, Any] = {k: v or "" for k, v in attrs}
        a["_tag"] = tag
        if "id" in a:
            self.ids.append(a["id"])
        inside = [t for t, _ in self.stack]
        if tag == "html":
            self.lang = a.get("lang", "")
        elif tag == "h1":
            self.h1 += 1
        elif tag == "main":
            self.main += 1
        elif tag == "label" and a.get("for"):
            self.label_for.append(a["for"])
        if tag in ("input", "select", "textarea") and a.get("type") != "hidden":
            a["_label"] = "label" in inside
            self.controls.append(a)
        if tag in ("img", "svg") and "svg" not in inside:
            self.pictures.append(a)
        if tag in ("a", "button", "summary", "title"):
            a["_text"] = ""
            if tag != "title":
                self.named.append(a)
        if tag == "img" and self.stack:  # an image's alt names the link or button it is in
            for _, open_a in self.stack:
                if "_text" in open_a:
                    open_a["_text"] += a.get("alt", "")
        if tag not in self.VOID:
            self.stack.append((tag, a))

    def handle_endtag(self, tag: str) -> None:
        for n in range(len(self.stack) - 1, -1, -1):
            if self.stack[n][0] == tag:
                if tag == "title" and not any(t == "svg" for t, _ in self.stack[:n]):
                    self.title = self.stack[n][1]["_text"]
                if tag == "title" and n and self.stack[n - 1][0] == "svg":
                    self.stack[n - 1][1]["_title"] = self.stack[n][1]["_text"]
                del self.stack[n:]
                return

    def handle_data(self, data: str) -> None:
        for _, a in self.stack:
            if "_text" in a:
                a["_text"] += data

    def problems(self, sheet: bool = False) -> list[str]:
        found = []
        if not self.lang:
            found.append("no lang on <html>")
        if not self.title.strip():
            found.append("no title")
        if not (self.h1 == 1 or (sheet and self.h1 >= 1)):
            found.append(f"{self.h1} h1 headings")
        if self.main != 1:
            found.append(f"{self.main} main landmarks")
        twice = sorted({i for i in self.ids if self.ids.count(i) > 1})
        if twice:
            found.append(f"ids used twice: {twice}")
        for target in self.label_for:
            if target not in self.ids:
                found.append(f"a label for a missing id {target!r}")
        for c in self.controls:
            by = [i for i in c.get("aria-labelledby", "").split() if i in self.ids]
            if not (c.get("id") in self.label_for or c["_label"] or c.get("aria-label", "").strip()
                    or by or (c.get("type") in ("submit", "button") and c.get("value"))):
                found.append(f"an unnamed <{c['_tag']} name={c.get('name')!r}>")
        for n in self.named:
            if not (n["_text"].strip() or n.get("aria-label", "").strip()):
                found.append(f"an unnamed <{n['_tag']}> {n.get('href', '')}")
        for p in self.pictures:
            if p["_tag"] == "img" and "alt" not in p:
                found.append(f"an image without alt: {p.get('src')}")
            if p["_tag"] == "svg" and p.get("aria-hidden") != "true" and not (
                    p.get("role") == "img" and (p.get("aria-label", "").strip()
                                                or p.get("_title", "").strip())):
                found.append("a picture (svg) without role=img and a name")
        return found


def audit(page: str, sheet: bool = False) -> list[str]:
    parser = Audit()
    parser.feed(page)
    parser.close()
    return parser.problems(sheet)


def test_the_page_audit_finds_what_is_missing() -> None:
    bare = ("<html><head></head><body><h1>a</h1><h1>b</h1><input name=q><button></button>"
            "<a href=/x></a><img src=p.png><svg></svg><label for=gone>x</label></body></html>")
    assert audit(bare) == [
        "no lang on <html>", "no title", "2 h1 headings", "0 main landmarks",
        "a label for a missing id 'gone'", "an unnamed <input name='q'>",
        "an unnamed <button> ", "an unnamed <a> /x", "an image without alt: p.png",
        "a picture (svg) without role=img and a name"]
    good = ('<html lang="en"><head><title>t</title></head><body><main><h1>a</h1>'
            '<label for="q">Search</label><input id="q" name="q"><label><input type="radio" '
            'name="r"> yes</label><select aria-label="certainty" name="c"></select>'
            '<button><img src="x.png" alt="Print"></button><a href="/y">y</a>'
            '<svg role="img"><title>A picture</title></svg></main></body></html>')
    assert audit(good) == []


@pytest.fixture(scope="module")
def pages(real_kb: KnowledgeBase, tmp_path_factory: pytest.TempPathFactory
          ) -> Iterator[dict[str, str]]:
    """Every page a trainer meets, by its path (a question page by its kind), and every page
    linked from them."""
    shown: dict[str, str] = {}
    folder = tmp_path_factory.mktemp("a11y")
    with make_client(real_kb, folder) as web:
        shown["/clients (none yet)"] = web.get("/clients").text
        ident = _added(web, "Ann Lee")
        shown["/clients/ID (no assessment yet)"] = web.get(f"/clients/{ident}").text
        web.post(f"/clients/{ident}/consultation", data={"csrf": csrf(web), "mode": "trainer"})
        # a side asked on its own page, the habits one by one (a sided yes/no), a
        # pregnancy's weeks (a number)
        answers = {"carry_load_one_hand": "left", "shoulder_elevated_at_rest": "left",
                   "low_back_pain": "yes", "pregnancy": "yes", "subject.age": "41",
                   "subject.equipment": ["foam_roller"]}
        r = web.get(f"/clients/{ident}/consultation")
        for _ in range(80):
            if "/assessments/" in str(r.url):
                break
            q = form_of(r.text)
            shown.setdefault(f"a question: {q['kind']}", r.text)
            if len(shown) == 3:  # one answer given: its change page and the message of a bad one
                bad = web.post(f"/clients/{ident}/consultation/answer",
                               data={"csrf": csrf(web), "version": q["version"],
                                     "answer": "picked" if q["kind"] == "checklist" else "x",
                                     "pick": "99"})
                shown["a question with a bad answer"] = bad.text
            reply = answer_for(q, answers)
            if q["key"] == "checklist.habits":
                reply = {"version": q["version"], "answer": "unknown"}  # ask me one by one
            r = web.post(f"/clients/{ident}/consultation/answer", follow_redirects=True,
                         data={"csrf": csrf(web), **reply})
            if "change/1" in r.text and "change page" not in shown:
                shown["change page"] = web.get(
                    f"/clients/{ident}/consultation/change/1").text
        results = str(urlsplit(str(r.url)).path)
        shown[results] = r.text
        referred = _added(web, "Ben")
        web.post(f"/clients/{referred}/consultation", data={"csrf": csrf(web), "mode": "self"})
        q = form_of(web.get(f"/clients/{referred}/consultation").text)
        tick = {"csrf": csrf(web), "version": q["version"], "answer": "picked", "pick": "1",
                "confirm": "yes"}
        r = web.post(f"/clients/{referred}/consultation/answer", data=tick)
        for _ in range(20):
            if "/assessments/" in str(r.url):
                break
            q = form_of(r.text)
            r = web.post(f"/clients/{referred}/consultation/answer", follow_redirects=True,
                         data={"csrf": csrf(web), **answer_for(q, {})})
        shown["the referral page"] = r.text
        shown["/clients (two clients)"] = web.get("/clients").text
        shown["/clients?q=nobody"] = web.get("/clients?q=nobody").text
        shown["/login"] = web.get("/login").text
        shown["an error (404)"] = web.get("/clients/999").text
        # a second assessment (as imbalance run CASE --client ID stores it): the progress page
        # draws its chart, the client page offers the comparison
        stored = invoke("run", str(WEEK0), "--client", str(ident), "--db",
                        f"sqlite:///{folder / 'web.db'}")
        assert stored.exit_code == 0, stored.output
        _crawl(web, [results, f"/clients/{ident}"], shown)
        # the result pages of the GET forms, which no link reaches
        for form in (f"/clients/{ident}/compare?before=1&after=2",
                     f"{results}/why-not?muscle=upper+trapezius",
                     f"{results}/why-not?muscle=psoas+major"):
            r = web.get(form)
            assert r.status_code == 200, (form, r.text)
            shown[form] = r.text
    yield shown


def _added(web: TestClient, name: str) -> int:
    r = web.post("/clients", data={"csrf": csrf(web), "name": name, "birth_year": "1985"},
                 follow_redirects=False)
    assert r.status_code == 303, r.text
    return int(r.headers["location"].rsplit("/", 1)[1])


def _crawl(web: TestClient, start: list[str], shown: dict[str, str], limit: int = 40) -> None:
    """Follow the links of ``start`` (this site's, two steps deep) to every HTML page."""
    seen, frontier = set(start), list(start)
    for _ in range(2):
        found = []
        for path in frontier:
            r = web.get(path)
            for href in re.findall(r'<a [^>]*href="([^"#]+)', r.text):
                target = urlsplit(href)
                link = target.path + (f"?{target.query}" if target.query else "")
                if target.netloc or link in seen or not link.startswith("/"):
                    continue
                seen.add(link)
                page = web.get(link)
                if "text/html" in page.headers.get("content-type", "") and len(shown) < limit:
                    shown[link] = page.text
                    found.append(link)
        frontier = found


def test_every_page_is_labelled_named_and_landmarked(pages: dict[str, str]) -> None:
    kinds = {k for k in pages if k.startswith("a question: ")}
    assert kinds >= {f"a question: {k}" for k in
                     ("checklist", "side", "sided", "yesno", "number", "equipment")}, kinds
    assert "change page" in pages and "the referral page" in pages
    assert any(k.endswith("/sheet") for k in pages), list(pages)
    progress = next(page for k, page in pages.items() if k.endswith("/progress"))
    assert progress.count("<svg") == 2  # the chart drawn, the wide and the narrow one
    parsed = [Audit() for _ in pages]
    for parser, page in zip(parsed, pages.values(), strict=True):
        parser.feed(page)
    assert sum(len(p.controls) for p in parsed) >= 40  # the audit saw the forms
    problems = {name: found for name, page in pages.items()
                if (found := audit(page, sheet=name.endswith("/sheet")))}
    assert not problems, problems
