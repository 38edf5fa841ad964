"""The stick figure's body: segment lengths, and the points of the body for a frame's segment
angles (seen from the side or the front). Coordinates are figure units, x right and y up, the
hip at the origin; ``expert/pictures/svg.py`` places and scales them."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from ..knowledge.poses import SEGMENTS, SIDES, Frame, Pose, Posture

Point = tuple[float, float]

# segment lengths in figure units: a standing figure is about 88 units tall
TRUNK, NECK, HEAD_R = 30.0, 7.5, 6.0
UPPER_ARM, FOREARM = 15.0, 14.0
THIGH, SHIN, FOOT = 22.0, 21.0, 7.0
SHOULDER_DROP = 2.5          # the shoulder sits this far below the neck, along the trunk
FRONT_SHOULDER, FRONT_HIP = 8.0, 4.5   # half widths of the shoulders and hips seen from the front
FRONT_FOOT = 4.0             # a foot seen from the front is short


def direction(angle: float) -> Point:
    """The unit vector of an angle in degrees: 0 up, 90 right, 180 down, 270 left."""
    rad = math.radians(angle)
    return (round(math.sin(rad), 9), round(math.cos(rad), 9))


def step(start: Point, angle: float, length: float) -> Point:
    dx, dy = direction(angle)
    return (start[0] + dx * length, start[1] + dy * length)


def mid(a: Point, b: Point, t: float = 0.5) -> Point:
    return (a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t)


@dataclass(frozen=True)
class Body:
    """A figure in one frame: its named points and how it is seen."""

    points: dict[str, Point]
    view: str
    head_angle: float

    def __getitem__(self, name: str) -> Point:
        return self.points[name]

    def limbs(self) -> list[tuple[str, list[Point]]]:
        """(side, polyline) for each limb; the far side first, so the near side is drawn
        over it."""
        p = self.points
        out = []
        for side in ("far", "near"):
            out.append((side, [p[f"{side}_hip_joint"], p[f"{side}_knee"], p[f"{side}_ankle"],
                               p[f"{side}_toe"]]))
            out.append((side, [p[f"{side}_shoulder_joint"], p[f"{side}_elbow"],
                               p[f"{side}_hand"]]))
        return out


def angles(kb_postures: dict[str, Posture], pose: Pose, frame: Frame
           ) -> tuple[dict[str, Any], str]:
    """The full set of segment angles of a frame, and its view."""
    posture = kb_postures[frame.base or pose.base]
    values = {s: getattr(posture, s) for s in SEGMENTS}
    values.update(frame.angles())
    return values, posture.view


def body(values: dict[str, Any], view: str) -> Body:
    """The body points for the segment angles ``values`` seen in ``view``."""
    hip: Point = (0.0, 0.0)
    neck = step(hip, values["trunk"], TRUNK)
    shoulder = step(neck, values["trunk"] + 180, SHOULDER_DROP)
    points: dict[str, Point] = {
        "hip": hip, "neck": neck, "shoulder": shoulder,
        "head": step(neck, values["head"], NECK + HEAD_R * 0.4),
        "trunk": mid(hip, neck), "upper_back": mid(hip, neck, 0.72),
        "low_back": mid(hip, neck, 0.25)}
    across = direction(values["trunk"] + 90)   # to the figure's side, seen from the front
    for side in SIDES:
        sign = 1.0 if side == "near" else -1.0
        if view == "front":
            s_joint = (shoulder[0] + sign * across[0] * FRONT_SHOULDER,
                       shoulder[1] + sign * across[1] * FRONT_SHOULDER)
            h_joint = (hip[0] + sign * across[0] * FRONT_HIP,
                       hip[1] + sign * across[1] * FRONT_HIP)
        else:
            s_joint, h_joint = shoulder, hip
        upper, fore = values[f"{side}_arm"]
        thigh, shin, foot = values[f"{side}_leg"]
        elbow = step(s_joint, upper, UPPER_ARM)
        hand = step(elbow, fore, FOREARM)
        knee = step(h_joint, thigh, THIGH)
        ankle = step(knee, shin, SHIN)
        toe = step(ankle, foot, FRONT_FOOT if view == "front" else FOOT)
        points.update({
            f"{side}_shoulder_joint": s_joint, f"{side}_hip_joint": h_joint,
            f"{side}_elbow": elbow, f"{side}_hand": hand, f"{side}_knee": knee,
            f"{side}_ankle": ankle, f"{side}_toe": toe,
            f"{side}_upper_arm": mid(s_joint, elbow), f"{side}_forearm": mid(elbow, hand),
            f"{side}_thigh": mid(h_joint, knee), f"{side}_shin": mid(knee, ankle),
            f"{side}_foot": mid(ankle, toe)})
    return Body(points, view, float(values["head"]))
