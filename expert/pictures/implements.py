"""The implements drawn with a figure (roller, balls, band, wall, bench, chair, dumbbell, cable,
dowel, towel) as simple shapes in figure units, placed relative to a body point. Solid shapes
(rollers, balls, towels) rest on the floor like the body does; walls, benches, chairs and cable
columns reach down to the floor wherever it turns out to be."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..knowledge.poses import Implement
from .skeleton import Body, Point, mid

LIMB = 2.2                 # half the drawn thickness of a limb
ROLLER_R, BALL_R, STABILITY_R = 6.0, 3.2, 13.0


@dataclass(frozen=True)
class Shape:
    """One drawn element: ``circle`` (points[0] centre, size radius), ``line`` (a polyline),
    ``rect`` (points[0] and points[1] opposite corners) or ``ellipse`` (centre, size rx, ry)."""

    kind: str
    points: tuple[Point, ...]
    css: str                   # the class: how it is styled (svg.py)
    size: tuple[float, ...] = ()


@dataclass
class Kit:
    """The implements of one frame: shapes that rest on the floor, and those drawn to it."""

    solid: list[Shape] = field(default_factory=list)
    standing: list[tuple[Implement, Point]] = field(default_factory=list)


def _at(body: Body, item: Implement) -> Point:
    x, y = body[item.at]
    return (x + item.offset[0], y + item.offset[1])


def solid(body: Body, items: list[Implement]) -> Kit:
    """Place the implements that have a shape of their own; keep the others for later."""
    kit = Kit()
    for item in items:
        px, py = body[item.at]
        dx, dy = item.offset
        if item.kind == "roller":
            centre = (px + dx, py - LIMB - ROLLER_R + dy)
            kit.solid.append(Shape("circle", (centre,), "roller", (ROLLER_R,)))
            kit.solid.append(Shape("circle", (centre,), "roller-core", (ROLLER_R * 0.35,)))
        elif item.kind == "ball":
            kit.solid.append(Shape("circle", ((px + dx, py + dy),), "ball", (BALL_R,)))
        elif item.kind == "stability_ball":
            centre = (px + dx, py - LIMB - STABILITY_R + dy) if item.offset == (0.0, 0.0) \
                else (px + dx, py + dy)
            kit.solid.append(Shape("circle", (centre,), "stability-ball", (STABILITY_R,)))
        elif item.kind == "towel":
            top = py - LIMB + dy
            kit.solid.append(Shape("rect", ((px + dx - 5, top - 2.5), (px + dx + 5, top)),
                                   "towel"))
        elif item.kind == "band":
            end = body[item.to] if item.to is not None else (px + dx, py + dy)
            kit.solid.append(Shape("line", (body[item.at], end), "band"))
            if item.to is None:
                kit.solid.append(Shape("circle", (end,), "anchor", (1.3,)))
        elif item.kind == "band_loop":
            kit.solid.append(Shape("ellipse", ((px + dx, py + dy),), "band", (3.5, 2.0)))
        elif item.kind == "dumbbell":
            c = (px + dx, py + dy)
            kit.solid.append(Shape("line", ((c[0] - 3.5, c[1]), (c[0] + 3.5, c[1])), "metal"))
            kit.solid.append(Shape("rect", ((c[0] - 4.5, c[1] - 2.5), (c[0] - 2.5, c[1] + 2.5)),
                                   "plate"))
            kit.solid.append(Shape("rect", ((c[0] + 2.5, c[1] - 2.5), (c[0] + 4.5, c[1] + 2.5)),
                                   "plate"))
        elif item.kind == "dowel":
            assert item.to is not None
            a, b = body[item.at], body[item.to]
            kit.solid.append(Shape("line", (mid(a, b, -0.12), mid(a, b, 1.12)), "dowel"))
        else:
            kit.standing.append((item, (px + dx, py + dy)))
    return kit


def standing(kit: Kit, body: Body, floor: float, top: float) -> list[Shape]:
    """The implements that reach the floor (``floor`` and ``top`` in figure units)."""
    out: list[Shape] = []
    for item, (x, y) in kit.standing:
        if item.kind == "wall":
            out.append(Shape("line", ((x, floor), (x, top)), "wall"))
        elif item.kind == "bench":
            out.append(Shape("rect", ((x - 9, y - LIMB - 3), (x + 9, y - LIMB)), "bench"))
            out.append(Shape("line", ((x - 7, y - LIMB - 3), (x - 7, floor)), "bench-leg"))
            out.append(Shape("line", ((x + 7, y - LIMB - 3), (x + 7, floor)), "bench-leg"))
        elif item.kind == "chair":
            seat = y - LIMB - 1
            out.append(Shape("line", ((x - 9, seat), (x + 9, seat)), "chair"))
            out.append(Shape("line", ((x - 8, seat), (x - 8, floor)), "chair-leg"))
            out.append(Shape("line", ((x + 8, seat), (x + 8, floor)), "chair-leg"))
            out.append(Shape("line", ((x - 9, seat), (x - 11, seat + 24)), "chair"))
        elif item.kind == "cable":
            hand = body[item.at]
            out.append(Shape("rect", ((x - 2.5, floor), (x + 2.5, top)), "column"))
            out.append(Shape("line", (hand, (x, y)), "cable"))
            out.append(Shape("circle", ((x, y),), "anchor", (1.6,)))
    return out
