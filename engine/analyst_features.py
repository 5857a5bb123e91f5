"""The analyst features, declared before they were measured (``bench/RESULTS-models.md``).

What a credit analyst reads in a file beyond the raw aggregates: recent credit hunger and recent
late payments (bureau, POS/cash, cards), debts, arrears and annuities with other lenders over the
income, card utilisation and minimum payments missed, and the bank's own last verdict. Each function
gives the ``(FeatureSpec, expression)`` pairs of one history table, aggregated per client with that
table's main block (:mod:`engine.families`); the spec's column is the feature's own name, worded in
``vocabulary.json`` (``derived``). Windows: ``DAYS_* ≥ −365`` / ``−730`` and ``MONTHS_BALANCE ≥ −12``,
borders included; the bureau_balance window is :data:`engine.aggregations.BALANCE_WINDOW`.
"""

from __future__ import annotations

from collections.abc import Mapping

import polars as pl

from engine.aggregations import CONTEXT, ratio
from engine.feature_spec import FeatureSpec

Pair = tuple[FeatureSpec, pl.Expr]

#: Recent windows: the last 12 months of monthly tables, the last 12 / 24 months of dated rows.
MONTHS_RECENT = 12
DAYS_12_MONTHS = -365
DAYS_24_MONTHS = -730

#: Row counts of the table itself: 0, not unknown, for a client without rows in a supplied table.
COUNTS = frozenset({"BURO_CREDITS_12M", "PREV_APPLICATIONS_24M", "POS_LATE_MONTHS_12M", "CC_LATE_MONTHS_12M"})


def _pairs(table: str, exprs: Mapping[str, pl.Expr]) -> list[Pair]:
    return [(FeatureSpec(name, table, name), expr.alias(name)) for name, expr in exprs.items()]


def _known_sum(column: str) -> pl.Expr:
    """Sum of a per-credit column, null when no credit has a value (no bureau_balance rows)."""
    return pl.when(pl.col(column).count() > 0).then(pl.col(column).sum())


def bureau(active: pl.Expr) -> list[Pair]:
    """Recent credits; debt, arrears and annuities of active credits over the income (``active``: the
    filter of active credits); recent and last late months (bureau_balance, per credit)."""
    c = pl.col
    income = c(CONTEXT["AMT_INCOME_TOTAL"]).first()
    of_active = {
        "BURO_ACTIVE_DEBT_INCOME": "AMT_CREDIT_SUM_DEBT",
        "BURO_ACTIVE_OVERDUE_INCOME": "AMT_CREDIT_SUM_OVERDUE",
        "BURO_ANNUITY_INCOME": "AMT_ANNUITY",
    }
    return [
        *_pairs(
            "bureau",
            {
                "BURO_CREDITS_12M": (c("DAYS_CREDIT") >= DAYS_12_MONTHS).sum(),
                **{name: ratio(c(column).filter(active).sum(), income) for name, column in of_active.items()},
            },
        ),
        *_pairs(
            "bureau_balance",
            {
                "BURO_LATE_MONTHS_24M": _known_sum("LATE_MONTHS_RECENT"),
                "BURO_LATE_SHARE_24M": ratio(c("LATE_MONTHS_RECENT").sum(), c("OPEN_MONTHS_RECENT").sum()),
                "BURO_MONTHS_SINCE_LATE": -c("LAST_LATE_MONTH").max(),
            },
        ),
    ]


def previous(refused: pl.Expr) -> list[Pair]:
    """The last application's verdict; applications and the share refused in the last 24 months
    (``refused``: the filter of refused applications)."""
    recent = pl.col("DAYS_DECISION") >= DAYS_24_MONTHS
    return _pairs(
        "previous_application",
        {
            "PREV_LAST_REFUSED": refused.sort_by(["DAYS_DECISION", "SK_ID_PREV"]).last().fill_null(False),
            "PREV_APPLICATIONS_24M": recent.sum(),
            "PREV_REFUSED_SHARE_24M": ratio((recent & refused).sum(), recent.sum()),
        },
    )


def _late(recent: bool) -> pl.Expr:
    """Months paid late (SK_DPD > 0), in the last 12 months if ``recent``."""
    late = pl.col("SK_DPD") > 0
    return late & (pl.col("MONTHS_BALANCE") >= -MONTHS_RECENT) if recent else late


def pos() -> list[Pair]:
    """Months late on POS/cash loans: in the last 12 months, and their share of all months."""
    return _pairs(
        "POS_CASH_balance",
        {"POS_LATE_MONTHS_12M": _late(True).sum(), "POS_LATE_SHARE": _late(False).sum() / pl.len()},
    )


def card() -> list[Pair]:
    """Card utilisation (balance / limit) the latest month and over 12 months; months late and share of
    months paid below the minimum in the last 12 months."""
    c = pl.col
    month = c("MONTHS_BALANCE")
    latest, recent = month == month.max(), month >= -MONTHS_RECENT
    due = recent & (c("AMT_INST_MIN_REGULARITY") > 0)
    below = due & (c("AMT_PAYMENT_TOTAL_CURRENT") < c("AMT_INST_MIN_REGULARITY"))
    return _pairs(
        "credit_card_balance",
        {
            "CC_UTILISATION_LAST": ratio(
                c("AMT_BALANCE").filter(latest).sum(), c("AMT_CREDIT_LIMIT_ACTUAL").filter(latest).sum()
            ),
            "CC_UTILISATION_12M": ratio(c("AMT_BALANCE"), c("AMT_CREDIT_LIMIT_ACTUAL")).filter(recent).mean(),
            "CC_LATE_MONTHS_12M": _late(True).sum(),
            "CC_BELOW_MINIMUM_12M": ratio(below.sum(), due.sum()),
        },
    )
