"""engine.templates: reports rendered from resources/templates/*.j2, autoescaped, never half-filled."""

from __future__ import annotations

import copy
import json

import pytest

from engine import report
from engine.bundle import load_bundle
from engine.drift import header
from engine.manifest import TrainingMetrics
from engine.model_build import ModelBuild
from engine.resources import default_bundle, resources_dir
from engine.templates import environment

HOSTILE = '<img src=x onerror="alert(1)">'


@pytest.fixture(scope="module")
def shipped_metrics() -> dict:
    return json.loads((default_bundle() / "manifest.json").read_text("utf-8"))["metrics"]


@pytest.fixture(scope="module")
def shipped_build(shipped_metrics) -> ModelBuild:
    bundle = load_bundle(default_bundle())
    return ModelBuild.of(bundle.booster, shipped_metrics["dropout"], bundle.manifest.threshold_rule)


def test_every_template_compiles():
    names = sorted(p.name for p in (resources_dir() / "templates").glob("*.j2"))
    assert {"training_report.html.j2", "drift_summary.html.j2"} <= set(names)
    for name in names:
        environment().get_template(name)


def test_autoescape_is_on_for_every_value():
    page = header(_summary([HOSTILE]))
    assert page.count("&lt;img src=x onerror=&#34;alert(1)&#34;&gt;") == 2  # drifted column and PSI table row
    assert HOSTILE not in page


def test_training_report_of_the_shipped_model(shipped_metrics, shipped_build):
    page = report.render(TrainingMetrics.from_dict(shipped_metrics), shipped_build)
    assert page.startswith("<!DOCTYPE html>") and page.count("<table") == 2 + 2 + 2 * len(shipped_metrics["variants"])
    shipped = shipped_metrics["shipped"]
    assert f'<tr class="shipped"><td>{shipped}</td>' in page
    threshold = shipped_metrics["variants"][shipped]["at_threshold"]["threshold"]
    assert f"<caption>{shipped} at {threshold:.4f}</caption>" in page
    assert f"calibrated PD threshold {shipped_metrics['threshold']:.4f}" in page
    assert page.count("<script") >= 4 and '<script src="http' not in page  # figures inlined, no network


def test_training_report_escapes_the_data_it_names(shipped_metrics, shipped_build):
    metrics = copy.deepcopy(shipped_metrics)
    metrics["data"]["source"] = HOSTILE
    metrics["exclude"] = ["<b>SEX</b>"]
    page = report.render(TrainingMetrics.from_dict(metrics), shipped_build)
    assert HOSTILE not in page and "&lt;img src=x" in page and "&lt;b&gt;SEX&lt;/b&gt;" in page


def test_a_missing_value_is_an_error_not_an_empty_cell(shipped_metrics):
    metrics = copy.deepcopy(shipped_metrics)
    del metrics["calibration"]["brier_uncalibrated"]
    with pytest.raises(TypeError, match="missing required field `brier_uncalibrated` - at `\\$.calibration`"):
        TrainingMetrics.from_dict(metrics)


def _summary(features: list[str]) -> dict:
    return {
        "bundle_id": "0123456789abcdef", "dataset_drift": False, "drift_share": 0.0, "n_compared": 1, "n_drifted": 0,
        "config": {"reference_rows": 20000, "top_features": 30, "application_columns": 10,
                   "key_columns": ["AMT_CREDIT"], "drift_share": 0.5},
        "rows": {"current": 1200, "reference": 4000, "reference_available": 4000},
        "drifted_columns": features, "not_supplied": [], "supplied": ["application"], "not_compared": [],
        "warnings": [], "score": {"available": False, "reason": "no PD"},
        "psi": {"features": [{"feature": name, "psi": 0.01, "band": "stable"} for name in features]},
    }
