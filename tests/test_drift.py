"""Drift of a batch against the bundle's reference: PSI, Evidently column tests, HTML, bad input.

"Flagged on exactly those features" is checked on a batch made from the reference sample itself
(a resample with replacement, shifted column by column): derived features such as income ratios
are not recomputed from the shifted columns, so exactly the shifted columns may drift, whatever
the model. The shifted columns are added to the compared set through ``key_columns`` so that the
check does not depend on which columns the shipped model ranks highest.
"""

from __future__ import annotations

import json
import re
from dataclasses import replace

import numpy as np
import polars as pl
import pytest

from engine.drift import DriftConfig, DriftError, batch_pd, describe, drift_columns, drift_frame, pd_histogram, run_drift
from engine.psi import ACT, MONITOR, STABLE, bin_shares, decile_edges, psi, psi_band

SHIFTED = ("AMT_INCOME_TOTAL", "EXT_SOURCE_3", "NAME_INCOME_TYPE")
NEW_INCOME_TYPE = "Gig economy"
#: Fewer columns than the default (each costs Evidently about 0.2 s): quicker tests.
MEDIUM = DriftConfig(top_features=15, application_columns=5)
SMALL = DriftConfig(top_features=5, application_columns=2)
#: A script or stylesheet loaded from a file or the network (a self-contained page has none).
EXTERNAL_ASSET = re.compile(r"<(script|link)\b[^>]*\b(src|href)\s*=", re.IGNORECASE)
EXTERNAL_CSS = re.compile(r"@import\s+(url\()?[\"']?\s*(https?:)?//", re.IGNORECASE)


# --- PSI ---------------------------------------------------------------------------------------


def test_psi_of_a_sample_against_itself_is_zero():
    x = np.random.default_rng(0).normal(size=5000)
    assert psi(x, x) == pytest.approx(0.0, abs=1e-12)


def test_psi_matches_the_formula_on_reference_deciles():
    rng = np.random.default_rng(1)
    ref, cur = rng.normal(size=20_000), rng.normal(0.3, 1.0, size=20_000)
    edges = decile_edges(ref)
    assert edges.size == 9
    r, c = bin_shares(ref, edges), bin_shares(cur, edges)
    assert r[:-1] == pytest.approx(np.full(10, 0.1), abs=1e-3) and r[-1] == 0
    expected = sum((ci - ri) * np.log(ci / ri) for ri, ci in zip(r[:-1], c[:-1]))
    assert psi(ref, cur) == pytest.approx(expected, rel=1e-9)
    assert 0.05 < psi(ref, cur) < 0.15  # a 0.3-sigma shift: the textbook "monitor" zone


def test_psi_counts_missing_values_as_their_own_bin():
    rng = np.random.default_rng(2)
    ref = rng.normal(size=10_000)
    half_missing = np.where(rng.random(10_000) < 0.5, np.nan, rng.normal(size=10_000))
    assert psi_band(psi(ref, half_missing)) == ACT
    same_share = np.where(rng.random(10_000) < 0.2, np.nan, rng.normal(size=10_000))
    ref_with_missing = np.where(rng.random(10_000) < 0.2, np.nan, ref)
    assert psi_band(psi(ref_with_missing, same_share)) == STABLE
    assert np.isfinite(psi(ref, np.full(100, np.nan)))  # all missing: large, finite


def test_psi_of_a_binary_feature_uses_its_two_values():
    ref = np.array([0.0] * 700 + [1.0] * 300)
    cur = np.array([0.0] * 500 + [1.0] * 500)
    assert [share for share in bin_shares(ref, decile_edges(ref)) if share] == [0.7, 0.3]
    assert psi(ref, cur) == pytest.approx(0.2 * np.log(0.5 / 0.3) - 0.2 * np.log(0.5 / 0.7))


def test_psi_bands_and_bad_input():
    values = (0.0, 0.0999, 0.10, 0.25, 0.2501, 3.0)
    assert [psi_band(v) for v in values] == [STABLE, STABLE, MONITOR, MONITOR, ACT, ACT]
    with pytest.raises(ValueError):
        psi_band(float("nan"))
    with pytest.raises(ValueError):
        psi(np.arange(10.0), np.array([]))


# --- columns compared --------------------------------------------------------------------------


def test_drift_columns_are_the_top_features_then_application_then_key_columns(bundle):
    config = DriftConfig()
    columns = drift_columns(bundle, config)
    shipped = bundle.manifest.metrics.variants[bundle.manifest.variant]
    ranked = [i.feature for i in shipped.top_importance]
    top = [c for c, s in columns.items() if s == "top feature"]
    assert top == ranked[: config.top_features]
    sources = list(columns.values())
    assert sources == sorted(sources, key=["top feature", "application", "key column"].index)
    assert sources.count("application") <= config.application_columns
    assert set(config.key_columns) <= set(columns)
    assert len(columns) <= config.top_features + config.application_columns + len(config.key_columns)
    assert set(columns) <= set(bundle.reference().columns)


