"""Table dropout: training rows blanked as a batch that lacks some tables would give them, so that one
model learns every input kind (application only, application + bureau, full history)."""
from __future__ import annotations

import numpy as np

from engine.coverage import Coverage
from engine.features import FeaturePipeline


def blank_masks(names: list[str], pipeline: FeaturePipeline, coverages: tuple[Coverage, ...]) -> dict[str, np.ndarray]:
    """For each coverage, which feature columns it blanks (those of tables outside it)."""
    return {c.name: np.array([pipeline.specs[n].table not in c.tables for n in names]) for c in coverages}


def blanked(X: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """``X`` with the ``mask`` columns missing (the rows as a batch without those tables gives them)."""
    if not mask.any():
        return X
    out = X.copy()
    out[:, mask] = np.nan
    return out


def with_dropout(X: np.ndarray, masks: dict[str, np.ndarray], share: float, rng: np.random.Generator) -> np.ndarray:
    """A copy of ``X`` where a random ``share`` of rows are blanked as one of the smaller coverages
    (picked evenly), so that one booster learns every input kind."""
    smaller = [mask for mask in masks.values() if mask.any()]
    out = X.copy()
    if not smaller:
        return out
    dropped = rng.random(len(X)) < share
    kind = rng.integers(len(smaller), size=len(X))
    for k, mask in enumerate(smaller):
        out[np.ix_(dropped & (kind == k), mask)] = np.nan
    return out
