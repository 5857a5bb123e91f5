"""What a drift compares: the settings, the columns chosen, the reference sample, the batch's frame and PD.

Bounded cost: Evidently's time grows with the columns, so only the columns that matter are compared
(:func:`drift_columns`: the model's top features by importance plus the raw application columns the
model uses most, text columns as categories), and the reference sample is capped at
``reference_rows``. Columns absent from the batch, or missing in every row of the batch or of the
reference, are not tested: :func:`split_columns` gives them with a code (words in
``engine/drift_notes.json``).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np
import polars as pl

from engine.bundle import REFERENCE_FILE, Bundle
from engine.drift.notes import sentence
from engine.schema import APPLICATION_REQUIRED, tables
from engine.scoring import Scorer

log = logging.getLogger(__name__)

KEY = "SK_ID_CURR"
PD = "PD"
#: The application amounts and age every client must have (``engine.schema.APPLICATION_REQUIRED``).
KEY_COLUMNS = tuple(c for c in APPLICATION_REQUIRED if c != KEY)
TOP_FEATURE, APPLICATION, KEY_COLUMN = "top feature", "application", "key column"


class DriftError(ValueError):
    """A batch that cannot be compared with the reference: why as a code and its values (words in
    ``engine/drift_notes.json``), said in a language by :meth:`sentence`; its ``str`` is the English one."""

    def __init__(self, code: str, **params: object) -> None:
        self.code, self.params = code, params
        super().__init__(self.sentence("en"))

    def sentence(self, lang: str) -> str:
        return sentence(self.code, lang, **self.params)


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
    """What :func:`engine.drift.run_drift` compares, from raw tables: ``SK_ID_CURR``, the model's
    features and the application's text columns (the categories behind the one-hot features)."""
    application = tables_in["application"]
    text = [c for c, t in application.schema.items() if t == pl.String]
    return bundle.pipeline.transform(tables_in).join(application.select(KEY, *text), on=KEY, how="left")


def column_table(bundle: Bundle, column: str) -> str:
    """The table a compared column comes from (a raw application column when not a model feature)."""
    spec = bundle.pipeline.specs.get(column)
    return "application" if spec is None else spec.table


def reference_sample(bundle: Bundle, columns: list[str], config: DriftConfig) -> pl.DataFrame:
    """The reference's ``columns``, a seeded random subset of ``reference_rows`` at most."""
    frame = bundle.reference(columns)
    if frame.height > config.reference_rows:
        frame = frame.sample(n=config.reference_rows, seed=config.seed)
    return frame


def reference_rows(bundle: Bundle) -> int:
    """How many clients the bundle's reference holds."""
    return pl.scan_parquet(bundle.path / REFERENCE_FILE).select(pl.len()).collect().item()


def split_columns(
    reference: pl.DataFrame, current: pl.DataFrame, columns: list[str]
) -> tuple[list[str], list[dict]]:
    """Columns Evidently can test, and the others with the code of why not."""
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
            skipped.append({"column": c, "code": why})
        else:
            compared.append(c)
    return compared, skipped


def _all_missing(series: pl.Series) -> bool:
    """Null or NaN in every row."""
    nans = int(series.is_nan().sum()) if series.dtype.is_float() else 0
    return series.null_count() + nans == series.len()


def aligned(current: pl.DataFrame, reference: pl.DataFrame, columns: list[str]) -> pl.DataFrame:
    """The batch's compared columns with the reference's types."""
    out = []
    for c in columns:
        try:
            series = current[c].cast(reference[c].dtype)
        except pl.exceptions.PolarsError as exc:
            raise DriftError("column_not_convertible", name=c, kind=str(reference[c].dtype),
                             detail=str(exc).strip().split("\n", 1)[0]) from exc
        out.append(series)
    return pl.DataFrame(out)


def kind(reference: pl.DataFrame, column: str) -> str:
    """"categorical" for a text column, else "numerical"."""
    return "categorical" if reference[column].dtype == pl.String else "numerical"


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
