"""Evidently's side of a drift: the per-column tests, the dataset verdict and the HTML page.

Evidently 0.7 ``Report`` + ``DataDriftPreset`` picks each column's method (Wasserstein distance or
Jensen-Shannon above 1,000 reference rows, Kolmogorov-Smirnov or chi-square / Z below); a column is
*drifted* when Evidently's test fails, never by reading the score (a distance for some methods, a
p-value for others). The batch has *dataset drift* when Evidently's test on the share of drifted
columns fails (share ≥ ``drift_share``). Evidently is imported only when a drift is computed.
"""

from __future__ import annotations

import math

import polars as pl

from engine.drift.inputs import DriftError, kind

#: Evidently's metric types in the snapshot's dict: one per column, and the share of drifted columns.
VALUE_DRIFT = "evidently:metric_v2:ValueDrift"
DRIFTED_COLUMNS = "evidently:metric_v2:DriftedColumnsCount"
#: Evidently writes the values into its page's inline script as JSON, where ``</script>`` in a value
#: would end the script: angle brackets in text values become look-alike guillemets before it sees them.
MARKUP_LOOKALIKES = {"<": "\u2039", ">": "\u203a"}


def without_markup(frame: pl.DataFrame) -> pl.DataFrame:
    """``frame`` with the angle brackets of its text columns replaced by look-alikes (‹ ›)."""
    text = [c for c, dtype in frame.schema.items() if dtype == pl.String]
    return frame.with_columns(
        pl.col(text).str.replace_many(list(MARKUP_LOOKALIKES), list(MARKUP_LOOKALIKES.values()))
    )


def _pandas(frame: pl.DataFrame):
    """A pandas copy of ``frame`` made through NumPy: no pyarrow needed (the packaged app leaves it out)."""
    import pandas as pd

    return pd.DataFrame({name: frame[name].to_numpy() for name in frame.columns})


def snapshot(reference: pl.DataFrame, current: pl.DataFrame, columns: list[str], drift_share: float):
    """Evidently's snapshot of ``DataDriftPreset`` on ``columns`` (text columns as categories)."""
    from evidently import DataDefinition, Dataset, Report
    from evidently.presets import DataDriftPreset

    categorical = [c for c in columns if kind(reference, c) == "categorical"]
    definition = DataDefinition(
        numerical_columns=[c for c in columns if c not in categorical], categorical_columns=categorical
    )
    cur, ref = (
        Dataset.from_pandas(_pandas(without_markup(frame.select(columns))), data_definition=definition)
        for frame in (current, reference)
    )
    report = Report([DataDriftPreset(columns=columns, drift_share=drift_share)], include_tests=True)
    try:
        return report.run(cur, ref)
    except Exception as exc:  # noqa: BLE001 - a third-party failure becomes a message, not a traceback
        raise DriftError("evidently_failed", detail=str(exc)) from exc


def column_tests(found: dict) -> dict[str, dict]:
    """Per column (from the snapshot's dict): Evidently's method, threshold, score, test status and
    drifted (= the test failed)."""
    status = {t["metric_config"]["metric_id"]: _status(t) for t in found["tests"]}
    out = {}
    for metric in found["metrics"]:
        config = metric.get("config", {})
        if config.get("type") == VALUE_DRIFT:
            out[config["column"]] = {
                "method": config["method"],
                "threshold": json_number(config["threshold"]),
                "score": json_number(metric["value"]),
                "status": status[metric["id"]],
                "drifted": status[metric["id"]] == "FAIL",
            }
    return out


def _status(test: dict) -> str:
    """A test status as plain text: SUCCESS, FAIL, WARNING, ERROR or SKIPPED."""
    return str(getattr(test["status"], "value", test["status"]))


def dataset_drift(found: dict, tests: dict[str, dict], drift_share: float) -> dict:
    """Count and share of drifted columns and Evidently's verdict on the share (test failed = drift)."""
    share_metric = next(m for m in found["metrics"] if m.get("config", {}).get("type") == DRIFTED_COLUMNS)
    share_test = next(t for t in found["tests"] if t["metric_config"]["metric_id"] == share_metric["id"])
    drifted = [c for c, t in tests.items() if t["drifted"]]
    return {
        "drifted_columns": drifted,
        "n_compared": len(tests),
        "n_drifted": int(share_metric["value"]["count"]),
        "drift_share": json_number(share_metric["value"]["share"]),
        "drift_share_threshold": drift_share,
        "dataset_drift": _status(share_test) == "FAIL",
    }


def json_number(value) -> float | None:
    """A JSON-safe float (None for NaN or infinity)."""
    value = float(value)
    return value if math.isfinite(value) else None


def page(found_snapshot, header: str) -> str:
    """Evidently's standalone page (its JS and font are inlined) with ``header`` (HTML) on top."""
    return found_snapshot.get_html_str(as_iframe=False).replace("<body>", "<body>\n" + header, 1)
