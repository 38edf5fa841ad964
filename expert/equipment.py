"""The equipment vocabulary of case files (``subject.equipment``), shared by the case reader and
the knowledge-base checks (``facts/equipment.yaml`` must list exactly these ids)."""

from __future__ import annotations

from typing import Literal

Equipment = Literal["foam_roller", "massage_ball", "resistance_band", "stability_ball",
                    "dumbbells", "cable_machine", "bench", "wall"]
