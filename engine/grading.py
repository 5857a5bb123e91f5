"""Risk grades and scorecard points from a probability of default.

Grades are bands on the calibrated PD::

    A  PD < 2.5 %      B  2.5–5 %      C  5–10 %      D  10–20 %      E  ≥ 20 %

Points follow the usual PDO scaling of the good:bad odds ``(1 − PD) / PD``: 600 points at
odds of 50:1, and 20 more points each time the odds double::

    points = 600 + 20 × log2(odds / 50)

so a higher score is a safer client (PD 1.96 % ≈ 600 points, PD 3.85 % ≈ 580, PD 50 % ≈ 487).
"""

from __future__ import annotations

import numpy as np

GRADING: dict = {
    "grades": ["A", "B", "C", "D", "E"],
    "upper_bounds": [0.025, 0.05, 0.10, 0.20],  # PD below the bound -> that grade; the rest -> E
    "points": {"base_points": 600, "base_odds": 50, "pdo": 20},
}


def grades(pd: np.ndarray, grading: dict = GRADING) -> np.ndarray:
    """Grade letter for each PD."""
    idx = np.searchsorted(np.asarray(grading["upper_bounds"]), np.asarray(pd, dtype=np.float64), side="right")
    return np.asarray(grading["grades"])[idx]


def points(pd: np.ndarray, grading: dict = GRADING) -> np.ndarray:
    """Scorecard points for each PD, rounded to whole points."""
    p = np.clip(np.asarray(pd, dtype=np.float64), 1e-9, 1 - 1e-9)
    scale = grading["points"]
    odds = (1 - p) / p
    return np.rint(scale["base_points"] + scale["pdo"] * np.log2(odds / scale["base_odds"])).astype(np.int64)
