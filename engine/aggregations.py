"""Shared row preparation and naming of the feature families (:mod:`engine.families`).

Row preparation (:func:`clean`, :func:`prepare`, :func:`with_balance`): columns cast to the schema
types, absent non-key columns as nulls, ``DAYS_*`` 365243 -> null, ``CODE_GENDER`` 'XNA' -> null,
category text -> integer code of its learned level (null -> :data:`NULL_LEVEL` if that level was
seen at fit; unseen -> no level), derived row columns (ratios, days past due, bureau_balance per
credit). Also the key / frame types, LightGBM-safe name parts (:func:`safe_name`,
:func:`level_suffixes`) and the expressions over encoded rows: null-safe :func:`ratio`, category
:func:`share`, scope filter :func:`level_is`, :func:`is_binary` levels.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import lru_cache
from typing import TypeVar

import polars as pl

from engine.constants import DAYS_NOT_APPLICABLE
from engine.schema import tables

KEY = "SK_ID_CURR"
#: Level standing for a null category value (its own one-hot column when seen at fit).
NULL_LEVEL = "<missing>"

Levels = Mapping[str, Mapping[str, list[str]]]
#: Tables flow as LazyFrames (one plan, large inputs) or DataFrames (eager, small inputs).
Frame = TypeVar("Frame", pl.DataFrame, pl.LazyFrame)

#: Bureau row columns that come from bureau_balance (one value per bureau credit).
BALANCE_PER_CREDIT = ("MONTHS_BALANCE_MIN", "MONTHS_BALANCE_MAX", "MONTHS_BALANCE_SIZE")


def safe_name(text: str) -> str:
    """Upper-case name part with every run of non-alphanumerics as one ``_`` (LightGBM-safe)."""
    return re.sub(r"[^0-9A-Za-z]+", "_", text).strip("_").upper() or "EMPTY"


def level_suffixes(levels: list[str]) -> list[str]:
    """One distinct safe name per level, in level order (clashes get ``_2``, ``_3``...)."""
    used: set[str] = set()
    out = []
    for level in levels:
        base = name = safe_name(level)
        n = 1
        while name in used:
            n += 1
            name = f"{base}_{n}"
        used.add(name)
        out.append(name)
    return out


def ratio(numerator: pl.Expr, denominator: pl.Expr) -> pl.Expr:
    """``numerator / denominator``, null where the denominator is 0 or null (never inf/NaN)."""
    return pl.when(denominator != 0).then(numerator / denominator)


def share(column: str, code: int) -> pl.Expr:
    """Share of the group's rows whose encoded ``column`` is ``code`` (count / rows: fastest)."""
    return pl.col(column).eq_missing(code).sum() / pl.len()


def level_is(column: str, levels: Mapping[str, list[str]], level: str) -> pl.Expr:
    """Row filter ``column == level`` on an encoded column (False if the level is unknown)."""
    known = levels.get(column, [])
    return pl.col(column) == known.index(level) if level in known else pl.lit(False)


def is_binary(levels: list[str]) -> bool:
    """An application category with exactly two levels and no nulls at fit: one 0/1 column."""
    return len(levels) == 2 and NULL_LEVEL not in levels


# ---------------------------------------------------------------------------------- rows


def clean(frame: Frame, table: str, levels: Mapping[str, list[str]] | None = None) -> Frame:
    """Schema types, absent non-key columns as nulls, DAYS_* sentinel and 'XNA' gender as null;
    with ``levels``, each category column also replaced by the index of its level (unseen: null)."""
    schema = require_keys(frame, table)
    encoded = tuple((column, tuple(known)) for column, known in (levels or {}).items() if known)
    exprs = _clean_exprs(table, tuple(schema.items()), encoded)
    return frame.with_columns(exprs) if exprs else frame


def require_keys(frame: Frame, table: str) -> pl.Schema:
    """The frame's schema; ValueError if it lacks a key column of ``table``."""
    schema = frame.collect_schema()
    missing = [key for key in tables()[table].keys if key not in schema]
    if missing:
        raise ValueError(f"table {table!r} lacks its key column(s) {missing}")
    return schema


