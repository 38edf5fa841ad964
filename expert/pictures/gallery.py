"""The picture gallery: one SVG file per exercise and an ``index.html`` page showing every
picture with its name, phase and position, grouped by phase (``imbalance kb exercises
--pictures DIR``). Files are written atomically through :mod:`expert.output`."""

from __future__ import annotations

import os
from html import escape
from pathlib import Path

from ..knowledge import KnowledgeBase
from ..knowledge.exercises import PHASES
from ..output import OutputError, failure, refuse_inputs, write_atomic
from . import exercise_svg

PHASE_TITLES = {"inhibit": "Inhibit: self-myofascial release",
                "lengthen": "Lengthen: stretching",
                "activate": "Activate: isolated strengthening",
                "integrate": "Integrate: whole-body movement"}
_PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Exercise pictures</title>
<style>
body {{ font-family: Helvetica, Arial, sans-serif; margin: 1.5rem; color: #24323f; }}
h1 {{ font-size: 1.5rem; }}
h2 {{ font-size: 1.15rem; margin-top: 2rem; border-bottom: 1px solid #ccd; }}
.grid {{ display: grid; grid-template-columns: repeat(auto-fill, minmax(290px, 1fr));
         gap: 0.75rem; }}
figure {{ margin: 0; border: 1px solid #dde; border-radius: 6px; padding: 0.4rem; }}
figure svg {{ width: 100%; height: auto; display: block; }}
figcaption {{ font-size: 0.85rem; }}
figcaption small {{ color: #667; display: block; }}
</style>
</head>
<body>
<h1>Exercise pictures</h1>
<p>{count} exercises of the knowledge base {version}, each in its start and end position.</p>
{sections}
</body>
</html>
"""


def page(kb: KnowledgeBase) -> str:
    """The gallery page: every exercise's picture inline, by phase in catalogue order."""
    sections = []
    for phase in PHASES:
        cards = []
        for eid, ex in kb.exercises.items():
            if ex.phase != phase:
                continue
            position = ex.position.replace("_", " ")
            pose = kb.poses.get(eid)
            note = f"<small>{escape(pose.note)}</small>" if pose is not None and pose.note else ""
            cards.append(
                f'<figure id="{eid}">\n{exercise_svg(kb, eid)}\n'
                f'<figcaption><a href="{eid}.svg">{escape(ex.name)}</a>'
                f"<small>{phase} · {position} · {eid}</small>{note}</figcaption>\n</figure>")
        if cards:
            sections.append(f"<h2>{escape(PHASE_TITLES.get(phase, phase))}</h2>\n"
                            f'<div class="grid">\n' + "\n".join(cards) + "\n</div>")
    return _PAGE.format(count=len(kb.exercises), version=escape(kb.version),
                        sections="\n".join(sections))


def write_gallery(kb: KnowledgeBase, folder: Path, protected: list[Path]) -> list[Path]:
    """Write ``folder/<exercise>.svg`` for every exercise and ``folder/index.html``; the folder
    is created when missing (its parent must exist). ``protected`` files are never written.
    Returns the files written."""
    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise OutputError(folder, "is not a folder", "give a folder for the pictures")
    if not folder.exists():
        try:
            os.mkdir(folder)
        except OSError as exc:
            raise failure(folder, exc) from None
    written = []
    for eid in kb.exercises:
        path = folder / f"{eid}.svg"
        refuse_inputs(path, protected)
        write_atomic(path, exercise_svg(kb, eid) + "\n")
        written.append(path)
    index = folder / "index.html"
    refuse_inputs(index, protected)
    write_atomic(index, page(kb))
    written.append(index)
    return written