# --- real data ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def demo_drift(bundle, demo_tables):
    """The 5,000 application_test clients against the training reference, default settings."""
    return run_drift(bundle, drift_frame(bundle, demo_tables))


@pytest.mark.slow
def test_application_test_against_the_training_reference(bundle, demo_drift):
    s = demo_drift.summary
    json.dumps(s, allow_nan=False)  # JSON-ready, no NaN
    assert s["bundle_id"] == bundle.id and s["rows"]["current"] == 5000
    assert s["rows"]["reference"] == min(s["rows"]["reference_available"], DriftConfig().reference_rows)
    assert s["n_compared"] == len(s["columns"]) == len(drift_columns(bundle)) and not s["not_compared"]
    for column in s["columns"]:
        assert column["status"] in ("SUCCESS", "FAIL") and column["drifted"] == (column["status"] == "FAIL")
        assert column["method"] and column["score"] is not None
    assert s["drifted_columns"] == [c["column"] for c in s["columns"] if c["drifted"]]
    assert s["n_drifted"] == len(s["drifted_columns"])
    assert s["drift_share"] == pytest.approx(s["n_drifted"] / s["n_compared"])
    assert s["dataset_drift"] == (s["drift_share"] >= s["drift_share_threshold"])
    # Plausibility: the Kaggle test clients come from the same lender and period as the training ones.
    assert not s["dataset_drift"]
    score = s["score"]
    assert score["available"] and score["band"] in (STABLE, MONITOR)
    assert 0.5 < score["approval_rate"]["reference"] < 1 and 0.5 < score["approval_rate"]["current"] < 1
    assert abs(score["current"]["mean"] - score["reference"]["mean"]) < 0.03
    top = [c for c, source in drift_columns(bundle).items() if source == "top feature"]
    assert [p["feature"] for p in s["psi"]["features"]] == top


@pytest.mark.slow
def test_html_report_is_self_contained(demo_drift, tmp_path):
    path = demo_drift.write_html(tmp_path / "drift.html")
    page = path.read_text("utf-8")
    assert path.stat().st_size < 10_000_000
    assert EXTERNAL_ASSET.search('<script src="https://cdn.plot.ly/plotly.js">')  # the check can fail
    assert EXTERNAL_ASSET.search("<link rel='stylesheet' href='https://x.org/a.css'>")
    assert not EXTERNAL_ASSET.search(page)
    assert not EXTERNAL_CSS.search(page) and "<iframe" not in page
    assert "window.drawDashboard" in page  # Evidently's viewer, inlined
    assert "Data drift of the batch" in page and "top feature" in page


# --- known shifts ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def resample(bundle):
    """A resample with replacement of the reference: same population, other rows."""
    reference = bundle.reference()
    return reference.sample(n=reference.height, with_replacement=True, seed=7)


def _shifted(frame: pl.DataFrame) -> pl.DataFrame:
    new_type = pl.int_range(pl.len()) % 3 == 0  # one client in three
    return frame.with_columns(
        pl.col("AMT_INCOME_TOTAL") * 1.3,
        pl.col("EXT_SOURCE_3") + 0.15,
        pl.when(new_type)
        .then(pl.lit(NEW_INCOME_TYPE))
        .otherwise(pl.col("NAME_INCOME_TYPE"))
        .alias("NAME_INCOME_TYPE"),
    )


def test_known_shifts_are_flagged_on_exactly_the_shifted_columns(bundle, resample):
    config = replace(MEDIUM, key_columns=(*MEDIUM.key_columns, *SHIFTED))
    s = run_drift(bundle, _shifted(resample), config=config).summary
    assert set(SHIFTED) <= {c["column"] for c in s["columns"]}
    assert sorted(s["drifted_columns"]) == sorted(SHIFTED)
    psi_by_feature = {p["feature"]: p["band"] for p in s["psi"]["features"]}
    if "EXT_SOURCE_3" in psi_by_feature:
        assert psi_by_feature["EXT_SOURCE_3"] == ACT


def test_an_unshifted_resample_is_not_flagged(bundle, resample):
    s = run_drift(bundle, resample, config=MEDIUM).summary
    assert s["drifted_columns"] == [] and not s["dataset_drift"]
    assert all(p["band"] == STABLE for p in s["psi"]["features"])


# --- bad input ---------------------------------------------------------------------------------