@lru_cache(maxsize=64)
def _clean_exprs(
    table: str, schema: tuple[tuple[str, pl.DataType], ...], encoded: tuple[tuple[str, tuple[str, ...]], ...]
) -> list[pl.Expr]:
    """One expression per column to change (few for typed input: a single client stays cheap)."""
    present, levels = dict(schema), dict(encoded)
    exprs = []
    for column in tables()[table].columns.values():
        name = column.name
        expr = pl.col(name) if name in present else pl.lit(None)
        changed = present.get(name) != column.dtype
        if changed:
            expr = expr.cast(column.dtype)
        if name.startswith("DAYS_"):
            expr, changed = pl.when(expr != DAYS_NOT_APPLICABLE).then(expr), True
        elif table == "application" and name == "CODE_GENDER":
            expr, changed = pl.when(expr != "XNA").then(expr), True
        if name in levels:
            expr = expr.fill_null(NULL_LEVEL).cast(pl.Enum(levels[name]), strict=False).to_physical()
            changed = True
        if changed and name != "TARGET":
            exprs.append(expr.alias(name))
    return exprs


def with_balance(bureau: Frame, balance: Frame | None, levels: Levels) -> Frame:
    """Bureau rows with their bureau_balance summary: months min / max / count, STATUS shares.

    ``bureau`` must be computed (a DataFrame, or a LazyFrame over memory): its credit ids select
    the bureau_balance rows."""
    status = levels.get("bureau_balance", {}).get("STATUS", [])
    shares = [f"STATUS_{suffix}" for suffix in level_suffixes(status)]
    if balance is None:
        names = [*BALANCE_PER_CREDIT, *shares]
        return bureau.with_columns(pl.lit(None, pl.Float64).alias(name) for name in names)
    rows = clean(balance, "bureau_balance", levels.get("bureau_balance"))
    credits = bureau.select("SK_ID_BUREAU")
    credits = credits if isinstance(credits, pl.DataFrame) else credits.collect()
    month = pl.col("MONTHS_BALANCE")
    per_credit = (
        rows.filter(pl.col("SK_ID_BUREAU").is_in(credits.to_series().implode()))
        .group_by("SK_ID_BUREAU")
        .agg(
            month.min().alias("MONTHS_BALANCE_MIN"),
            month.max().alias("MONTHS_BALANCE_MAX"),
            pl.len().cast(pl.Float64).alias("MONTHS_BALANCE_SIZE"),
            *[share("STATUS", code).alias(name) for code, name in enumerate(shares)],
        )
    )
    return bureau.join(per_credit, on="SK_ID_BUREAU", how="left")


def _derived(table: str) -> list[pl.Expr]:
    """Row-level derived columns of a history table."""
    c = pl.col
    if table == "previous_application":
        return [ratio(c("AMT_APPLICATION"), c("AMT_CREDIT")).alias("APP_CREDIT_PERC")]
    if table == "installments_payments":
        late = c("DAYS_ENTRY_PAYMENT") - c("DAYS_INSTALMENT")
        return [
            ratio(c("AMT_PAYMENT"), c("AMT_INSTALMENT")).alias("PAYMENT_PERC"),
            (c("AMT_INSTALMENT") - c("AMT_PAYMENT")).alias("PAYMENT_DIFF"),
            late.clip(lower_bound=0).alias("DPD"),
            (-late).clip(lower_bound=0).alias("DBD"),
        ]
    return []


def prepare(name: str, frame: Frame, levels: Levels, ids: pl.Series) -> Frame:
    """Cleaned, encoded rows of history table ``name`` restricted to the clients in ``ids``, with
    their derived columns (bureau_balance is joined to bureau by :func:`with_balance`). ``is_in``
    on a collected key set is far cheaper than a semi join."""
    rows = clean(frame, name, levels.get(name)).filter(pl.col(KEY).is_in(ids.implode()))
    extra = _derived(name)
    return rows.with_columns(extra) if extra else rows

