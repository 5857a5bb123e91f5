"""Population stability index (PSI): how far a distribution has moved from its reference.

``PSI = Σ (cᵢ − rᵢ) · ln(cᵢ / rᵢ)`` over bins, with ``rᵢ`` and ``cᵢ`` the reference and
current shares of bin ``i``. The bins are cut at the reference deciles (ties merge cut points:
a 0/1 feature gets one bin per value), plus one bin for missing values (NaN). An empty bin counts
as :data:`EPSILON` so that the logarithm stays finite.

Bands, as used in credit-risk model monitoring: below 0.10 stable, 0.10 to 0.25 monitor, above
0.25 act (investigate, recalibrate or retrain).
"""

from __future__ import annotations

import math

import numpy as np

#: Share given to an empty bin.
EPSILON = 1e-4
#: PSI from which a distribution is to be monitored (inclusive).
MONITOR_FROM = 0.10
#: PSI above which action is needed.
ACT_ABOVE = 0.25
STABLE, MONITOR, ACT = "stable", "monitor", "act"


def decile_edges(reference: np.ndarray, bins: int = 10) -> np.ndarray:
    """Inner cut points at the reference quantiles 1/bins … (bins-1)/bins, duplicates merged."""
    values = np.asarray(reference, dtype=np.float64)
    values = values[~np.isnan(values)]
    if values.size == 0:
        return np.empty(0)
    return np.unique(np.quantile(values, np.linspace(0, 1, bins + 1)[1:-1]))


def bin_shares(values: np.ndarray, edges: np.ndarray) -> np.ndarray:
    """Share of ``values`` in each bin: ``len(edges) + 1`` value bins, then the missing-value bin.

    A value equal to an edge falls in the bin above it, so a 0/1 feature splits into 0 and 1.
    """
    values = np.asarray(values, dtype=np.float64)
    if values.size == 0:
        raise ValueError("PSI of an empty sample")
    missing = np.isnan(values)
    counts = np.bincount(np.searchsorted(edges, values[~missing], side="right"), minlength=edges.size + 1)
    return np.append(counts, missing.sum()) / values.size


def psi(reference: np.ndarray, current: np.ndarray, bins: int = 10) -> float:
    """PSI of ``current`` against ``reference`` on reference-decile bins (missing values: own bin)."""
    edges = decile_edges(reference, bins)
    ref = np.maximum(bin_shares(reference, edges), EPSILON)
    cur = np.maximum(bin_shares(current, edges), EPSILON)
    return float(np.sum((cur - ref) * np.log(cur / ref)))


def psi_band(value: float) -> str:
    """``"stable"`` below 0.10, ``"monitor"`` from 0.10 to 0.25, ``"act"`` above 0.25."""
    if math.isnan(value):
        raise ValueError("PSI band of NaN")
    if value < MONITOR_FROM:
        return STABLE
    return MONITOR if value <= ACT_ABOVE else ACT
