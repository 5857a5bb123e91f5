"""A bundle with one model per coverage, for the tests of what follows from "which model scored".

The shipped bundle is used when it already holds the coverage models. Otherwise (a bundle of one
full-history model) the same booster is given, per coverage, the features of the other tables
blanked, a Platt calibration, the cost-optimal threshold and the AUC measured on its reference
sample, and a ``PD_<coverage>`` reference column: a real bundle of distinct models that loads and
verifies like a trained one (the figures are in-sample, which these tests do not rely on).
"""

from __future__ import annotations

import json
import shutil

import numpy as np
import pytest
from sklearn.metrics import roc_auc_score

from engine.bundle import HASHED_FILES, MANIFEST_FILE, REFERENCE_FILE, _manifest_digest, load_bundle, sha256_file
from engine.calibration import PlattCalibration
from engine.coverage import COVERAGES, blank
from engine.evaluation import best_threshold
from engine.scoring import Scorer


@pytest.fixture(scope="session")
def coverage_bundle(bundle, tmp_path_factory):
    if len(bundle.models) == len(COVERAGES):
        return bundle
    out = tmp_path_factory.mktemp("coverage_bundle")
    shutil.copytree(bundle.path, out, dirs_exist_ok=True)
    reference, scorer = bundle.reference(), Scorer(bundle)
    y = reference["TARGET"].to_numpy()
    models, columns = {}, {}
    for coverage in COVERAGES:
        margin = scorer.margin(scorer.matrix(blank(reference, bundle.pipeline.specs, coverage.tables)))
        calibration = PlattCalibration.fit(margin, y)
        pd = calibration.predict(margin)
        column = f"PD_{coverage.name}"
        models[coverage.name] = {
            "tables": sorted(coverage.tables),
            "threshold": best_threshold(y, pd)[0],
            "calibration": calibration.to_dict(),
            "metrics": {"roc_auc_mean": float(roc_auc_score(y, pd)), "roc_auc_std": 0.0,
                        "mean_pd": float(np.mean(pd)), "default_rate": float(np.mean(y))},
            "reference_pd": column,
        }
        columns[column] = pd
    reference.with_columns(**columns).write_parquet(out / REFERENCE_FILE)
    manifest = json.loads((out / MANIFEST_FILE).read_text("utf-8"))
    manifest.update(models=models, trained_tables=sorted(bundle.trained_tables),
                    files={name: sha256_file(out / name) for name in HASHED_FILES})
    manifest["manifest_sha256"] = _manifest_digest(manifest)
    (out / MANIFEST_FILE).write_text(json.dumps(manifest, ensure_ascii=False), "utf-8")
    return load_bundle(out)
