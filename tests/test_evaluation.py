"""Business cost, threshold choice and calibration on small hand-checkable cases."""

from __future__ import annotations

import numpy as np
import pytest

from engine.calibration import PlattCalibration, to_margin
from engine.evaluation import BAYES_PD, best_threshold, business_cost, cost_curve, cross_fitted_cost, pd_threshold, summary
from engine.grading import grades, points


def test_business_cost_counts_a_missed_defaulter_ten_times():
    y = np.array([1, 1, 0, 0, 0])
    assert business_cost(y, np.array([0, 1, 1, 0, 0])) == 10 + 1
    assert business_cost(y, np.zeros(5)) == 20  # accept all: two missed defaulters
    assert business_cost(y, np.ones(5)) == 3  # refuse all: three good clients refused


def test_cost_curve_equals_brute_force_with_ties():
    rng = np.random.default_rng(1)
    y = (rng.random(400) < 0.1).astype(int)
    p = np.round(rng.random(400) * 0.5 + y * 0.2, 2)  # many ties
    thresholds, costs = cost_curve(y, p)
    for t, c in zip(thresholds, costs):
        assert c == business_cost(y, p >= t)
    t, c = best_threshold(y, p)
    assert c == min(business_cost(y, p >= u) for u in np.unique(p))
    assert c == business_cost(y, p >= t)


def test_best_threshold_on_perfect_scores_refuses_exactly_the_defaulters():
    y = np.array([0, 0, 1, 0, 1])
    p = np.array([0.1, 0.2, 0.9, 0.3, 0.8])
    t, c = best_threshold(y, p)
    assert c == 0 and 0.3 < t <= 0.8


def test_cross_fitted_cost_uses_other_folds_only():
    y = np.array([0, 1, 0, 1])
    p = np.array([0.2, 0.9, 0.6, 0.4])
    folds = [np.array([0, 1]), np.array([2, 3])]
    # Fold 1 threshold from rows 2,3 (0.6 -> 0, 0.4 -> 1): accept all costs 10, refuse >=0.4 costs 1 -> t=0.4;
    # applied to rows 0,1: cost 0. Fold 2 threshold from rows 0,1: t=0.9 -> rows 2,3 accepted: FN at row 3 = 10.
    assert cross_fitted_cost(y, p, folds) == 10


def test_bayes_rule_refuses_from_a_pd_of_one_eleventh_calibrated_on_the_other_folds():
    assert BAYES_PD == pytest.approx(1 / 11) and pd_threshold(np.array([0, 1]), np.array([0.3, 0.5]), "bayes") == BAYES_PD
    with pytest.raises(ValueError, match="unknown threshold rule"):
        pd_threshold(np.array([0, 1]), np.array([0.3, 0.5]), "median")
    rng = np.random.default_rng(3)
    margin = rng.normal(-2.5, 1.2, 3000)
    y = (rng.random(3000) < 1 / (1 + np.exp(-(1.5 * margin + 0.8)))).astype(int)  # miscalibrated on purpose
    p = 1 / (1 + np.exp(-margin))
    folds = [np.arange(k, 3000, 3) for k in range(3)]
    expected = 0
    for valid in folds:
        train = np.setdiff1d(np.arange(3000), valid)
        pd = PlattCalibration.fit(to_margin(p[train]), y[train]).predict(to_margin(p[valid]))
        expected += business_cost(y[valid], pd >= 1 / 11)
    assert cross_fitted_cost(y, p, folds, "bayes") == expected
    # Uncalibrated, 1/11 on the raw probabilities would refuse other clients: the calibration matters.
    assert expected != sum(business_cost(y[v], p[v] >= 1 / 11) for v in folds)


def test_summary_reports_threshold_cost_no_worse_than_0_5():
    rng = np.random.default_rng(2)
    y = (rng.random(1000) < 0.08).astype(int)
    p = np.clip(rng.normal(0.1 + 0.15 * y, 0.08), 0, 1)
    folds = np.array_split(rng.permutation(1000), 5)
    s = summary(y, p, folds)
    assert s["at_threshold"]["business_cost"] <= s["at_0_5"]["business_cost"]
    assert 0.5 < s["roc_auc"] <= 1
    assert sum(s["at_threshold"]["confusion_matrix"].values()) == 1000


def test_platt_calibration_recovers_a_known_sigmoid_and_inverts():
    rng = np.random.default_rng(3)
    margin = rng.normal(0, 2, 20000)
    y = (rng.random(20000) < 1 / (1 + np.exp(-(0.5 * margin - 1)))).astype(int)
    cal = PlattCalibration.fit(margin, y)
    assert cal.a == pytest.approx(0.5, abs=0.05) and cal.b == pytest.approx(-1, abs=0.06)
    assert cal.predict(np.array([cal.margin_at(0.09)]))[0] == pytest.approx(0.09)
    assert PlattCalibration.from_dict(cal.to_dict()) == cal
    assert to_margin(np.array([0.5]))[0] == 0


def test_grades_and_points_follow_the_documented_scale():
    assert list(grades(np.array([0.0, 0.0249, 0.025, 0.07, 0.15, 0.2, 0.9]))) == list("AABCDEE")
    assert points(np.array([1 / 51]))[0] == 600  # odds 50:1
    assert points(np.array([1 / 101]))[0] == 620  # odds doubled -> +20 points
    assert points(np.array([0.5]))[0] < points(np.array([0.1]))[0]
