"""Fairness of the decisions by sex and by age band (EU AI Act Art. 10: examination of possible bias).

Computed on out-of-fold PDs of the full-history model at its threshold. Sex comes from the raw
application column CODE_GENDER (it is not a model input), age from DAYS_BIRTH. For each group:
clients, approval rate, actual default rate among the accepted and among the refused, ROC AUC, and
the ratio of its approval rate to the most-approved group's (the "four-fifths rule" flags a ratio
below 0.8). A group of fewer than :data:`MIN_CLIENTS` clients (sex "XNA": a handful) is listed but has
no ratio: it can neither be the reference nor be compared with it, its rate being chance.
"""

from __future__ import annotations

import numpy as np
import polars as pl
from sklearn.metrics import roc_auc_score

from engine.constants import DAYS_PER_YEAR

FOUR_FIFTHS = 0.8
#: Fewest clients in a group for its approval rate to enter the four-fifths ratio (as reference or compared).
MIN_CLIENTS = 30
#: Age bands in years: under 30, 30 to 50, over 50.
AGE_BANDS = ("<30", "30-50", ">50")
UNKNOWN = "unknown"


def _rate(values: np.ndarray) -> float | None:
    return float(values.mean()) if len(values) else None


def table(
    groups: np.ndarray, y: np.ndarray, pd: np.ndarray, threshold: float, min_clients: int = MIN_CLIENTS
) -> list[dict]:
    """One row per group (age bands in age order, others sorted) of the decisions ``pd < threshold`` (accept);
    the approval ratio to the most approved group of at least ``min_clients``, None for a smaller group."""
    accepted = pd < threshold
    rows = []
    present = set(groups.tolist())
    for group in [b for b in AGE_BANDS if b in present] + sorted(present - set(AGE_BANDS)):
        inside = groups == group
        both_classes = 0 < y[inside].sum() < inside.sum()
        rows.append(
            {
                "group": group,
                "clients": int(inside.sum()),
                "approval_rate": float(accepted[inside].mean()),
                "default_rate_accepted": _rate(y[inside & accepted]),
                "default_rate_refused": _rate(y[inside & ~accepted]),
                "roc_auc": float(roc_auc_score(y[inside], pd[inside])) if both_classes else None,
            }
        )
    best = max((row["approval_rate"] for row in rows if row["clients"] >= min_clients), default=0.0)
    for row in rows:
        row["approval_ratio"] = row["approval_rate"] / best if best and row["clients"] >= min_clients else None
    return rows


def age_bands(days_birth: pl.Series) -> np.ndarray:
    """Each client's age band from DAYS_BIRTH (negative days before the application)."""
    age = (-days_birth.cast(pl.Float64) / DAYS_PER_YEAR).to_numpy()
    bands = np.select([age < 30, age <= 50, age > 50], AGE_BANDS, default=UNKNOWN)
    return bands.astype(object)


def report(
    application: pl.DataFrame, y: np.ndarray, pd: np.ndarray, threshold: float, min_clients: int = MIN_CLIENTS
) -> dict:
    """Fairness tables by sex and by age band; ``application`` rows aligned with ``y`` and ``pd``."""
    sex = application["CODE_GENDER"].fill_null(UNKNOWN).to_numpy().astype(object)
    bands = age_bands(application["DAYS_BIRTH"])
    tables = {"sex": table(sex, y, pd, threshold, min_clients), "age": table(bands, y, pd, threshold, min_clients)}
    return {"threshold": threshold, "four_fifths": FOUR_FIFTHS, "min_clients": min_clients, **tables,
            "lowest": lowest(tables)}


def lowest(tables: dict[str, list[dict]]) -> dict[str, dict]:
    """Per attribute, the least-approved group and its ratio to the most-approved one, among the groups
    that have a ratio (none when no group has one)."""
    found = {}
    for attribute, rows in tables.items():
        compared = [row for row in rows if row["approval_ratio"] is not None]
        if compared:
            low = min(compared, key=lambda r: r["approval_rate"])
            high = max(compared, key=lambda r: r["approval_rate"])
            found[attribute] = {"group": low["group"], "best": high["group"], "ratio": low["approval_ratio"]}
    return found
