"""Feature families as Polars expressions, built from the category levels learned at fit.

Every family is a :class:`Block`: the Polars expressions of its features (in their natural type:
the caller casts the results to Float32 in one go) and their
:class:`~engine.feature_spec.FeatureSpec`, built from the levels alone (no data), so that the
same names exist whether or not the source table is there. The application block is evaluated
row by row; every other block is one ``group_by("SK_ID_CURR").agg(...)`` over a table's
prepared rows (:mod:`engine.aggregations`), optionally filtered to a scope (active / closed
bureau credits, approved / refused previous applications).

Families: application (:func:`application_block`); bureau + bureau_balance
(:func:`bureau_blocks`); previous applications (:func:`previous_blocks`); POS / instalments /
credit card (:func:`monthly_blocks`); all of them in output order (:func:`all_blocks`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cached_property

import polars as pl

from engine.aggregations import (
    BALANCE_PER_CREDIT,
    KEY,
    Levels,
    is_binary,
    level_is,
    level_suffixes,
    ratio,
    share,
)
from engine.feature_spec import FeatureSpec
from engine.constants import DAYS_PER_YEAR
from engine.schema import tables

Pair = tuple[FeatureSpec, pl.Expr]


def sample_variance(col: pl.Expr) -> pl.Expr:
    """Sample variance (ddof=1), null for fewer than two values, in two passes: polars' own grouped
    ``var`` merges partial sums in thread order, so a large-valued column (credit limits) got a
    different last digit on every run, and the model trained on it differed from run to run."""
    return pl.when(col.count() > 1).then(((col - col.mean()) ** 2).sum() / (col.count() - 1))


AGGREGATIONS: dict[str, Callable[[pl.Expr], pl.Expr]] = {
    "min": pl.Expr.min,
    "max": pl.Expr.max,
    "mean": pl.Expr.mean,
    "sum": pl.Expr.sum,
    "var": sample_variance,
    "nunique": lambda col: col.drop_nulls().n_unique(),
}

BUREAU_NUMERIC: dict[str, tuple[str, ...]] = {
    "DAYS_CREDIT": ("min", "max", "mean", "var"),
    "DAYS_CREDIT_ENDDATE": ("min", "max", "mean"),
    "DAYS_ENDDATE_FACT": ("min", "max", "mean"),
    "DAYS_CREDIT_UPDATE": ("mean",),
    "CREDIT_DAY_OVERDUE": ("max", "mean"),
    "AMT_CREDIT_MAX_OVERDUE": ("mean",),
    "AMT_CREDIT_SUM": ("max", "mean", "sum"),
    "AMT_CREDIT_SUM_DEBT": ("max", "mean", "sum"),
    "AMT_CREDIT_SUM_OVERDUE": ("mean",),
    "AMT_CREDIT_SUM_LIMIT": ("mean", "sum"),
    "AMT_ANNUITY": ("max", "mean"),
    "CNT_CREDIT_PROLONG": ("sum",),
    "MONTHS_BALANCE_MIN": ("min",),
    "MONTHS_BALANCE_MAX": ("max",),
    "MONTHS_BALANCE_SIZE": ("mean", "sum"),
}

PREVIOUS_NUMERIC: dict[str, tuple[str, ...]] = {
    "AMT_ANNUITY": ("min", "max", "mean"),
    "AMT_APPLICATION": ("min", "max", "mean"),
    "AMT_CREDIT": ("min", "max", "mean"),
    "APP_CREDIT_PERC": ("min", "max", "mean", "var"),
    "AMT_DOWN_PAYMENT": ("min", "max", "mean"),
    "AMT_GOODS_PRICE": ("min", "max", "mean"),
    "HOUR_APPR_PROCESS_START": ("min", "max", "mean"),
    "RATE_DOWN_PAYMENT": ("min", "max", "mean"),
    "DAYS_DECISION": ("min", "max", "mean"),
    "DAYS_LAST_DUE_1ST_VERSION": ("min", "max", "mean"),
    "DAYS_TERMINATION": ("max", "mean"),
    "CNT_PAYMENT": ("mean", "sum"),
}

POS_NUMERIC: dict[str, tuple[str, ...]] = {
    "MONTHS_BALANCE": ("max", "mean"),
    "SK_DPD": ("max", "mean"),
    "SK_DPD_DEF": ("max", "mean"),
}

INSTALMENTS_NUMERIC: dict[str, tuple[str, ...]] = {
    "NUM_INSTALMENT_VERSION": ("nunique",),
    "DPD": ("max", "mean", "sum"),
    "DBD": ("max", "mean", "sum"),
    "PAYMENT_PERC": ("max", "mean", "sum", "var"),
    "PAYMENT_DIFF": ("max", "mean", "sum", "var"),
    "AMT_INSTALMENT": ("max", "mean", "sum"),
    "AMT_PAYMENT": ("min", "max", "mean", "sum"),
    "DAYS_ENTRY_PAYMENT": ("max", "mean", "sum"),
}

CARD_AGGREGATIONS = ("min", "max", "mean", "sum", "var")

#: Direction of the PD along the features of the requested amounts and the income (LightGBM
#: monotone constraints): +1 never lowers it as the feature grows, -1 never raises it. Each promise
#: holds because every feature that moves with it is constrained its way: a larger credit alone
#: (AMT_CREDIT, CREDIT_GOODS_PERC up, INCOME_CREDIT_PERC down), a larger annuity alone (AMT_ANNUITY,
#: ANNUITY_INCOME_PERC, ANNUITY_GOODS_PERC up), the three amounts together (the amounts up, the
#: goods ratios unchanged) and a heavier burden never lower the PD; more income (AMT_INCOME_TOTAL,
#: INCOME_PER_PERSON, INCOME_CREDIT_PERC up, ANNUITY_INCOME_PERC down) never raises it. The
#: repayment rate annuity/credit (or the term, its inverse) is no feature: it rises with the annuity
#: and falls with the credit, so no direction keeps both promises. The goods price alone is not
#: monotone (AMT_GOODS_PRICE up, the goods ratios down: a larger price for the same credit is a
#: larger down payment); AMT_GOODS_PRICE is constrained for the three amounts together.
MONOTONE: dict[str, int] = {
    "AMT_CREDIT": 1,
    "AMT_ANNUITY": 1,
    "AMT_GOODS_PRICE": 1,
    "AMT_INCOME_TOTAL": -1,
    "ANNUITY_INCOME_PERC": 1,
    "INCOME_CREDIT_PERC": -1,
    "INCOME_PER_PERSON": -1,
    "CREDIT_GOODS_PERC": 1,
    "ANNUITY_GOODS_PERC": 1,
}

EXT_SOURCES = ("EXT_SOURCE_1", "EXT_SOURCE_2", "EXT_SOURCE_3")
EXT_WEIGHTS = (2.0, 1.0, 3.0)


@dataclass(frozen=True)
class Block:
    """Features of one family: ``source`` rows (filtered by ``where``) aggregated per client.

    ``counts`` are the row-count features, 0 for a client without rows in a supplied table.
    """

    source: str
    pairs: tuple[Pair, ...]
    where: pl.Expr | None = None
    counts: frozenset[str] = frozenset()

    @cached_property
    def names(self) -> list[str]:
        return [spec.name for spec, _ in self.pairs]

    @cached_property
    def null_columns(self) -> list[pl.Expr]:
        """The block's columns as Float32 nulls, for a table not supplied."""
        return [pl.lit(None, pl.Float32).alias(name) for name in self.names]

    def keep(self, names: set[str]) -> Block:
        """The same block restricted to the features in ``names``."""
        pairs = tuple(pair for pair in self.pairs if pair[0].name in names)
        return Block(self.source, pairs, self.where, self.counts & names)


