"""Data drift of a batch of clients against the bundle's reference sample.

Two views, both in one JSON-ready summary and one self-contained HTML page:

* **Evidently** (0.7 ``Report`` + ``DataDriftPreset``): a per-column test (Evidently picks the
  method: Wasserstein distance or Jensen-Shannon above 1,000 reference rows, Kolmogorov-Smirnov or
  chi-square / Z below); a column is *drifted* when Evidently's test fails, never by reading the
  score (a distance for some methods, a p-value for others). The batch has *dataset drift* when
  Evidently's test on the share of drifted columns fails (share ≥ ``drift_share``).
* **Banking PSI** (:mod:`engine.psi`): of the model's PD and of each top feature, with bands, the
  shift of the PD distribution and of the approval rate at the bundle's threshold.

Bounded cost: Evidently's time grows with the columns (most of it is building Plotly figures), so
only the columns that matter are compared (:func:`drift_columns`: the model's top features by
importance plus the raw application columns the model uses most, text columns as categories),
and the reference sample is capped at ``reference_rows``. Both are stated in the summary and in
the HTML page.

The batch is scored by the bundle's model matching the tables it **supplied** (``engine.coverage``):
features of the tables it did not supply are unknown, not drifted. They are listed under
``not_supplied``, left out of Evidently's tests (so of the drift share) and given the band
``not supplied`` instead of a PSI; the score's PSI and the approval rate compare the batch with the
reference PD of that model, at that model's threshold. Other columns absent from the batch, or
missing in every row of it, are not tested by Evidently either: they are listed under
``not_compared`` with the reason (their PSI, when they are top features, puts all-missing columns
in the "act" band). Evidently is imported only when a drift is computed.
"""

from __future__ import annotations

import json
import logging
import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import polars as pl

from engine.bundle import REFERENCE_FILE, Bundle
from engine.psi import ACT_ABOVE, MONITOR_FROM, psi, psi_band
from engine.schema import APPLICATION_REQUIRED, TABLE_NAMES, tables
from engine.scoring import Scorer
from engine.templates import render

log = logging.getLogger(__name__)

KEY = "SK_ID_CURR"
PD = "PD"
QUANTILES = (0.05, 0.25, 0.5, 0.75, 0.95)
#: Below this many clients the summary warns that the tests say little.
MIN_ROWS = 100
#: Bins of the PD histograms (equal width, from 0 to the 99.5th percentile of both samples).
HISTOGRAM_BINS = 30
#: The application amounts and age every client must have (``engine.schema.APPLICATION_REQUIRED``).
KEY_COLUMNS = tuple(c for c in APPLICATION_REQUIRED if c != KEY)
TOP_FEATURE, APPLICATION, KEY_COLUMN = "top feature", "application", "key column"
#: The PSI band of a feature whose table the batch did not supply (no PSI: the values are unknown).
NOT_SUPPLIED = "not_supplied"
#: Evidently's metric types in the snapshot's dict: one per column, and the share of drifted columns.
VALUE_DRIFT = "evidently:metric_v2:ValueDrift"
DRIFTED_COLUMNS = "evidently:metric_v2:DriftedColumnsCount"


#: Why a column supplied by the batch is not tested, by code.
NOT_COMPARED = {
    "absent": "absent from the batch",
    "missing_in_batch": "missing for every client of the batch",
    "missing_in_reference": "missing for every client of the reference",
}


class DriftError(ValueError):
    """A batch that cannot be compared with the reference, with the reason in plain words."""


@dataclass(frozen=True)
class DriftConfig:
    """What is compared and how (recorded in the summary)."""

    top_features: int = 30  # model features with the largest gain
    application_columns: int = 15  # raw application columns the model uses most (total gain)
    key_columns: tuple[str, ...] = KEY_COLUMNS  # always compared (when the reference holds them)
    reference_rows: int = 20_000  # cap on the reference sample (seeded random subset)
    drift_share: float = 0.5  # dataset drift when at least this share of columns drifted
    psi_bins: int = 10  # reference quantile bins for the PSI
    seed: int = 0

    def __post_init__(self) -> None:
        if min(self.top_features, self.application_columns) < 0 or self.reference_rows < 1:
            raise ValueError(f"invalid drift settings: {self}")
        if self.psi_bins < 2:
            raise ValueError(f"psi_bins must be at least 2, not {self.psi_bins}")
        if not 0 < self.drift_share <= 1:
            raise ValueError(f"drift_share must be in (0, 1], not {self.drift_share}")


