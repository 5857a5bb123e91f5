"""Plausibility checks on typed tables: values that read fine but look wrong.

Each finding is a warning (``Problem`` with severity "warning") naming the file, the column, the
first line concerned and how many lines share it: the rows are still usable, the officer should
look. Checked: negative amounts (except balances and debts, which are signed in the Kaggle data),
absurd amounts (infinite or above :data:`ABSURD_AMOUNT`), ages outside 18–100 years,
implausible household counts and text cells longer than any category (:data:`MAX_TEXT_CHARS`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import partial

import polars as pl

from engine.readers import FIRST_DATA_LINE, Problem

#: Above this, an amount is taken for a typing error (the largest in the Kaggle data is ~1.2e8).
ABSURD_AMOUNT = 1e9
#: Amounts that may legitimately be negative: balances, debts and receivables (overpayments).
SIGNED_AMOUNTS = frozenset(
    {
        "AMT_BALANCE",
        "AMT_CREDIT_SUM_DEBT",
        "AMT_CREDIT_SUM_LIMIT",
        "AMT_RECEIVABLE_PRINCIPAL",
        "AMT_RECIVABLE",
        "AMT_TOTAL_RECEIVABLE",
    }
)
DAYS_PER_YEAR = 365.25
AGE_RANGE = (18, 100)
MAX_CHILDREN = 20
MAX_FAMILY_MEMBERS = 25
#: Longer than any category label in the data (the longest is under 60 characters).
MAX_TEXT_CHARS = 255
_LISTED_LINES = 10
_SHOWN_CHARS = 40


def _rules(frame: pl.DataFrame) -> list[tuple[str, pl.Expr, Callable[..., Problem]]]:
    """(column, true where implausible, the problem of its lines) for the columns ``frame`` has.

    The problem is made from the file, column, first line, line count, lines and first value.
    """
    rules = []
    for name, dtype in frame.schema.items():
        if dtype == pl.String:
            rules.append(
                (
                    name,
                    pl.col(name).str.len_chars() > MAX_TEXT_CHARS,
                    partial(Problem.of, code="implausible_long_text", limit=MAX_TEXT_CHARS),
                )
            )
        if not name.startswith("AMT_") or not dtype.is_numeric():
            continue
        value = pl.col(name)
        if name not in SIGNED_AMOUNTS:
            rules.append((name, value < 0, partial(Problem.of, code="implausible_negative_amount")))
        absurd = partial(Problem.of, code="implausible_absurd_amount", limit=int(ABSURD_AMOUNT))
        rules.append((name, value.abs() > ABSURD_AMOUNT, absurd))
    if "DAYS_BIRTH" in frame.columns:
        years = -pl.col("DAYS_BIRTH") / DAYS_PER_YEAR
        low, high = AGE_RANGE
        age = partial(Problem.of, code="implausible_age", low=low, high=high)
        rules.append(("DAYS_BIRTH", (years < low) | (years > high), age))
    for name, most in (("CNT_CHILDREN", MAX_CHILDREN), ("CNT_FAM_MEMBERS", MAX_FAMILY_MEMBERS)):
        if name in frame.columns:
            outside = partial(Problem.of, code="implausible_count", most=most)
            rules.append((name, (pl.col(name) < 0) | (pl.col(name) > most), outside))
    return rules


def check_table(frame: pl.DataFrame, file: str) -> list[Problem]:
    """Warnings for one typed table read from ``file`` (rows in file order)."""
    rules = _rules(frame)
    if not rules or frame.is_empty():
        return []
    flags = frame.select(expr.fill_null(False).alias(str(i)) for i, (_, expr, _) in enumerate(rules))
    counts = flags.sum().row(0)
    problems = []
    for (column, _, problem), flag, count in zip(rules, flags.columns, counts, strict=True):
        if not count:
            continue
        rows = flags.select(pl.arg_where(pl.col(flag))).to_series().head(_LISTED_LINES)
        lines = (rows + FIRST_DATA_LINE).to_list()
        first = str(frame[column][rows[0]])
        first = first if len(first) <= _SHOWN_CHARS else first[:_SHOWN_CHARS] + "…"
        problems.append(problem(file, column=column, row=lines[0], severity="warning", n=count,
                                lines=lines, lines_total=count, first=first))
    return problems


def check_tables(frames: Mapping[str, pl.DataFrame], sources: Mapping[str, str]) -> list[Problem]:
    """Warnings for every table, each named after the file it came from."""
    return [p for name, frame in frames.items() for p in check_table(frame, sources.get(name, name))]
