"""Fairness tables: every figure recomputed by hand on a small fixture."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from engine import fairness

# Ten clients: five women, four men, one not stated. Threshold 0.5: PD >= 0.5 is refused.
SEX = ["F", "F", "F", "F", "F", "M", "M", "M", "M", None]
PD = [0.1, 0.2, 0.6, 0.3, 0.9, 0.7, 0.8, 0.1, 0.55, 0.2]
Y = [0, 1, 1, 0, 0, 1, 0, 0, 1, 0]
AGE_YEARS = [25, 29.9, 30, 50, 50.5, 70, 40, 18, 35, 45]


@pytest.fixture()
def report():
    application = pl.DataFrame(
        {"CODE_GENDER": SEX, "DAYS_BIRTH": [-round(a * fairness.DAYS_PER_YEAR) for a in AGE_YEARS]}
    )
    return fairness.report(application, np.array(Y), np.array(PD), 0.5, min_clients=1)  # every group compared


def test_fairness_by_sex_matches_the_hand_count(report):
    women, men, unknown = report["sex"]
    # Women: PD 0.1, 0.2, 0.3 accepted (3 of 5), 0.6 and 0.9 refused; defaults among accepted: the 0.2 one.
    assert (women["group"], women["clients"], women["approval_rate"]) == ("F", 5, 3 / 5)
    assert women["default_rate_accepted"] == pytest.approx(1 / 3)
    assert women["default_rate_refused"] == pytest.approx(1 / 2)  # 0.6 defaulted, 0.9 did not
    # AUC of the women: defaulters (0.2, 0.6) against repaid (0.1, 0.3, 0.9): pairs won 1 + 2 = 3 of 6.
    assert women["roc_auc"] == pytest.approx(3 / 6)
    # Men: 0.1 accepted (1 of 4); refused 0.7 (default), 0.8 (repaid), 0.55 (default).
    assert (men["group"], men["clients"], men["approval_rate"]) == ("M", 4, 1 / 4)
    assert men["default_rate_accepted"] == 0.0
    assert men["default_rate_refused"] == pytest.approx(2 / 3)
    # Defaulters 0.7, 0.55 against repaid 0.8, 0.1: 1 + 1 = 2 of 4.
    assert men["roc_auc"] == pytest.approx(2 / 4)
    # Not stated: one accepted client who repaid, no AUC (one class), nobody refused.
    assert unknown == {
        "group": "unknown", "clients": 1, "approval_rate": 1.0, "default_rate_accepted": 0.0,
        "default_rate_refused": None, "roc_auc": None, "approval_ratio": 1.0,
    }
    # Four-fifths rule: ratios to the most approved group (not stated, 100 %).
    assert women["approval_ratio"] == pytest.approx(0.6) and men["approval_ratio"] == pytest.approx(0.25)
    assert report["lowest"]["sex"] == {"group": "M", "best": "unknown", "ratio": pytest.approx(0.25)}


def test_fairness_by_age_band_matches_the_hand_count(report):
    bands = {row["group"]: row for row in report["age"]}
    assert [row["group"] for row in report["age"]] == ["<30", "30-50", ">50"]
    # < 30: ages 25, 29.9, 18 -> PD 0.1, 0.2, 0.1: all accepted, one default (the 0.2).
    assert bands["<30"]["clients"] == 3 and bands["<30"]["approval_rate"] == 1.0
    assert bands["<30"]["default_rate_accepted"] == pytest.approx(1 / 3)
    # 30-50 (both ends in): ages 30, 50, 40, 35, 45 -> PD 0.6, 0.3, 0.8, 0.55, 0.2: 2 of 5 accepted.
    assert bands["30-50"]["clients"] == 5 and bands["30-50"]["approval_rate"] == pytest.approx(2 / 5)
    assert bands["30-50"]["default_rate_refused"] == pytest.approx(2 / 3)  # 0.6 and 0.55 defaulted, 0.8 did not
    # > 50: ages 50.5, 70 -> PD 0.9 (repaid), 0.7 (default): both refused.
    assert bands[">50"]["approval_rate"] == 0.0 and bands[">50"]["default_rate_accepted"] is None
    assert bands[">50"]["roc_auc"] == 0.0  # the defaulter has the lower PD
    assert bands["30-50"]["approval_ratio"] == pytest.approx(0.4)
    assert report["lowest"]["age"] == {"group": ">50", "best": "<30", "ratio": 0.0}
    assert report["threshold"] == 0.5 and report["four_fifths"] == 0.8


def test_a_group_too_small_is_listed_but_neither_the_reference_nor_compared():
    """40 women approved at 50 %, 35 men at 40 %, 3 "XNA" all approved: XNA would set the ratio alone."""
    groups = np.array(["F"] * 40 + ["M"] * 35 + ["XNA"] * 3, dtype=object)
    pd = np.array([0.1] * 20 + [0.9] * 20 + [0.1] * 14 + [0.9] * 21 + [0.1] * 3)
    y = np.zeros(len(pd), dtype=int)
    rows = {row["group"]: row for row in fairness.table(groups, y, pd, 0.5)}
    assert fairness.MIN_CLIENTS == 30 and rows["XNA"]["clients"] == 3 and rows["XNA"]["approval_rate"] == 1.0
    assert rows["XNA"]["approval_ratio"] is None  # listed, not compared
    assert rows["F"]["approval_ratio"] == 1.0 and rows["M"]["approval_ratio"] == pytest.approx(0.4 / 0.5)
    assert fairness.lowest({"sex": list(rows.values())})["sex"] == {"group": "M", "best": "F", "ratio": pytest.approx(0.8)}
    # With no minimum, the three XNA clients are the reference and halve the men's ratio.
    unbounded = {row["group"]: row for row in fairness.table(groups, y, pd, 0.5, min_clients=1)}
    assert unbounded["M"]["approval_ratio"] == pytest.approx(0.4)


def test_no_group_large_enough_leaves_the_attribute_without_a_ratio():
    rows = fairness.table(np.array(["F", "M"], dtype=object), np.array([0, 1]), np.array([0.1, 0.9]), 0.5)
    assert [row["approval_ratio"] for row in rows] == [None, None]
    assert fairness.lowest({"sex": rows}) == {}
