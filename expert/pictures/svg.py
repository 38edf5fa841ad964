"""Writing an exercise picture as SVG: the start and end frames side by side on a floor line,
"start → end" above them, both drawn at one scale and each centred in its half of a 240 × 120
view box. Styles are attributes on each element (no ids, no ``<style>``), so any number of
pictures can sit inline in one page; nothing outside the SVG is referenced."""

from __future__ import annotations

from html import escape

from ..knowledge.poses import Implement, Pose, Posture
from .implements import LIMB, Kit, Shape, solid, standing
from .skeleton import HEAD_R, Body, Point, angles, body, direction

WIDTH, HEIGHT = 240, 120
PANEL, FLOOR_Y, TOP_Y, MARGIN = 120.0, 110.0, 15.0, 5.0
TRUNK_HALF = 3.0             # half the drawn thickness of the trunk
MAX_SCALE = 1.2              # a small figure (lying down) is drawn a little larger
INK, FAR, ACCENT = "#24323f", "#9aa7b4", "#c2553a"
STYLE = {  # class -> presentation attributes
    "near": f'fill="none" stroke="{INK}" stroke-width="4.2" stroke-linecap="round" '
            'stroke-linejoin="round"',
    "far": f'fill="none" stroke="{FAR}" stroke-width="4.2" stroke-linecap="round" '
           'stroke-linejoin="round"',
    "trunk": f'fill="none" stroke="{INK}" stroke-width="6" stroke-linecap="round"',
    "head": f'fill="{INK}"',
    "eye": 'fill="#ffffff"',
    "floor": 'stroke="#8a8f94" stroke-width="0.8"',
    "roller": 'fill="#8fb9d9" stroke="#4d7fa6" stroke-width="0.8"',
    "roller-core": 'fill="#d9e8f3"',
    "ball": 'fill="#f0a73a" stroke="#b9761b" stroke-width="0.6"',
    "stability-ball": 'fill="#cfe3c8" stroke="#7aa56b" stroke-width="0.8"',
    "towel": 'fill="#e9dcc4" stroke="#b7a27b" stroke-width="0.5"',
    "band": f'fill="none" stroke="{ACCENT}" stroke-width="2" stroke-linecap="round"',
    "anchor": f'fill="{ACCENT}"',
    "metal": 'stroke="#555b61" stroke-width="1.2"',
    "plate": 'fill="#555b61"',
    "dowel": 'stroke="#a0703c" stroke-width="1.3" stroke-linecap="round"',
    "wall": 'stroke="#b4b9be" stroke-width="3"',
    "bench": 'fill="#c9a77c" stroke="#8c6a43" stroke-width="0.6"',
    "bench-leg": 'stroke="#8c6a43" stroke-width="1.4"',
    "chair": 'fill="none" stroke="#8c6a43" stroke-width="2" stroke-linecap="round"',
    "chair-leg": 'stroke="#8c6a43" stroke-width="1.4"',
    "column": 'fill="#d5d8dc" stroke="#9aa0a6" stroke-width="0.6"',
    "cable": 'stroke="#555b61" stroke-width="0.8"',
    "label": 'font-family="Helvetica, Arial, sans-serif" font-size="12" fill="#555b61" '
             'text-anchor="middle"',
}
BEHIND = {"roller", "roller-core", "stability-ball", "towel", "bench", "bench-leg", "chair",
          "chair-leg", "column", "wall", "ball"}


def _n(value: float) -> str:
    text = f"{value:.1f}"
    return "0.0" if text == "-0.0" else text


class _Frame:
    """One frame measured in figure units: its body, implements, floor and extent."""

    def __init__(self, postures: dict[str, Posture], pose: Pose, which: str) -> None:
        frame = pose.start if which == "start" else pose.end
        values, view = angles(postures, pose, frame)
        self.body = body(values, view)
        items: list[Implement] = pose.implements if frame.implements is None \
            else frame.implements
        self.kit: Kit = solid(self.body, items)
        lows = [y - (TRUNK_HALF if name in ("hip", "neck") else LIMB)
                for name, (_, y) in self.body.points.items()]
        lows.append(self.body["head"][1] - HEAD_R)
        lows += [_bottom(s) for s in self.kit.solid]
        self.floor = min(lows)
        ys = [y for _, y in self.body.points.values()] + [self.body["head"][1] + HEAD_R]
        self.top = max(ys) + 14
        self.shapes = self.kit.solid + standing(self.kit, self.body, self.floor, self.top)
        xs = [x for x, _ in self.body.points.values()]
        xs += [x for s in self.shapes for x, _ in _extent(s)]
        self.left, self.right = min(xs) - LIMB - HEAD_R / 2, max(xs) + LIMB + HEAD_R / 2
        self.height = max([max(ys) + HEAD_R, *(y for s in self.kit.solid
                                               for _, y in _extent(s))]) - self.floor


def _bottom(shape: Shape) -> float:
    return min(y for _, y in _extent(shape))


def _extent(shape: Shape) -> list[Point]:
    if shape.kind == "circle":
        (x, y), r = shape.points[0], shape.size[0]
        return [(x - r, y - r), (x + r, y + r)]
    if shape.kind == "ellipse":
        (x, y), (rx, ry) = shape.points[0], shape.size
        return [(x - rx, y - ry), (x + rx, y + ry)]
    return list(shape.points)


