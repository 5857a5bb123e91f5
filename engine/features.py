"""Model features: one row per applicant (SK_ID_CURR) from the seven Home Credit tables.

Feature families (names upper-case, LightGBM-safe; see :mod:`engine.families`):

- application: raw numeric columns; ratios DAYS_EMPLOYED_PERC, INCOME_CREDIT_PERC,
  INCOME_PER_PERSON, ANNUITY_INCOME_PERC, CREDIT_GOODS_PERC, ANNUITY_GOODS_PERC...;
  AGE_YEARS, EMPLOYED_YEARS; EXT_SOURCES_MEAN/MIN/MAX/STD/PROD/WEIGHTED_SUM/WEIGHTED_MEAN/NULL_COUNT;
  DOCUMENT_COUNT; categories one-hot (``COLUMN_LEVEL``) or, for two-level columns without nulls,
  one 0/1 column ``COLUMN_LEVEL`` (null for a null or unseen value).
- BURO_ / ACTIVE_ / CLOSED_: bureau credits (with their bureau_balance months and STATUS
  shares per credit) aggregated per client, over all, active and closed credits.
- PREV_ / APPROVED_ / REFUSED_: previous applications (APP_CREDIT_PERC included).
- POS_: POS/cash monthly balances. INSTAL_: instalments (PAYMENT_PERC, PAYMENT_DIFF, DPD and
  DBD clipped at 0). CC_: credit-card monthly balances (min/max/mean/sum/var of every column).
- Category shares ``PREFIX_COLUMN_LEVEL_MEAN``; row counts ``PREFIX_COUNT``.

Missing data: every table but application is optional. A table not supplied (None or absent key)
gives null for all its features. A supplied table (even empty) gives, for a client without rows
in it (or in a scope), 0 for the ``*_COUNT`` features and null for the others. Ratios with a zero
denominator are null. Category values unseen at fit give zeros on that column's one-hot features
(a null value has its own level when nulls were seen at fit).

Output: ``SK_ID_CURR`` (Int64) then :attr:`FeaturePipeline.feature_names`, all Float32, in the
order of the application rows. With ``drop_constant`` (the default), features constant or
all-null on the fit data are dropped at fit.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Collection, Mapping
from typing import Any

import polars as pl

from engine.aggregations import KEY, NULL_LEVEL, Frame, Levels, clean, prepare, require_keys, with_balance
from engine.families import Block, all_blocks
from engine.feature_spec import FeatureSpec
from engine.schema import TABLE_NAMES, tables

log = logging.getLogger(__name__)

#: Bump whenever the features computed for the same data change.
PIPELINE_VERSION = "3"

TableInput = pl.DataFrame | pl.LazyFrame | None
#: Inputs that are all DataFrames with at most this many rows in all (a single client, a small
#: batch) run eagerly: the plan optimiser costs more than the work. Anything else is one lazy plan
#: on the streaming engine (faster and leaner than the in-memory one on the full Kaggle tables).
SMALL_INPUT_ROWS = 50_000


class NotFittedError(ValueError, AttributeError):
    """The pipeline was used before :meth:`FeaturePipeline.fit` (same bases as sklearn's)."""


def as_frames(tables_in: Mapping[str, TableInput]) -> dict[str, Frame | None]:
    """Every known table (None where absent or without any column): all DataFrames for a small
    eager input, else all LazyFrames."""
    unknown = set(tables_in) - set(TABLE_NAMES)
    if unknown:
        log.warning("ignoring unknown tables %s", sorted(unknown))
    given = {name: tables_in.get(name) for name in TABLE_NAMES}
    given = {
        name: frame if frame is not None and frame.collect_schema().len() else None
        for name, frame in given.items()
    }
    if given["application"] is None:
        raise ValueError("the application table is required")
    supplied = [frame for frame in given.values() if frame is not None]
    eager = (
        all(isinstance(f, pl.DataFrame) for f in supplied)
        and sum(f.height for f in supplied) <= SMALL_INPUT_ROWS
    )
    return {name: frame if frame is None or eager else frame.lazy() for name, frame in given.items()}


def _materialise(frame: Frame) -> Frame:
    """A lazy frame computed once (then reused lazily by several queries); eager ones as is."""
    return frame if isinstance(frame, pl.DataFrame) else frame.collect(engine="streaming").lazy()


def learn_levels(frames: Mapping[str, Frame | None]) -> dict[str, dict[str, list[str]]]:
    """Sorted category levels of every text column, null as NULL_LEVEL (last) where present."""
    queries: dict[str, Frame] = {}
    for name, frame in frames.items():
        columns = [c.name for c in tables()[name].columns.values() if c.kind == "str"]
        if frame is not None and columns:
            queries[name] = clean(frame, name).select(pl.col(c).unique().implode() for c in columns)
    lazy = [query for query in queries.values() if isinstance(query, pl.LazyFrame)]
    results = iter(pl.collect_all(lazy, engine="streaming") if lazy else [])
    levels: dict[str, dict[str, list[str]]] = {}
    for name, query in queries.items():
        result = query if isinstance(query, pl.DataFrame) else next(results)
        levels[name] = {}
        for column, values in result.row(0, named=True).items():
            known = sorted(v for v in values if v is not None)
            levels[name][column] = known + [NULL_LEVEL] if None in values else known
    return levels


class Plan:
    """The fitted feature blocks, evaluated on a set of tables."""

    def __init__(self, levels: Levels, blocks: list[Block]) -> None:
        self.levels = levels
        self.blocks = blocks

    @property
    def names(self) -> list[str]:
        return [name for block in self.blocks for name in block.names]

    def features(self, frames: Mapping[str, Frame | None]) -> pl.DataFrame:
        """SK_ID_CURR and every block's Float32 features side by side, aligned on the application
        rows. For LazyFrames each table is read once: the application first (its keys restrict the
        history), then one table at a time, materialised only when several blocks share it.

        Eager (small) inputs cost mostly per-operation overhead, so blocks are joined as Series and
        cast to Float32 once at the end; lazy (large) ones cast each block as it is computed."""
        application, *aggregated = self.blocks
        rows = clean(frames["application"], "application", self.levels.get("application"))
        app = _collect_float32(rows.select(pl.col(KEY).cast(pl.Int64), *(e for _, e in application.pairs)))
        keys = app.select(KEY)
        columns, counts = app.get_columns()[1:], []
        for source in dict.fromkeys(block.source for block in aggregated):
            blocks = [block for block in aggregated if block.source == source and block.pairs]
            frame = frames.get(source)
            if frame is None:
                columns += [c for b in blocks for c in keys.with_columns(b.null_columns).get_columns()[1:]]
                continue
            if not blocks:
                require_keys(frame, source)
                continue
            ready = prepare(source, frame, self.levels, keys.to_series())
            if source == "bureau":
                ready = with_balance(_materialise(ready), frames.get("bureau_balance"), self.levels)
            if len(blocks) > 1:
                ready = _materialise(ready)
            for block in blocks:
                scoped = ready if block.where is None else ready.filter(block.where)
                grouped = _collect_float32(scoped.group_by(KEY).agg(expr for _, expr in block.pairs))
                joined = keys.join(grouped, on=KEY, how="left", maintain_order="left")
                columns += joined.get_columns()[1:]
                counts += block.counts
        features = pl.DataFrame(columns).cast(pl.Float32).with_columns(pl.col(counts).fill_null(0))
        return features.insert_column(0, keys.to_series())


def _collect_float32(frame: Frame) -> pl.DataFrame:
    """An eager frame as is; a lazy one computed with its non-key columns as Float32 (early, to
    keep the memory of the full Kaggle tables low)."""
    if isinstance(frame, pl.DataFrame):
        return frame
    return frame.with_columns(pl.exclude(KEY).cast(pl.Float32)).collect(engine="streaming")


class FeaturePipeline:
    """Fitted feature computation (category levels and feature list), sklearn-like."""

    def __init__(self, drop_constant: bool = True) -> None:
        self.drop_constant = drop_constant
        self.levels: dict[str, dict[str, list[str]]] = {}
        self.feature_names: list[str] = []
        self.specs: dict[str, FeatureSpec] = {}
        self._plan: Plan | None = None

    def fit(self, tables_in: Mapping[str, TableInput]) -> FeaturePipeline:
        """Learn the category levels and the feature list from training tables."""
        self.fit_transform(tables_in)
        return self

    def fit_transform(self, tables_in: Mapping[str, TableInput]) -> pl.DataFrame:
        """Fit, then return the features of the same tables (computed once)."""
        start = time.perf_counter()
        frames = as_frames(tables_in)
        levels = learn_levels(frames)
        plan = Plan(levels, all_blocks(levels))
        full = plan.features(frames)
        names = plan.names
        kept = _informative(full, names) if self.drop_constant else names
        self._set_state(levels, kept, plan.blocks)
        log.info(
            "features fitted on %d rows: %d kept, %d constant dropped (%.2f s)",
            full.height,
            len(kept),
            len(names) - len(kept),
            time.perf_counter() - start,
        )
        return full.select(KEY, *kept)

    def without(self, columns: Collection[str]) -> FeaturePipeline:
        """The same fitted pipeline minus every feature built from the raw ``columns`` (their
        levels included), e.g. protected attributes that must not be model inputs."""
        if self._plan is None:
            raise NotFittedError("FeaturePipeline is not fitted: nothing to remove features from")
        unknown = unknown_columns(columns)
        if unknown:
            raise ValueError(f"cannot exclude {', '.join(unknown)}: no table has such a column")
        levels = {t: {c: v for c, v in cols.items() if c not in columns} for t, cols in self.levels.items()}
        names = [name for name in self.feature_names if self.specs[name].column not in columns]
        pipeline = FeaturePipeline(self.drop_constant)
        pipeline._set_state(levels, names, all_blocks(levels))
        return pipeline

    def transform(self, tables_in: Mapping[str, TableInput]) -> pl.DataFrame:
        """Features of the application rows: SK_ID_CURR then :attr:`feature_names` (Float32)."""
        if self._plan is None:
            raise NotFittedError("FeaturePipeline is not fitted: call fit() or from_dict() first")
        return self._plan.features(as_frames(tables_in))

    def to_dict(self) -> dict[str, Any]:
        """JSON-serialisable fitted state."""
        if self._plan is None:
            raise NotFittedError("FeaturePipeline is not fitted: nothing to save")
        return {
            "version": PIPELINE_VERSION,
            "drop_constant": self.drop_constant,
            "levels": self.levels,
            "feature_names": list(self.feature_names),
        }

    @classmethod
    def from_dict(cls, state: Mapping[str, Any]) -> FeaturePipeline:
        """Rebuild a fitted pipeline from :meth:`to_dict` output of the same PIPELINE_VERSION."""
        version = state.get("version")
        if version != PIPELINE_VERSION:
            raise ValueError(
                f"feature pipeline state has version {version!r}, this code computes version "
                f"{PIPELINE_VERSION!r}: refit the pipeline (and the model) with this version"
            )
        pipeline = cls(drop_constant=bool(state["drop_constant"]))
        levels = {t: {c: list(v) for c, v in cols.items()} for t, cols in state["levels"].items()}
        blocks = all_blocks(levels)
        known = {name for block in blocks for name in block.names}
        unknown = [name for name in state["feature_names"] if name not in known]
        if unknown:
            raise ValueError(f"feature pipeline state names features this code cannot compute: {unknown[:5]}")
        pipeline._set_state(levels, list(state["feature_names"]), blocks)
        return pipeline

    def _set_state(
        self, levels: dict[str, dict[str, list[str]]], names: list[str], blocks: list[Block]
    ) -> None:
        keep = set(names)
        self._plan = Plan(levels, [block.keep(keep) for block in blocks])
        self.levels = levels
        self.feature_names = self._plan.names
        self.specs = {spec.name: spec for block in self._plan.blocks for spec, _ in block.pairs}


def unknown_columns(columns: Collection[str]) -> list[str]:
    """The names in ``columns`` that are no column of any table, sorted."""
    known = {name for spec in tables().values() for name in spec.columns}
    return sorted(set(columns) - known)


def _informative(frame: pl.DataFrame, names: list[str]) -> list[str]:
    """Names of the columns that are neither all-null nor one constant value."""
    stats = frame.select(
        pl.col(names).null_count().name.suffix("#nulls"),
        pl.col(names).min().name.suffix("#min"),
        pl.col(names).max().name.suffix("#max"),
    ).row(0, named=True)
    return [
        name
        for name in names
        if stats[f"{name}#nulls"] < frame.height
        and not (stats[f"{name}#nulls"] == 0 and stats[f"{name}#min"] == stats[f"{name}#max"])
    ]