def _numeric(
    prefix: str,
    table: str,
    plan: Mapping[str, tuple[str, ...]],
    scope: str | None = None,
    origin: Mapping[str, str] | None = None,
) -> list[Pair]:
    """``PREFIX_COLUMN_AGG`` for each column and aggregation of ``plan``."""
    origin = origin or {}
    return [
        (
            FeatureSpec(f"{prefix}_{column}_{agg.upper()}", origin.get(column, table), column, agg, scope),
            AGGREGATIONS[agg](pl.col(column)).alias(f"{prefix}_{column}_{agg.upper()}"),
        )
        for column, aggs in plan.items()
        for agg in aggs
    ]


def _shares(prefix: str, table: str, levels: Mapping[str, list[str]]) -> list[Pair]:
    """``PREFIX_COLUMN_LEVEL_MEAN``: share of the client's rows with each category level."""
    pairs = []
    for column, known in levels.items():
        for code, (level, suffix) in enumerate(zip(known, level_suffixes(known), strict=True)):
            name = f"{prefix}_{column}_{suffix}_MEAN"
            spec = FeatureSpec(name, table, column, "mean", level=level)
            pairs.append((spec, share(column, code).alias(name)))
    return pairs


def _count(prefix: str, table: str, column: str, scope: str | None = None) -> Pair:
    name = f"{prefix}_COUNT"
    return FeatureSpec(name, table, column, "count", scope), pl.len().alias(name)


