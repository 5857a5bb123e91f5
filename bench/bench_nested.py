"""Honest tuning of the shipped model on the extract: nested CV, bagging and the threshold rule.

    python bench/bench_nested.py --data ../shared/data/home-credit --out bench/nested.jsonl \
        [--only nested candidates bagging]

Measurements, each over the fold seeds of :class:`engine.training.TrainingConfig` (42, 7, 2026),
full-history input, with the shipped pipeline (no CODE_GENDER, monotone, table dropout):

``nested``
    For each outer fold, a 3-fold inner CV on the outer training part scores every candidate of
    :data:`GRID` by its inner OOF ROC AUC; the best is refitted on the outer training part and
    predicts the outer fold, calibrated by a Platt fit on its inner OOF predictions (so that folds
    that chose differently share one scale). The outer OOF predictions report the *procedure*
    (selection included).
``candidates``
    Each candidate alone on the same outer folds, for the table (no selection).
``bagging``
    The shipped variant (:attr:`TrainingConfig.shipped`) with the margins of ``--bags`` models
    (model and dropout seeds 42, 43, …) averaged, against one model: fixed a priori, nothing selected.

Each reports the OOF ROC AUC and two cross-fitted business costs: with the threshold chosen as the
argmin of the other folds' empirical cost (the shipped rule), and with a Platt calibration fitted on
the other folds and the decision-theoretic PD threshold 1 / (1 + 10).

Each result is appended to ``--out`` as one JSON line as soon as it is known.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from dataclasses import replace
from pathlib import Path

import numpy as np
from sklearn.metrics import roc_auc_score

from bench_engine import _cpu_seconds, _machine

#: Candidates chosen a priori (not from results on these rows): the settings shipped before this
#: round (business: defaulters weighted 10:1), no class weights (the threshold, chosen on OOF
#: predictions, handles the cost), twice as many features per tree, and smaller leaves; each weighted
#: unless it says otherwise. Four, so that the nested CV fits in a shared machine's half hour.
GRID: dict[str, dict] = {
    "business": {},
    "unweighted": {"variant": "as_is"},
    "colsample_0.1": {"params": {"colsample_bytree": 0.1}},
    "min_child_40": {"params": {"min_child_samples": 40}},
}


def _config(base, candidate: dict, seed: int | None = None):
    config = replace(base, params={**base.params, **candidate.get("params", {})}, dropout=candidate.get("dropout", base.dropout))
    return config if seed is None else replace(config, seed=seed)


def _predict(data, candidate: dict, config, folds) -> np.ndarray:
    """Full-history OOF probabilities of ``candidate`` on ``folds`` (rows outside them: NaN)."""
    from engine.training import cross_validate, make_estimator

    X, y, constraints, masks = data
    estimator = make_estimator(candidate.get("variant", "business"), config, constraints)
    oof, _ = cross_validate(X, y, estimator, folds, config.n_jobs, masks, config.dropout, config.seed)
    return oof["full"]


def _costs(y: np.ndarray, proba: np.ndarray, folds) -> dict:
    """Cross-fitted cost under the argmin rule and under Platt + PD threshold 1/11."""
    from engine.calibration import PlattCalibration, to_margin
    from engine.evaluation import COST_FN, COST_FP, business_cost, cross_fitted_cost

    valid = [v for _, v in folds]
    margin, bayes = to_margin(proba), 0
    for train, v in folds:
        pd_ = PlattCalibration.fit(margin[train], y[train]).predict(margin[v])
        bayes += business_cost(y[v], pd_ >= COST_FP / (COST_FP + COST_FN))
    return {"cost_argmin": cross_fitted_cost(y, proba, valid), "cost_bayes": bayes}


def _summary(y: np.ndarray, runs: dict[int, tuple[np.ndarray, list]]) -> dict:
    per_seed = {seed: {"auc": float(roc_auc_score(y, p)), **_costs(y, p, folds)} for seed, (p, folds) in runs.items()}
    out = {"by_seed": per_seed}
    for key in ("auc", "cost_argmin", "cost_bayes"):
        values = [s[key] for s in per_seed.values()]
        out[f"{key}_mean"], out[f"{key}_std"] = float(np.mean(values)), float(np.std(values))
    return out


def nested(data, base, emit) -> None:
    from engine.calibration import PlattCalibration, to_margin
    from engine.training import fold_indices

    _, y, _, _ = data
    outer_runs: dict[int, tuple[np.ndarray, list]] = {}
    for seed in base.fold_seeds:
        folds = fold_indices(y, base, seed)
        outer, chosen = np.full(len(y), np.nan), []
        for k, (train, valid) in enumerate(folds):
            inner = [(train[a], train[b]) for a, b in fold_indices(y[train], replace(base, n_splits=3), seed)]
            scores, inner_proba = {}, {}
            for name, candidate in GRID.items():
                inner_proba[name] = _predict(data, candidate, _config(base, candidate), inner)[train]
                scores[name] = float(roc_auc_score(y[train], inner_proba[name]))
            best = max(scores, key=scores.get)
            chosen.append(best)
            # Folds may choose differently (weighted or not): each outer fold's margins are put on one
            # scale by a Platt calibration fitted on its own inner OOF predictions.
            calibration = PlattCalibration.fit(to_margin(inner_proba[best]), y[train])
            proba = _predict(data, GRID[best], _config(base, GRID[best]), [(train, valid)])[valid]
            outer[valid] = calibration.predict(to_margin(proba))
            emit({"step": "nested_fold", "fold_seed": seed, "fold": k, "inner_auc": scores, "chosen": best})
        outer_runs[seed] = (outer, folds)
        emit({"step": "nested_seed", "fold_seed": seed, "chosen": chosen, "outer_auc": float(roc_auc_score(y, outer))})
    emit({"step": "nested", **_summary(y, outer_runs)})


def candidates(data, base, emit) -> None:
    """Each candidate alone on the outer folds (a table, not a selection)."""
    from engine.training import fold_indices

    _, y, _, _ = data
    for name, candidate in GRID.items():
        runs = {}
        for seed in base.fold_seeds:
            folds = fold_indices(y, base, seed)
            runs[seed] = (_predict(data, candidate, _config(base, candidate), folds), folds)
        emit({"step": "candidate", "candidate": name, **_summary(y, runs)})


def bagging(data, base, emit, bags: int) -> None:
    from engine.calibration import to_margin
    from engine.training import fold_indices

    _, y, _, _ = data
    runs = {}
    for seed in base.fold_seeds:
        folds = fold_indices(y, base, seed)
        shipped = {"variant": base.shipped}
        margins = [to_margin(_predict(data, shipped, _config(base, shipped, base.seed + b), folds)) for b in range(bags)]
        runs[seed] = (1 / (1 + np.exp(-np.mean(margins, axis=0))), folds)
        emit({"step": "bagging_seed", "fold_seed": seed, "bags": bags, "auc": float(roc_auc_score(y, runs[seed][0])),
              "auc_single": float(roc_auc_score(y, 1 / (1 + np.exp(-margins[0]))))})
    emit({"step": "bagging", "bags": bags, **_summary(y, runs)})


def load(data_dir: Path):
    """The shipped pipeline's feature matrix, labels, monotone constraints and coverage masks."""
    from engine.coverage import coverages_for
    from engine.features import FeaturePipeline
    from engine.readers import read_tables
    from engine.training import TrainingConfig, blank_masks, monotone_constraints

    base = TrainingConfig()
    tables = read_tables(data_dir, application="train").frames
    fitted = FeaturePipeline()
    features = fitted.fit_transform(tables)
    pipeline = fitted.without(base.exclude)
    names = pipeline.feature_names
    labels = tables["application"].select("SK_ID_CURR", "TARGET").join(features.select("SK_ID_CURR"), on="SK_ID_CURR", how="right")
    X = features.select(names).to_numpy().astype(np.float32)
    masks = blank_masks(names, pipeline, coverages_for(frozenset(n for n, f in tables.items() if f is not None)))
    return (X, labels["TARGET"].to_numpy().astype(np.int64), monotone_constraints(names, base), masks), base


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--only", nargs="*", default=["nested", "candidates", "bagging"],
                        choices=["nested", "candidates", "bagging"])
    parser.add_argument("--bags", type=int, default=5)
    parser.add_argument("--fold-seeds", type=int, nargs="*", help="default: TrainingConfig's")
    args = parser.parse_args()
    data, base = load(args.data)
    if args.fold_seeds:
        base = replace(base, fold_seeds=tuple(args.fold_seeds))
    cpu, started = _cpu_seconds(), time.perf_counter()

    def emit(record: dict) -> None:
        record.update(seconds=round(time.perf_counter() - started, 1), cpu_seconds=round(_cpu_seconds() - cpu, 1),
                      load_1min=round(os.getloadavg()[0], 2), machine=_machine())
        with args.out.open("a") as fh:
            fh.write(json.dumps(record) + "\n")
        print(json.dumps(record), flush=True)

    if "nested" in args.only:
        nested(data, base, emit)
    if "candidates" in args.only:
        candidates(data, base, emit)
    if "bagging" in args.only:
        bagging(data, base, emit, args.bags)


if __name__ == "__main__":
    main()