def _shape(shape: Shape, at: _Place) -> str:
    style = STYLE[shape.css]
    if shape.css in ("wall", "column"):   # up to the labels, however tall the figure
        shape = Shape(shape.kind, tuple((x, min(y, at.floor + (FLOOR_Y - TOP_Y) / at.scale))
                                        for x, y in shape.points), shape.css, shape.size)
    if shape.kind == "circle":
        (x, y), r = at(shape.points[0]), shape.size[0] * at.scale
        return f'<circle cx="{_n(x)}" cy="{_n(y)}" r="{_n(r)}" {style}/>'
    if shape.kind == "ellipse":
        (x, y) = at(shape.points[0])
        rx, ry = (v * at.scale for v in shape.size)
        return f'<ellipse cx="{_n(x)}" cy="{_n(y)}" rx="{_n(rx)}" ry="{_n(ry)}" {style}/>'
    if shape.kind == "rect":
        (x1, y1), (x2, y2) = at(shape.points[0]), at(shape.points[1])
        return (f'<rect x="{_n(min(x1, x2))}" y="{_n(min(y1, y2))}" width="{_n(abs(x2 - x1))}" '
                f'height="{_n(abs(y2 - y1))}" {style}/>')
    return _line([at(p) for p in shape.points], style)


def _line(points: list[Point], style: str) -> str:
    if len(points) == 2:
        (x1, y1), (x2, y2) = points
        return f'<line x1="{_n(x1)}" y1="{_n(y1)}" x2="{_n(x2)}" y2="{_n(y2)}" {style}/>'
    text = " ".join(f"{_n(x)},{_n(y)}" for x, y in points)
    return f'<polyline points="{text}" {style}/>'


class _Place:
    """Figure units to view-box units for one frame."""

    def __init__(self, frame: _Frame, panel: int, scale: float) -> None:
        self.scale = scale
        self.cx = PANEL * panel + PANEL / 2
        self.mx = (frame.left + frame.right) / 2
        self.floor = frame.floor

    def __call__(self, p: Point) -> Point:
        return (self.cx + (p[0] - self.mx) * self.scale,
                FLOOR_Y - (p[1] - self.floor) * self.scale)


def _figure(frame: _Frame, at: _Place) -> list[str]:
    b: Body = frame.body
    out = [_shape(s, at) for s in frame.shapes if s.css in BEHIND]
    limbs = b.limbs()
    far = STYLE["near" if b.view == "front" else "far"]   # seen from the front, both alike
    for side, points in limbs:
        if side == "far":
            out.append(_line([at(p) for p in points], far))
    out.append(_line([at(b["hip"]), at(b["neck"])], STYLE["trunk"]))
    if b.view == "front":  # shoulders and hips across
        out.append(_line([at(b["far_shoulder_joint"]), at(b["near_shoulder_joint"])],
                         STYLE["near"]))
        out.append(_line([at(b["far_hip_joint"]), at(b["near_hip_joint"])], STYLE["near"]))
    neck = at(b["neck"])
    hx, hy = at(b["head"])
    out.append(_line([neck, (hx, hy)], STYLE["near"]))
    for side, points in limbs:
        if side == "near":
            out.append(_line([at(p) for p in points], STYLE["near"]))
    r = HEAD_R * at.scale
    out.append(f'<circle cx="{_n(hx)}" cy="{_n(hy)}" r="{_n(r)}" {STYLE["head"]}/>')
    for dx, dy in _eyes(b):
        out.append(f'<circle cx="{_n(hx + dx * r)}" cy="{_n(hy - dy * r)}" '
                   f'r="{_n(r * 0.16)}" {STYLE["eye"]}/>')
    out += [_shape(s, at) for s in frame.shapes if s.css not in BEHIND]
    return out


def _eyes(b: Body) -> list[Point]:
    """Where the eyes are on the head (unit radius): one, facing the way the face turns (90°
    right of the head's direction), seen from the side; two seen from the front."""
    up = direction(b.head_angle)
    if b.view == "front":
        across = direction(b.head_angle + 90)
        return [(up[0] * 0.15 + s * across[0] * 0.4, up[1] * 0.15 + s * across[1] * 0.4)
                for s in (-1, 1)]
    face = direction(b.head_angle + 90)
    return [(face[0] * 0.55 + up[0] * 0.2, face[1] * 0.55 + up[1] * 0.2)]


def picture(postures: dict[str, Posture], pose: Pose, name: str,
            width: float | None = None) -> str:
    """The SVG element of an exercise picture (start and end frames)."""
    frames = [_Frame(postures, pose, which) for which in ("start", "end")]
    room_w, room_h = PANEL - 2 * MARGIN, FLOOR_Y - TOP_Y
    scale = min(MAX_SCALE, *(room_w / (f.right - f.left) for f in frames),
                *(room_h / f.height for f in frames))
    return _svg(name, width, [line for i, f in enumerate(frames)
                              for line in _figure(f, _Place(f, i, scale))])


def placeholder(name: str, width: float | None = None) -> str:
    """A picture frame saying that there is no picture (an exercise without a pose)."""
    return _svg(name, width, [f'<text x="120" y="64" {STYLE["label"]}>no picture yet</text>'])


def _svg(name: str, width: float | None, body: list[str]) -> str:
    title = escape(name)
    size = "" if width is None else f' width="{_n(width)}" height="{_n(width / 2)}"'
    head = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}"{size} '
            f'role="img" aria-label="{title}: start and end positions">',
            f"<title>{title}</title>",
            f'<text x="{_n(PANEL / 2)}" y="11" {STYLE["label"]}>start</text>',
            f'<text x="{_n(PANEL)}" y="11" {STYLE["label"]}>→</text>',
            f'<text x="{_n(PANEL * 1.5)}" y="11" {STYLE["label"]}>end</text>']
    for i in range(2):
        x0 = PANEL * i + MARGIN
        head.append(f'<line x1="{_n(x0)}" y1="{_n(FLOOR_Y)}" x2="{_n(x0 + PANEL - 2 * MARGIN)}" '
                    f'y2="{_n(FLOOR_Y)}" {STYLE["floor"]}/>')
    return "\n".join([*head, *body, "</svg>"])