@dataclass
class DriftResult:
    """The JSON-ready summary, the self-contained HTML page (Evidently report + PSI header) and the
    PD histograms of the reference and the batch (:func:`pd_histogram`; empty without a PD)."""

    summary: dict
    html: str
    histogram: dict = field(default_factory=dict)

    def json(self) -> str:
        return json.dumps(self.summary, ensure_ascii=False)

    def write_html(self, path: Path | str) -> Path:
        path = Path(path)
        path.write_text(self.html, "utf-8")
        return path


def top_features(bundle: Bundle, n: int) -> list[str]:
    """The ``n`` features of largest gain: the training report's ranking (mean gain over the CV
    folds, 30 at most), continued with the shipped booster's own gain."""
    ranked = bundle.manifest.metrics.top_features()
    gain = bundle.booster.feature_importance("gain")
    ranked += [bundle.feature_names[i] for i in np.argsort(-gain, kind="stable") if gain[i] > 0]
    return list(dict.fromkeys(ranked))[:n]


def application_columns(bundle: Bundle, n: int) -> list[str]:
    """The ``n`` raw application columns of largest total gain in the shipped booster (the column's
    own feature plus its one-hot levels); columns the model never splits on are left out."""
    raw = tables()["application"].columns
    gain: dict[str, float] = {}
    for name, g in zip(bundle.feature_names, bundle.booster.feature_importance("gain")):
        spec = bundle.pipeline.specs[name]
        if g > 0 and spec.table == "application" and spec.agg is None and spec.column in raw:
            gain[spec.column] = gain.get(spec.column, 0.0) + float(g)
    return sorted(gain, key=lambda c: -gain[c])[:n]


def drift_columns(bundle: Bundle, config: DriftConfig = DriftConfig()) -> dict[str, str]:
    """Columns compared, each with why (top feature, application column, key column), in that
    order, duplicates and columns the reference sample lacks left out."""
    held = set(pl.read_parquet_schema(bundle.path / REFERENCE_FILE))
    found: dict[str, str] = {}
    for source, names in (
        (TOP_FEATURE, top_features(bundle, config.top_features)),
        (APPLICATION, application_columns(bundle, config.application_columns)),
        (KEY_COLUMN, config.key_columns),
    ):
        found.update({c: source for c in names if c in held and c not in found})
    return found


def drift_frame(bundle: Bundle, tables_in: Mapping[str, pl.DataFrame | None]) -> pl.DataFrame:
    """What :func:`run_drift` compares, from raw tables: ``SK_ID_CURR``, the model's features and
    the application's text columns (the categories behind the one-hot features)."""
    application = tables_in["application"]
    text = [c for c, t in application.schema.items() if t == pl.String]
    return bundle.pipeline.transform(tables_in).join(application.select(KEY, *text), on=KEY, how="left")


def column_table(bundle: Bundle, column: str) -> str:
    """The table a compared column comes from (a raw application column when not a model feature)."""
    spec = bundle.pipeline.specs.get(column)
    return "application" if spec is None else spec.table