def test_a_batch_without_the_model_columns_is_refused_in_words(bundle):
    with pytest.raises(DriftError, match="none of the"):
        run_drift(bundle, pl.DataFrame({"SK_ID_CURR": [1, 2], "SOMETHING": [1.0, 2.0]}), config=SMALL)
    with pytest.raises(DriftError, match="no client"):
        run_drift(bundle, pl.DataFrame({"SK_ID_CURR": []}, schema={"SK_ID_CURR": pl.Int64}), config=SMALL)


def test_a_batch_of_one_client_gives_a_result_with_a_warning(bundle, resample):
    s = run_drift(bundle, resample.head(1), config=SMALL).summary
    assert s["rows"]["current"] == 1 and s["n_compared"] > 0
    assert s["score"]["available"] and s["warnings"] == [{"code": "few_rows", "rows": 1, "minimum": 100}]
    assert describe(s["warnings"][0], "fr") == ("Seulement 1 client dans le lot : les tests de dérive et le PSI disent "
                                                "peu de chose en dessous de 100 clients.")
    assert describe(s["warnings"][0], "en").startswith("Only 1 client in the batch:")
    json.dumps(s, allow_nan=False)


def test_all_missing_columns_are_listed_not_tested(bundle, resample):
    columns = list(drift_columns(bundle, SMALL))
    empty = columns[:2]
    batch = resample.with_columns(pl.lit(None, dtype=resample[c].dtype).alias(c) for c in empty)
    s = run_drift(bundle, batch, config=SMALL).summary
    assert s["not_compared"] == [{"column": c, "code": "missing_in_batch"} for c in empty]
    assert describe(s["not_compared"][0], "fr") == "manquante pour tous les clients du lot"
    assert {c["column"] for c in s["columns"]} == set(columns) - set(empty)
    bands = {p["feature"]: p["band"] for p in s["psi"]["features"]}
    assert all(bands[c] == ACT for c in empty if c in bands)


def test_partial_batches_and_inconsistent_input_are_explained(bundle, resample):
    columns = list(drift_columns(bundle, SMALL))
    partial = run_drift(bundle, resample.select("SK_ID_CURR", *columns[1:]), config=SMALL).summary
    assert partial["not_compared"] == [{"column": columns[0], "code": "absent"}]
    assert describe(partial["not_compared"][0], "en") == "absent from the batch"
    score = partial["score"]
    assert not score["available"] and score["code"] == "features_absent" and score["missing"] > 1
    assert score["example"] in bundle.feature_names and score["example"] not in columns[1:]
    assert describe(score, "fr") == f"{score['missing']} variables du modèle absentes du lot (par exemple {score['example']}) : pas de PD"
    with pytest.raises(DriftError, match="PDs given"):
        run_drift(bundle, resample, current_pd=np.zeros(3), config=SMALL)
    numeric = next(c for c in columns if resample[c].dtype != pl.String)
    text = resample.with_columns(pl.lit("n/a").alias(numeric))
    with pytest.raises(DriftError, match=numeric):
        run_drift(bundle, text, config=SMALL)


# --- the batch's PD: stored or scored, one path --------------------------------------------------


def test_the_stored_pd_serves_when_this_bundle_made_it_else_the_batch_is_scored(bundle, scorer, small_tables):
    current, supplied = drift_frame(bundle, small_tables), frozenset(small_tables)
    model = bundle.model_for(supplied)
    given = np.linspace(0.01, 0.5, current.height)
    stored = pl.DataFrame({"SK_ID_CURR": current["SK_ID_CURR"], "PD": given}).reverse()  # any row order
    mine = stored.with_columns(BUNDLE=pl.lit(bundle.id), MODEL=pl.lit(model.name))
    assert batch_pd(bundle, current, supplied, mine) == pytest.approx(given)
    scored = scorer.pd(current, supplied)
    for other in (mine.with_columns(BUNDLE=pl.lit("another bundle")), mine.with_columns(MODEL=pl.lit("other")),
                  mine.head(3), None):
        assert batch_pd(bundle, current, supplied, other) == pytest.approx(scored)
    assert batch_pd(bundle, current.drop(bundle.feature_names[0]), supplied, None) is None


def test_pd_histogram_shares_sum_to_one_over_equal_bins():
    rng = np.random.default_rng(3)
    found = pd_histogram(rng.beta(1, 9, 2000), rng.beta(1, 6, 500), bins=12)
    edges = np.array(found["edges"])
    assert edges.size == 13 and edges[0] == 0 and np.allclose(np.diff(edges), edges[1] - edges[0], atol=1e-6)
    assert sum(found["reference"]) == pytest.approx(1.0) and sum(found["current"]) == pytest.approx(1.0)
    assert sum(found["current"][6:]) > sum(found["reference"][6:])  # the batch's PDs are higher