def _aggregated(source: str, pairs: list[Pair], where: pl.Expr | None = None) -> Block:
    counts = frozenset(spec.name for spec, _ in pairs if spec.agg == "count")
    return Block(source, tuple(pairs), where, counts)


def _application_derived() -> list[tuple[str, pl.Expr]]:
    """Ratios and summaries of the application row."""
    c = pl.col
    ext = [c(name) for name in EXT_SOURCES]
    ext_list = pl.concat_list(ext)
    weights = [c(name).is_not_null() * w for name, w in zip(EXT_SOURCES, EXT_WEIGHTS, strict=True)]
    weighted = pl.sum_horizontal([e * w for e, w in zip(ext, EXT_WEIGHTS, strict=True)])
    age = -c("DAYS_BIRTH") / DAYS_PER_YEAR
    documents = [name for name in tables()["application"].columns if name.startswith("FLAG_DOCUMENT_")]
    return [
        ("DAYS_EMPLOYED_PERC", ratio(c("DAYS_EMPLOYED"), c("DAYS_BIRTH"))),
        ("INCOME_CREDIT_PERC", ratio(c("AMT_INCOME_TOTAL"), c("AMT_CREDIT"))),
        ("INCOME_PER_PERSON", ratio(c("AMT_INCOME_TOTAL"), c("CNT_FAM_MEMBERS"))),
        ("ANNUITY_INCOME_PERC", ratio(c("AMT_ANNUITY"), c("AMT_INCOME_TOTAL"))),
        ("CREDIT_GOODS_PERC", ratio(c("AMT_CREDIT"), c("AMT_GOODS_PRICE"))),
        ("ANNUITY_GOODS_PERC", ratio(c("AMT_ANNUITY"), c("AMT_GOODS_PRICE"))),
        ("CHILDREN_PERC", ratio(c("CNT_CHILDREN"), c("CNT_FAM_MEMBERS"))),
        ("AGE_YEARS", age),
        ("EMPLOYED_YEARS", -c("DAYS_EMPLOYED") / DAYS_PER_YEAR),
        ("CAR_AGE_PERC", ratio(c("OWN_CAR_AGE"), age)),
        ("REGISTRATION_PERC", ratio(c("DAYS_REGISTRATION"), c("DAYS_BIRTH"))),
        ("ID_PUBLISH_PERC", ratio(c("DAYS_ID_PUBLISH"), c("DAYS_BIRTH"))),
        ("PHONE_CHANGE_PERC", ratio(c("DAYS_LAST_PHONE_CHANGE"), c("DAYS_BIRTH"))),
        ("EXT_SOURCES_MEAN", pl.mean_horizontal(ext)),
        ("EXT_SOURCES_MIN", pl.min_horizontal(ext)),
        ("EXT_SOURCES_MAX", pl.max_horizontal(ext)),
        ("EXT_SOURCES_STD", ext_list.list.std()),
        ("EXT_SOURCES_PROD", ext[0] * ext[1] * ext[2]),
        (
            "EXT_SOURCES_WEIGHTED_SUM",
            ext[0] * EXT_WEIGHTS[0] + ext[1] * EXT_WEIGHTS[1] + ext[2] * EXT_WEIGHTS[2],
        ),
        ("EXT_SOURCES_WEIGHTED_MEAN", ratio(weighted, pl.sum_horizontal(weights))),
        ("EXT_SOURCES_NULL_COUNT", pl.sum_horizontal([e.is_null() for e in ext])),
        ("DOCUMENT_COUNT", pl.sum_horizontal([c(name) for name in documents])),
    ]


def application_block(levels: Mapping[str, list[str]]) -> Block:
    """Raw numeric columns, derived ratios, binary flags and one-hot categories of the row."""
    spec = tables()["application"]
    pairs: list[Pair] = [
        (FeatureSpec(name, "application", name), pl.col(name))
        for name, column in spec.columns.items()
        if column.kind != "str" and name not in (KEY, "TARGET")
    ]
    pairs += [
        (FeatureSpec(name, "application", name), expr.alias(name))
        for name, expr in _application_derived()
    ]
    for column, known in levels.items():
        suffixes = level_suffixes(known)
        if is_binary(known):
            name = f"{column}_{suffixes[1]}"
            pairs.append(
                (
                    FeatureSpec(name, "application", column, level=known[1]),
                    pl.col(column).alias(name),
                )
            )
            continue
        for code, (level, suffix) in enumerate(zip(known, suffixes, strict=True)):
            name = f"{column}_{suffix}"
            expr = pl.col(column).eq_missing(code).alias(name)
            pairs.append((FeatureSpec(name, "application", column, level=level), expr))
    return Block("application", tuple(pairs))