def run_drift(
    bundle: Bundle,
    current: pl.DataFrame,
    current_pd: np.ndarray | None = None,
    config: DriftConfig = DriftConfig(),
    progress: Callable[[str], None] = log.info,
    supplied: Iterable[str] | None = None,
    stored: pl.DataFrame | None = None,
) -> DriftResult:
    """Drift of a batch (``SK_ID_CURR``, the model's features and the raw application text columns,
    as the pipeline and the reader give them) against the bundle's reference sample.

    ``supplied``: the tables the batch supplied (default: every table); the columns of the others are
    reported as not supplied, and the PD is compared with the reference of the model that scores such
    a batch. ``current_pd``: the batch's calibrated PD in row order; when omitted, :func:`batch_pd`
    gives it (the PD ``stored`` with the batch if this bundle's model made all of it, else scored here,
    once). Raises :class:`DriftError` for a batch that cannot be compared (no client, none of the
    compared columns, a column that does not convert, PD of another length).
    """
    if current.height == 0:
        raise DriftError("the batch has no client: nothing to compare")
    supplied = frozenset(TABLE_NAMES if supplied is None else supplied)
    model = bundle.model_for(supplied)
    sources = drift_columns(bundle, config)
    absent = [c for c in sources if column_table(bundle, c) not in supplied]
    columns = [c for c in sources if c not in absent]
    reference = _reference(bundle, [*columns, model.reference_pd], config).rename({model.reference_pd: PD})
    compared, not_compared = _split(reference, current, columns)
    if not compared:
        raise DriftError(
            f"the batch has none of the {len(columns)} columns compared for drift "
            f"(e.g. {', '.join(columns[:3])}): give the features computed by this model's pipeline"
        )
    batch = _aligned(current, reference, compared)
    if current_pd is None:
        current_pd = batch_pd(bundle, current, supplied, stored)
    score = _score_shift(bundle, model, reference, current, current_pd, config.psi_bins)
    progress(f"comparing {len(compared)} columns of {current.height:,} clients with {reference.height:,}")
    snapshot = _evidently(reference, batch, compared, config.drift_share)
    found = snapshot.dict()
    tests = _column_tests(found)
    top = [c for c, source in sources.items() if source == TOP_FEATURE and c in current.columns and c not in absent]
    summary = {
        "bundle_id": bundle.id,
        "model": model.name,
        "supplied": [name for name in TABLE_NAMES if name in supplied],
        "config": asdict(config),
        "rows": {
            "current": current.height,
            "reference": reference.height,
            "reference_available": _reference_rows(bundle),
        },
        "columns": [
            {"column": c, "source": sources[c], "kind": _kind(reference, c), **tests[c]} for c in compared
        ],
        "not_supplied": absent,
        "not_compared": not_compared,
        **_dataset_drift(found, tests, config.drift_share),
        "psi": {
            "bins": config.psi_bins,
            "bands": {"stable_below": MONITOR_FROM, "act_above": ACT_ABOVE},
            "features": _feature_psi(reference, current, top, config.psi_bins)
            + [{"feature": c, "psi": None, "band": NOT_SUPPLIED} for c in absent if sources[c] == TOP_FEATURE],
        },
        "score": score,
        "warnings": _warnings(current.height),
    }
    progress("rendering the drift report")
    histogram = {} if current_pd is None else pd_histogram(reference[PD].to_numpy(), np.asarray(current_pd, float))
    return DriftResult(summary, _html(snapshot, summary), histogram)


def batch_pd(
    bundle: Bundle, current: pl.DataFrame, supplied: Iterable[str], stored: pl.DataFrame | None = None
) -> np.ndarray | None:
    """The batch's calibrated PD in row order, by the bundle's model of the tables ``supplied``: the PD
    ``stored`` with it when that model of this bundle made every one, else scored now; None when the
    batch lacks model features (nothing to score)."""
    model = bundle.model_for(supplied)
    if stored is not None and stored.height == current.height:
        same = (stored["BUNDLE"] == bundle.id) & (stored["MODEL"] == model.name)
        if same.all():
            found = current.select(KEY).join(stored.select(KEY, PD), on=KEY, how="left")[PD]
            if found.null_count() == 0:
                return found.to_numpy()
    if not all(f in current.columns for f in bundle.feature_names):
        return None
    log.info("scoring the %d clients of the batch with bundle %s for the drift", current.height, bundle.id[:12])
    return Scorer(bundle).pd(current, supplied)


def pd_histogram(reference: np.ndarray, current: np.ndarray, bins: int = HISTOGRAM_BINS) -> dict:
    """Shares of the reference and the batch in equal-width PD bins (the last one open-ended)."""
    both = np.concatenate([reference, current])
    upper = float(np.quantile(both, 0.995)) or 1.0
    edges = np.linspace(0.0, upper, bins + 1)

    def shares(values: np.ndarray) -> list[float]:
        counts, _ = np.histogram(np.clip(values, 0.0, upper), bins=edges)
        return (counts / max(values.size, 1)).round(6).tolist()

    return {"edges": edges.round(6).tolist(), "reference": shares(reference), "current": shares(current)}


