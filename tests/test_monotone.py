"""Monotone where a credit officer expects it, on every client of the shipped demo batch."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from engine.scoring import Scorer

FACTORS = (0.3, 0.5, 0.75, 1.0, 1.25, 1.5, 1.75, 2.0)
AMOUNTS = ("AMT_CREDIT", "AMT_ANNUITY", "AMT_GOODS_PRICE")


def _pd_by_factor(scorer: Scorer, tables: dict, columns: tuple[str, ...], supplied: set[str]) -> np.ndarray:
    """PD of every client (columns) with ``columns`` scaled by each factor (rows)."""
    rows = []
    for factor in FACTORS:
        application = tables["application"].with_columns(pl.col(c) * factor for c in columns)
        features = scorer.features({**{n: tables[n] for n in supplied}, "application": application})
        rows.append(scorer.pd(features, supplied))
    return np.array(rows)


@pytest.mark.parametrize("supplied", ["all", "application"])
def test_pd_never_falls_as_credit_annuity_and_goods_price_grow_together(bundle, demo_tables, supplied):
    scorer = Scorer(bundle)
    tables = {n: f for n, f in demo_tables.items() if f is not None}
    kept = set(tables) if supplied == "all" else {"application"}
    pd = _pd_by_factor(scorer, tables, AMOUNTS, kept)
    assert pd.shape == (len(FACTORS), 5000)
    assert (np.diff(pd, axis=0) >= -1e-12).all(), np.argwhere(np.diff(pd, axis=0) < -1e-12)[:5]
    assert (pd[-1] > pd[0]).mean() > 0.5  # and the amounts do matter


def test_pd_never_rises_with_income(bundle, demo_tables):
    scorer = Scorer(bundle)
    tables = {n: f for n, f in demo_tables.items() if f is not None}
    pd = _pd_by_factor(scorer, tables, ("AMT_INCOME_TOTAL",), set(tables))
    assert (np.diff(pd, axis=0) <= 1e-12).all()
