"""Honest evaluation: the business cost, the threshold that minimises it, and the usual metrics.

The business cost counts a missed defaulter (false negative) as ten refused good clients
(false positives): ``cost = 10 × FN + 1 × FP``. Thresholds are only ever chosen on
out-of-fold predictions; :func:`cross_fitted_cost` also reports the cost of a *rule* fitted on the
other folds, which is what a new batch would see. Two rules (:data:`THRESHOLD_RULES`):

``argmin``
    the threshold of lowest empirical cost on the OOF predictions;
``bayes``
    refuse at a calibrated PD ≥ 1 / (1 + 10) (:data:`BAYES_PD`): the Bayes-optimal decision for a
    10:1 cost on calibrated probabilities, fixed a priori; only the Platt calibration is fitted.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from sklearn.metrics import accuracy_score, brier_score_loss, confusion_matrix, roc_auc_score, roc_curve

from engine.calibration import PlattCalibration, to_margin
from engine.constants import BAYES_PD, COST_FN, COST_FP, THRESHOLD_RULES


def business_cost(y_true: np.ndarray, y_pred: np.ndarray) -> int:
    """``10 × FN + 1 × FP`` of hard decisions (1 = predicted default, i.e. refuse)."""
    y_true = np.asarray(y_true)
    y_pred = np.asarray(y_pred)
    fn = int(np.sum((y_true == 1) & (y_pred == 0)))
    fp = int(np.sum((y_true == 0) & (y_pred == 1)))
    return COST_FN * fn + COST_FP * fp


def cost_curve(y_true: np.ndarray, proba: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Business cost at every distinct threshold, in one sorted pass.

    Returns ``(thresholds, costs)`` where refusing ``proba >= thresholds[i]`` costs ``costs[i]``;
    the last threshold is above every probability (accept everyone).
    """
    y_true = np.asarray(y_true).astype(np.int64)
    order = np.argsort(-proba, kind="stable")
    p_sorted = proba[order]
    y_sorted = y_true[order]
    # Refusing the k highest scores: FP = negatives among them, FN = positives not among them.
    tp = np.concatenate([[0], np.cumsum(y_sorted)])
    fp = np.concatenate([[0], np.cumsum(1 - y_sorted)])
    fn = tp[-1] - tp
    costs = COST_FN * fn + COST_FP * fp
    # A threshold can only sit where the score changes: keep the last index of each tie group.
    distinct = np.concatenate([np.flatnonzero(np.diff(p_sorted) != 0), [len(p_sorted) - 1]])
    thresholds = np.concatenate([p_sorted[distinct], [np.nextafter(p_sorted[0], np.inf)]])
    return thresholds, np.concatenate([costs[distinct + 1], [costs[0]]])


def best_threshold(y_true: np.ndarray, proba: np.ndarray) -> tuple[float, int]:
    """The threshold minimising the business cost on these (out-of-fold) predictions."""
    thresholds, costs = cost_curve(y_true, proba)
    i = int(np.argmin(costs))
    return float(thresholds[i]), int(costs[i])


def pd_threshold(y_true: np.ndarray, pd: np.ndarray, rule: str) -> float:
    """The PD threshold of ``rule`` for (out-of-fold, calibrated) PDs: refuse at or above it."""
    if rule == "bayes":
        return BAYES_PD
    if rule == "argmin":
        return best_threshold(y_true, pd)[0]
    raise ValueError(f"unknown threshold rule {rule!r}; expected one of {THRESHOLD_RULES}")


def cross_fitted_cost(
    y_true: np.ndarray, proba: np.ndarray, folds: Sequence[np.ndarray], rule: str | Sequence[str] = "argmin"
) -> int:
    """Cost of fitting ``rule`` (its threshold, and for ``bayes`` the Platt calibration) on the other
    folds' OOF predictions and applying it to each fold; ``rule`` may also name one rule per fold."""
    rules = [rule] * len(folds) if isinstance(rule, str) else list(rule)
    total = 0
    for valid, rule in zip(folds, rules, strict=True):
        train = np.setdiff1d(np.arange(len(y_true)), valid)
        score = proba
        if rule == "bayes":  # a rule on calibrated PDs: the calibration is fitted on the other folds too
            margin = to_margin(proba)
            score = PlattCalibration.fit(margin[train], y_true[train]).predict(margin)
        threshold = pd_threshold(y_true[train], score[train], rule)
        total += business_cost(y_true[valid], score[valid] >= threshold)
    return total


def classification_metrics(y_true: np.ndarray, proba: np.ndarray, threshold: float) -> dict:
    """ROC AUC, accuracy, confusion matrix and business cost at ``threshold`` (JSON-ready)."""
    y_pred = (proba >= threshold).astype(int)
    tn, fp, fn, tp = confusion_matrix(y_true, y_pred, labels=[0, 1]).ravel()
    return {
        "threshold": float(threshold),
        "accuracy": float(accuracy_score(y_true, y_pred)),
        "business_cost": business_cost(y_true, y_pred),
        "confusion_matrix": {"tn": int(tn), "fp": int(fp), "fn": int(fn), "tp": int(tp)},
        "recall_defaulters": float(tp / max(tp + fn, 1)),
        "refusal_rate": float(y_pred.mean()),
    }


def summary(y_true: np.ndarray, proba: np.ndarray, folds: Sequence[np.ndarray]) -> dict:
    """Everything reported for one training variant, from its OOF probabilities."""
    threshold, _ = best_threshold(y_true, proba)
    fpr, tpr, _ = roc_curve(y_true, proba)
    keep = _evenly(len(fpr))
    thresholds, costs = cost_curve(y_true, proba)
    grid = _evenly(len(thresholds))
    return {
        "roc_auc": float(roc_auc_score(y_true, proba)),
        "fold_roc_auc": [float(roc_auc_score(y_true[v], proba[v])) for v in folds],
        "brier": float(brier_score_loss(y_true, proba)),
        "at_0_5": classification_metrics(y_true, proba, 0.5),
        "at_threshold": classification_metrics(y_true, proba, threshold),
        "cross_fitted_cost": cross_fitted_cost(y_true, proba, folds),
        "roc_curve": {"fpr": fpr[keep].round(5).tolist(), "tpr": tpr[keep].round(5).tolist()},
        "cost_curve": {"threshold": thresholds[grid].round(5).tolist(), "cost": costs[grid].tolist()},
    }


def _evenly(n: int, points: int = 200) -> np.ndarray:
    """Indices of at most ``points`` evenly spread positions of a curve of length ``n`` (ends kept)."""
    return np.unique(np.linspace(0, n - 1, min(n, points)).astype(int))