def _reference(bundle: Bundle, columns: list[str], config: DriftConfig) -> pl.DataFrame:
    frame = bundle.reference(columns)
    if frame.height > config.reference_rows:
        frame = frame.sample(n=config.reference_rows, seed=config.seed)
    return frame


def _reference_rows(bundle: Bundle) -> int:
    return pl.scan_parquet(bundle.path / REFERENCE_FILE).select(pl.len()).collect().item()


def _split(
    reference: pl.DataFrame, current: pl.DataFrame, columns: list[str]
) -> tuple[list[str], list[dict]]:
    """Columns Evidently can test, and the others with the reason (a code and its English words)."""
    compared, skipped = [], []
    for c in columns:
        if c not in current.columns:
            why = "absent"
        elif _all_missing(current[c]):
            why = "missing_in_batch"
        elif _all_missing(reference[c]):
            why = "missing_in_reference"
        else:
            why = None
        if why:
            skipped.append({"column": c, "code": why, "reason": NOT_COMPARED[why]})
        else:
            compared.append(c)
    return compared, skipped


def _all_missing(series: pl.Series) -> bool:
    """Null or NaN in every row."""
    nans = int(series.is_nan().sum()) if series.dtype.is_float() else 0
    return series.null_count() + nans == series.len()


def _aligned(current: pl.DataFrame, reference: pl.DataFrame, columns: list[str]) -> pl.DataFrame:
    """The batch's compared columns with the reference's types."""
    out = []
    for c in columns:
        try:
            series = current[c].cast(reference[c].dtype)
        except pl.exceptions.PolarsError as exc:
            message = f"column {c} of the batch does not convert to {reference[c].dtype}: {exc}"
            raise DriftError(message) from exc
        out.append(series)
    return pl.DataFrame(out)


def _kind(reference: pl.DataFrame, column: str) -> str:
    return "categorical" if reference[column].dtype == pl.String else "numerical"


def _pandas(frame: pl.DataFrame):
    """A pandas copy of ``frame`` made through NumPy: no pyarrow needed (the packaged app leaves it out)."""
    import pandas as pd

    return pd.DataFrame({name: frame[name].to_numpy() for name in frame.columns})


#: Evidently writes the values into its page's inline script as JSON, where ``</script>`` in a value
#: would end the script: angle brackets in text values become look-alike guillemets before it sees them.
MARKUP_LOOKALIKES = {"<": "\u2039", ">": "\u203a"}


def without_markup(frame: pl.DataFrame) -> pl.DataFrame:
    """``frame`` with the angle brackets of its text columns replaced by look-alikes (‹ ›)."""
    text = [c for c, dtype in frame.schema.items() if dtype == pl.String]
    return frame.with_columns(
        pl.col(text).str.replace_many(list(MARKUP_LOOKALIKES), list(MARKUP_LOOKALIKES.values()))
    )


def _evidently(reference: pl.DataFrame, current: pl.DataFrame, columns: list[str], drift_share: float):
    """Evidently's snapshot of ``DataDriftPreset`` on ``columns`` (text columns as categories)."""
    from evidently import DataDefinition, Dataset, Report
    from evidently.presets import DataDriftPreset

    categorical = [c for c in columns if _kind(reference, c) == "categorical"]
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
        raise DriftError(f"Evidently could not compare the batch with the reference: {exc}") from exc


def _column_tests(found: dict) -> dict[str, dict]:
    """Per column (from the snapshot's dict): Evidently's method, threshold, score, test status and
    drifted (= the test failed)."""
    status = {t["metric_config"]["metric_id"]: _status(t) for t in found["tests"]}
    out = {}
    for metric in found["metrics"]:
        config = metric.get("config", {})
        if config.get("type") == VALUE_DRIFT:
            out[config["column"]] = {
                "method": config["method"],
                "threshold": _number(config["threshold"]),
                "score": _number(metric["value"]),
                "status": status[metric["id"]],
                "drifted": status[metric["id"]] == "FAIL",
            }
    return out