def bureau_blocks(levels: Levels) -> list[Block]:
    """BURO_ (all credits, with category shares), ACTIVE_ and CLOSED_ aggregates."""
    bureau_levels = levels.get("bureau", {})
    status = levels.get("bureau_balance", {}).get("STATUS", [])
    origin = {column: "bureau_balance" for column in BALANCE_PER_CREDIT}
    status_shares = [
        (
            FeatureSpec(f"BURO_STATUS_{suffix}_MEAN", "bureau_balance", "STATUS", "mean", level=level),
            pl.col(f"STATUS_{suffix}").mean().alias(f"BURO_STATUS_{suffix}_MEAN"),
        )
        for level, suffix in zip(status, level_suffixes(status), strict=True)
    ]
    blocks = [
        _aggregated(
            "bureau",
            [
                _count("BURO", "bureau", "SK_ID_BUREAU"),
                *_numeric("BURO", "bureau", BUREAU_NUMERIC, origin=origin),
                *_shares("BURO", "bureau", bureau_levels),
                *status_shares,
            ],
        )
    ]
    for scope, level in (("active", "Active"), ("closed", "Closed")):
        prefix = scope.upper()
        pairs = [
            _count(prefix, "bureau", "SK_ID_BUREAU", scope),
            *_numeric(prefix, "bureau", BUREAU_NUMERIC, scope, origin),
        ]
        blocks.append(_aggregated("bureau", pairs, level_is("CREDIT_ACTIVE", bureau_levels, level)))
    return blocks


def previous_blocks(levels: Levels) -> list[Block]:
    """PREV_ (all applications, with category shares), APPROVED_ and REFUSED_ aggregates."""
    table = "previous_application"
    prev_levels = levels.get(table, {})
    blocks = [
        _aggregated(
            table,
            [
                _count("PREV", table, "SK_ID_PREV"),
                *_numeric("PREV", table, PREVIOUS_NUMERIC),
                *_shares("PREV", table, prev_levels),
            ],
        )
    ]
    for scope, level in (("approved", "Approved"), ("refused", "Refused")):
        prefix = scope.upper()
        pairs = [
            _count(prefix, table, "SK_ID_PREV", scope),
            *_numeric(prefix, table, PREVIOUS_NUMERIC, scope),
        ]
        blocks.append(_aggregated(table, pairs, level_is("NAME_CONTRACT_STATUS", prev_levels, level)))
    return blocks


def monthly_blocks(levels: Levels) -> list[Block]:
    """POS_, INSTAL_ and CC_ aggregates of the monthly / instalment histories."""
    card_numeric = {
        name: CARD_AGGREGATIONS
        for name, column in tables()["credit_card_balance"].columns.items()
        if column.kind != "str" and name not in ("SK_ID_PREV", KEY)
    }
    pos, inst, card = "POS_CASH_balance", "installments_payments", "credit_card_balance"
    return [
        _aggregated(
            pos,
            [
                _count("POS", pos, "SK_ID_PREV"),
                *_numeric("POS", pos, POS_NUMERIC),
                *_shares("POS", pos, levels.get(pos, {})),
            ],
        ),
        _aggregated(
            inst, [_count("INSTAL", inst, "SK_ID_PREV"), *_numeric("INSTAL", inst, INSTALMENTS_NUMERIC)]
        ),
        _aggregated(
            card,
            [
                _count("CC", card, "SK_ID_PREV"),
                *_numeric("CC", card, card_numeric),
                *_shares("CC", card, levels.get(card, {})),
            ],
        ),
    ]


def all_blocks(levels: Levels) -> list[Block]:
    """Every family, application first, in the order of the output columns."""
    blocks = [
        application_block(levels.get("application", {})),
        *bureau_blocks(levels),
        *previous_blocks(levels),
        *monthly_blocks(levels),
    ]
    names = [name for block in blocks for name in block.names]
    if len(set(names)) != len(names):
        clashes = sorted({name for name in names if names.count(name) > 1})
        raise ValueError(f"category levels give clashing feature names: {clashes[:5]}")
    return blocks
