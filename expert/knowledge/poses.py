"""Schema of ``facts/poses.yaml``: the body positions the exercise pictures are drawn from.

A *posture* is a named whole-body position (standing, supine, kneeling lunge, ...) given as the
direction of every body segment; a *pose* is one exercise's start and end position, each a
posture with the segments that differ overridden, and the implements (roller, band, wall, ...)
placed relative to a point of the body. Angles are degrees as seen on the picture: 0 points up,
90 right (the way a figure seen from the side faces), 180 down, 270 left. Cross-references
(every exercise has a pose, every pose names a known exercise and posture) are checked in
``integrity.py``; the drawing is ``expert/pictures/``.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, model_validator

from .catalogue import Id

Angle = Annotated[float, Field(ge=-360, le=720)]
Arm = tuple[Angle, Angle]                 # upper arm, forearm
Leg = tuple[Angle, Angle, Angle]          # thigh, shin, foot
View = Literal["side", "front"]
SEGMENTS = ("trunk", "head", "near_arm", "far_arm", "near_leg", "far_leg")
# the points of the body an implement can be placed at: joints, and segment middles
SIDES = ("near", "far")
LIMB_POINTS = ("elbow", "hand", "knee", "ankle", "toe", "upper_arm", "forearm", "thigh", "shin",
               "foot")
BodyPoint = Literal[
    "head", "neck", "shoulder", "hip", "trunk", "upper_back", "low_back",
    "near_elbow", "near_hand", "near_knee", "near_ankle", "near_toe",
    "near_upper_arm", "near_forearm", "near_thigh", "near_shin", "near_foot",
    "far_elbow", "far_hand", "far_knee", "far_ankle", "far_toe",
    "far_upper_arm", "far_forearm", "far_thigh", "far_shin", "far_foot",
]
BODY_POINTS: tuple[str, ...] = get_args(BodyPoint)
ImplementKind = Literal[
    "roller",          # a foam roller seen end-on, under the point
    "ball",            # a massage ball at the point
    "stability_ball",  # a large ball, under the point unless offset
    "band",            # from the point to ``to`` (another point) or to an anchor at ``offset``
    "band_loop",       # a band looped around the point (knees, ankles)
    "wall",            # a wall (or door frame) through the point, floor to top
    "bench",           # a bench, step or box whose top is at the point, down to the floor
    "chair",           # a chair whose seat is under the point (the hip), facing right
    "dumbbell",        # a dumbbell held at the point
    "cable",           # a cable column at ``offset`` from the point, its cable to the point
    "dowel",           # a stick from the point to ``to``
    "towel",           # a folded towel under the point
]
IMPLEMENT_KINDS: tuple[str, ...] = get_args(ImplementKind)
_TWO_POINTS = ("band", "dowel")


class Record(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)


class Implement(Record):
    """An implement drawn simply, placed relative to a body point."""

    kind: ImplementKind
    at: BodyPoint
    to: BodyPoint | None = None                      # band, dowel: the other end
    offset: tuple[float, float] = (0.0, 0.0)         # figure units, x right and y up

    @model_validator(mode="after")
    def _ends(self) -> Implement:
        if self.to is not None and self.kind not in _TWO_POINTS:
            raise ValueError(f"'to' is only for {' and '.join(_TWO_POINTS)}")
        if self.kind == "dowel" and self.to is None:
            raise ValueError("a dowel runs from 'at' to 'to': name both points")
        return self


def _both_sides(value: Any) -> Any:
    """``arm: [a, b]`` / ``leg: [a, b, c]`` stand for the same angles on both sides."""
    if not isinstance(value, dict):
        return value
    out = dict(value)
    for limb in ("arm", "leg"):
        if limb in out:
            both = out.pop(limb)
            for side in SIDES:
                out.setdefault(f"{side}_{limb}", both)
    return out


class Posture(Record):
    """A named base posture: the direction of every segment, seen from the side (or front)."""

    id: Id
    view: View = "side"
    trunk: Angle                      # hip to neck
    head: Angle                       # neck to the middle of the head
    near_arm: Arm
    far_arm: Arm
    near_leg: Leg
    far_leg: Leg

    @model_validator(mode="before")
    @classmethod
    def _limbs(cls, value: Any) -> Any:
        return _both_sides(value)


class Frame(Record):
    """One position of an exercise (start or end): a posture with some segments changed."""

    base: Id | None = None            # a posture; the pose's base when not given
    trunk: Angle | None = None
    head: Angle | None = None
    near_arm: Arm | None = None
    far_arm: Arm | None = None
    near_leg: Leg | None = None
    far_leg: Leg | None = None
    implements: list[Implement] | None = None   # replaces the pose's implements in this frame

    @model_validator(mode="before")
    @classmethod
    def _limbs(cls, value: Any) -> Any:
        return _both_sides(value)

    def angles(self) -> dict[str, Any]:
        return {s: getattr(self, s) for s in SEGMENTS if getattr(self, s) is not None}


class Pose(Record):
    """An exercise's picture: its start and end frames and the implements drawn in both."""

    exercise: Id
    base: Id                          # the posture both frames start from
    implements: list[Implement] = []
    # a factory, not Frame(): an instance here would build the schema at import time
    start: Frame = Field(default_factory=Frame)
    end: Frame = Field(default_factory=Frame)
    note: str = ""                    # what the picture shows, when not obvious