def _status(test: dict) -> str:
    """A test status as plain text: SUCCESS, FAIL, WARNING, ERROR or SKIPPED."""
    return str(getattr(test["status"], "value", test["status"]))


def _dataset_drift(found: dict, tests: dict[str, dict], drift_share: float) -> dict:
    """Count and share of drifted columns and Evidently's verdict on the share (test failed = drift)."""
    share_metric = next(m for m in found["metrics"] if m.get("config", {}).get("type") == DRIFTED_COLUMNS)
    share_test = next(t for t in found["tests"] if t["metric_config"]["metric_id"] == share_metric["id"])
    drifted = [c for c, t in tests.items() if t["drifted"]]
    return {
        "drifted_columns": drifted,
        "n_compared": len(tests),
        "n_drifted": int(share_metric["value"]["count"]),
        "drift_share": _number(share_metric["value"]["share"]),
        "drift_share_threshold": drift_share,
        "dataset_drift": _status(share_test) == "FAIL",
    }


def _feature_psi(
    reference: pl.DataFrame, current: pl.DataFrame, features: list[str], bins: int
) -> list[dict]:
    out = []
    for f in features:
        value = psi(_floats(reference[f]), _floats(current[f]), bins)
        out.append({"feature": f, "psi": value, "band": psi_band(value)})
    return out


def _floats(series: pl.Series) -> np.ndarray:
    return series.cast(pl.Float64, strict=False).fill_null(float("nan")).to_numpy()


def _score_shift(
    bundle: Bundle, model, reference: pl.DataFrame, current: pl.DataFrame, current_pd: np.ndarray | None, bins: int
) -> dict:
    """PSI, quantiles and approval rate of the PD, reference (the out-of-fold PD of ``model``, the
    model that scores the batch) against the batch, at ``model``'s threshold."""
    if current_pd is None:
        missing = [f for f in bundle.feature_names if f not in current.columns]
        reason = f"{len(missing)} model features are absent from the batch (e.g. {missing[0]}): no PD"
        return {"available": False, "reason": reason}
    current_pd = np.asarray(current_pd, dtype=np.float64)
    if current_pd.shape != (current.height,):
        raise DriftError(f"{current_pd.size} PDs given for a batch of {current.height} clients")
    reference_pd = reference[PD].to_numpy()
    value = psi(reference_pd, current_pd, bins)
    ref_rate = _approval_rate(reference_pd, model.threshold)
    cur_rate = _approval_rate(current_pd, model.threshold)
    return {
        "available": True,
        "model": model.name,
        "psi": value,
        "band": psi_band(value),
        "reference": _distribution(reference_pd),
        "current": _distribution(current_pd),
        "approval_rate": {
            "threshold": model.threshold,
            "reference": ref_rate,
            "current": cur_rate,
            "change": cur_rate - ref_rate,
        },
    }


def _distribution(pd_: np.ndarray) -> dict:
    return {
        "mean": float(np.mean(pd_)),
        "quantiles": {f"p{round(q * 100)}": float(v) for q, v in zip(QUANTILES, np.quantile(pd_, QUANTILES))},
    }


def _approval_rate(pd_: np.ndarray, threshold: float) -> float:
    """Share accepted: PD below the threshold (the scorer refuses at or above it)."""
    return float(np.mean(pd_ < threshold))


def _warnings(rows: int) -> list[str]:
    if rows < MIN_ROWS:
        return [f"only {rows} client(s) in the batch: drift tests and PSI say little below {MIN_ROWS}"]
    return []


def _number(value) -> float | None:
    """A JSON-safe float (None for NaN or infinity)."""
    value = float(value)
    return value if math.isfinite(value) else None


def _html(snapshot, summary: dict) -> str:
    """Evidently's standalone page (its JS and font are inlined) with our summary on top."""
    page = snapshot.get_html_str(as_iframe=False)
    return page.replace("<body>", "<body>\n" + _header(summary), 1)


def _header(summary: dict) -> str:
    """Plain HTML block: what was compared, the verdict, the PD shift and the PSI table."""
    return render("drift_summary.html.j2", summary=summary, monitor_from=MONITOR_FROM, act_above=ACT_ABOVE)
