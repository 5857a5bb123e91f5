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
    The shipped variant (:attr:`TrainingConfig.shipped`) as a bag of ``--bags`` boosters (model and
    dropout seeds 42, 43, …; margins averaged), against its first booster alone: nothing selected.

Each reports the OOF ROC AUC and the cross-fitted business cost of both threshold rules
(:data:`engine.evaluation.THRESHOLD_RULES`): the argmin of the other folds' empirical cost, and a
Platt calibration fitted on the other folds with the decision-theoretic PD threshold 1 / (1 + 10).

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

from bench_engine import _machine
from cpu import cpu_seconds

#: Candidates chosen a priori (not from results on these rows), all unweighted (as_is) with the same
#: number of trees in all (800, so TreeSHAP costs the same at scoring) and the same rate × rounds
#: (16): one booster (the model shipped before bagging), a bag of 5 and a bag of 10.
GRID: dict[str, dict] = {
    "single_800": {"variant": "as_is", "bags": 1, "params": {"n_estimators": 800, "learning_rate": 0.02}},
    "bag_5x160": {"variant": "as_is", "bags": 5, "params": {"n_estimators": 160, "learning_rate": 0.1}},
    "bag_10x80": {"variant": "as_is", "bags": 10, "params": {"n_estimators": 80, "learning_rate": 0.2}},
}


def _config(base, candidate: dict):
    return replace(base, params={**base.params, **candidate.get("params", {})}, dropout=candidate.get("dropout", base.dropout),
                   bags=candidate.get("bags", base.bags))


def _predict(data, candidate: dict, config, folds) -> np.ndarray:
    """Full-history OOF probabilities of ``candidate`` on ``folds`` (rows outside them: NaN)."""
    from engine.training import cross_validate, make_bag

    X, y, constraints, masks = data
    bag = make_bag(candidate.get("variant", "business"), config, constraints)
    oof, _ = cross_validate(X, y, bag, folds, config.n_jobs, masks, config.dropout, config.seed)
    return oof["full"]


def _costs(y: np.ndarray, proba: np.ndarray, folds) -> dict:
    """Cross-fitted cost under each threshold rule."""
    from engine.evaluation import THRESHOLD_RULES, cross_fitted_cost

    return {f"cost_{rule}": cross_fitted_cost(y, proba, [v for _, v in folds], rule) for rule in THRESHOLD_RULES}


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
    from engine.training import fold_indices

    _, y, _, _ = data
    runs: dict[int, dict[str, tuple[np.ndarray, list]]] = {"bag": {}, "single": {}}
    for seed in base.fold_seeds:
        folds = fold_indices(y, base, seed)
        for name, k in (("bag", bags), ("single", 1)):
            runs[name][seed] = (_predict(data, {"variant": base.shipped}, replace(base, bags=k), folds), folds)
        emit({"step": "bagging_seed", "fold_seed": seed, "bags": bags,
              **{f"auc_{name}": float(roc_auc_score(y, run[seed][0])) for name, run in runs.items()}})
    for name, run in runs.items():
        emit({"step": f"bagging_{name}", "bags": bags if name == "bag" else 1, **_summary(y, run)})


def load(data_dir: Path):
    """The shipped pipeline's feature matrix, labels, monotone constraints and coverage masks."""
    from engine.coverage import coverages_for
    from engine.features import FeaturePipeline
    from engine.readers import read_tables
    from engine.table_dropout import blank_masks
    from engine.training import TrainingConfig, monotone_constraints

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
    cpu, started = cpu_seconds(), time.perf_counter()

    def emit(record: dict) -> None:
        record.update(seconds=round(time.perf_counter() - started, 1), cpu_seconds=round(cpu_seconds() - cpu, 1),
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
