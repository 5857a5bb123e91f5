"""Monotone where a credit officer expects it, on every client of the shipped demo batch.

The promises (README, the model card): all else equal, a larger credit alone, a larger annuity alone,
or the three amounts (credit, annuity, goods price) together never lower the PD; more income never
raises it. The goods price alone is not promised (a larger price for the same credit is a larger
down payment).
"""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from engine.families import MONOTONE
from engine.scoring import Scorer

FACTORS = (0.3, 0.5, 0.75, 1.0, 1.25, 1.5, 1.75, 2.0)
AMOUNTS = ("AMT_CREDIT", "AMT_ANNUITY", "AMT_GOODS_PRICE")
#: Each promise: the application columns scaled together, and the PD's direction as they grow.
PROMISES: dict[str, tuple[tuple[str, ...], int]] = {
    "credit": (("AMT_CREDIT",), 1),
    "annuity": (("AMT_ANNUITY",), 1),
    "amounts": (AMOUNTS, 1),
    "income": (("AMT_INCOME_TOTAL",), -1),
}


def _tables(demo_tables: dict, supplied: str) -> dict[str, pl.DataFrame]:
    tables = {n: f for n, f in demo_tables.items() if f is not None}
    return tables if supplied == "all" else {"application": tables["application"]}


def _scaled(tables: dict, columns: tuple[str, ...], factor: float) -> dict[str, pl.DataFrame]:
    return {**tables, "application": tables["application"].with_columns(pl.col(c) * factor for c in columns)}


def _pd_by_factor(scorer: Scorer, tables: dict, columns: tuple[str, ...]) -> np.ndarray:
    """PD of every client (columns) with ``columns`` scaled by each factor (rows)."""
    return np.array([scorer.pd(scorer.features(_scaled(tables, columns, f)), set(tables)) for f in FACTORS])


@pytest.mark.parametrize("supplied", ["all", "application"])
@pytest.mark.parametrize("promise", list(PROMISES))
def test_pd_moves_one_way_as_each_promised_amount_grows(bundle, demo_tables, promise, supplied):
    columns, direction = PROMISES[promise]
    pd = _pd_by_factor(Scorer(bundle), _tables(demo_tables, supplied), columns)
    assert pd.shape == (len(FACTORS), 5000)
    steps = direction * np.diff(pd, axis=0)
    wrong = np.unique(np.argwhere(steps < -1e-12)[:, 1])
    assert wrong.size == 0, f"{wrong.size} clients' PD goes the wrong way, e.g. rows {wrong[:5].tolist()}"
    assert (direction * (pd[-1] - pd[0]) > 0).mean() > 0.3  # and the amount does matter


def test_every_feature_built_from_the_amounts_is_constrained_the_promised_way(bundle, demo_tables):
    """Whatever moves when a promised amount grows is constrained in the direction that keeps the
    promise: a free feature (the repayment rate annuity/credit was one) breaks it for some client."""
    scorer = Scorer(bundle)
    application = demo_tables["application"].head(500)
    base = scorer.values(scorer.features({"application": application}))
    assert bundle.manifest.metrics.monotone == {n: c for n, c in MONOTONE.items() if n in bundle.feature_names}
    for promise, (columns, direction) in PROMISES.items():
        grown = scorer.values(scorer.features({"application": application.with_columns(pl.col(c) * 1.5 for c in columns)}))
        change = np.sign(grown - base)
        for j in np.flatnonzero((np.nan_to_num(change) != 0).any(axis=0)):
            name = bundle.feature_names[j]
            moved = change[:, j][np.nan_to_num(change[:, j]) != 0]
            assert (moved * MONOTONE.get(name, 0) == direction).all(), f"{promise}: {name} unconstrained or the wrong way"
