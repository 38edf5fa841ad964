"""Pictures of the exercises: a line figure in each exercise's start and end positions, drawn as
SVG from the pose data of ``facts/poses.yaml`` (``skeleton.py``: the body from segment angles;
``implements.py``: roller, band, wall, ...; ``svg.py``: the drawing; ``gallery.py``: every
picture and an index page). Nothing is downloaded or copied: the figures are generated, and the
same knowledge base always gives the same bytes."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..knowledge import KnowledgeBase


def exercise_svg(kb: KnowledgeBase, exercise_id: str, *, width: float | None = None) -> str:
    """An inline ``<svg>`` element picturing the exercise's start and end positions (a
    240 × 120 view box; ``width`` sets its width in pixels, the height following), with
    ``role="img"`` and a title and aria-label naming the exercise. An exercise without a pose
    gets a frame saying there is no picture yet. Raises KeyError for an unknown exercise."""
    from .svg import picture, placeholder

    if exercise_id not in kb.exercises:
        raise KeyError(f"unknown exercise {exercise_id!r}")
    name = kb.exercises[exercise_id].name
    pose = kb.poses.get(exercise_id)
    if pose is None:
        return placeholder(name, width)
    return picture(kb.postures, pose, name, width)


__all__ = ["exercise_svg"]
