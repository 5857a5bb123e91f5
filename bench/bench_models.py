"""What each modelling choice of issue 10 costs or brings, on the extract (OOF, 3 fold seeds).

    python bench/bench_models.py --data ../shared/data/home-credit [--variant as_is]

Trains one variant under the shipped settings and with one choice undone at a time: CODE_GENDER
kept as a feature, no monotone constraints, no table dropout (a plain model, whose smaller
coverages are just its history blanked at scoring), and all three undone (the model before issue
10). Prints one JSON line per setting: per coverage the OOF ROC AUC mean ± std over the fold
seeds, the cross-fitted business cost (mean over seeds; by seed for both threshold rules), the
threshold and refusal rate, and the mean PD with a cross-fitted
calibration against the default rate; plus wall and CPU seconds.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from dataclasses import replace
from pathlib import Path

from bench_engine import _machine
from cpu import cpu_seconds

SETTINGS = {
    "shipped": {},
    "with_gender": {"exclude": ()},
    "no_monotone": {"monotone": False},
    "no_dropout": {"dropout": 0.0},
    "before_issue_10": {"exclude": (), "monotone": False, "dropout": 0.0},
}


def run(data: Path, variant: str, setting: str) -> dict:
    from engine.readers import read_tables
    from engine.training import TrainingConfig, train

    tables = read_tables(data, application="train").frames
    config = replace(TrainingConfig(), variants=(variant,), shipped=variant, **SETTINGS[setting])
    cpu, started = cpu_seconds(), time.perf_counter()
    result = train(tables, config)
    models = {
        name: {
            "roc_auc_mean": round(m.metrics.roc_auc_mean, 4),
            "roc_auc_std": round(m.metrics.roc_auc_std, 4),
            "cross_fitted_cost_mean": round(m.metrics.cross_fitted_cost_mean, 1),
            "roc_auc_by_seed": [round(a, 4) for a in m.metrics.roc_auc_by_seed],
            "cost_by_rule": result.variants[variant].metrics["coverages"][name]["cross_fitted_cost_by_rule"],
            "threshold": round(m.metrics.threshold, 4),
            "refusal_rate": round(m.metrics.refusal_rate, 4),
            "mean_pd": round(m.metrics.mean_pd, 4),
            "default_rate": round(m.metrics.default_rate, 4),
            "mean_pd_error": round(m.metrics.mean_pd / m.metrics.default_rate - 1, 4),
        }
        for name, m in result.models.items()
    }
    return {
        "benchmark": "models", "setting": setting, "variant": variant, "fold_seeds": list(config.fold_seeds),
        "models": models, "n_features": len(result.pipeline.feature_names), "fairness": result.fairness,
        "seconds": round(time.perf_counter() - started, 1),
        "cpu_seconds": round(cpu_seconds() - cpu, 1), "load_1min": round(os.getloadavg()[0], 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--variant", default="as_is")
    parser.add_argument("--settings", nargs="*", default=list(SETTINGS), choices=list(SETTINGS))
    args = parser.parse_args()
    for setting in args.settings:
        result = run(args.data, args.variant, setting)
        result["machine"] = _machine()
        print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
