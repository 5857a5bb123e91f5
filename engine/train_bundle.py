"""From labelled client files to a verified model bundle: read, train, report, save."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from engine import report
from engine.bundle import Bundle, data_summary, save_bundle
from engine.manifest import TrainingMetrics
from engine.model_build import ModelBuild
from engine.readers import read_tables
from engine.training import TrainingConfig, TrainingResult, monotone_constraints, train

log = logging.getLogger(__name__)


def metrics_of(result: TrainingResult, data: dict, seconds: float) -> dict:
    """The training report as JSON-ready data."""
    names, config = result.pipeline.feature_names, result.config
    return {
        "shipped": result.shipped,
        "threshold": result.full.threshold,
        "n_features": len(names),
        "n_splits": config.n_splits,
        "seed": config.seed,
        "fold_seeds": list(config.fold_seeds),
        "dropout": config.dropout,
        "bags": config.bags,
        "threshold_rule": config.threshold_rule,
        "exclude": list(config.exclude),
        "monotone": {n: c for n, c in zip(names, monotone_constraints(names, config)) if c},
        "models": {name: model.metrics.to_dict() for name, model in result.models.items()},
        "variants": {name: v.metrics for name, v in result.variants.items()},
        "calibration": result.calibration_metrics,
        "fairness": result.fairness,
        "data": data,
        "training_seconds": round(seconds, 1),
    }


def train_bundle(
    source: str | Path | Sequence[str | Path],
    out: str | Path,
    config: TrainingConfig | None = None,
    progress: Callable[[str], None] = log.info,
) -> Bundle:
    """Train the three variants on ``source`` (application_train and its history) and write the bundle."""
    started = time.perf_counter()
    progress("reading tables")
    tables = read_tables(source, application="train")
    result = train(tables.frames, config, progress)
    label = ", ".join(sorted({Path(s).name for s in tables.sources.values()}))
    data = data_summary(tables.frames["application"], {n: f.height for n, f in tables.frames.items()}, label)
    metrics = metrics_of(result, data, time.perf_counter() - started)
    progress("writing the bundle")
    build = ModelBuild.of(result.booster, result.config.dropout, result.config.threshold_rule)
    html = report.render(TrainingMetrics.from_dict(metrics), build)
    return save_bundle(result, Path(out), data_summary=data, metrics=metrics, report_html=html)
