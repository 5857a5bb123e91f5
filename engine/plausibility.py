"""The one table of ranges per column: impossible values are errors, implausible values warnings.

Every numeric column of every table has a :class:`Range` (:func:`ranges`): a value outside
``low``–``high`` is **impossible** (an error: the file is refused, the request answered 400), one
inside it but outside ``usual_low``–``usual_high`` is **implausible** (a warning: the officer should
look). Readers (import, ``creditscore score``) and the API's record parser check with it.

Impossible:

* NaN and ±Infinity in any number column;
* EXT_SOURCE_*, REGION_POPULATION_RELATIVE and the normalised building statistics (``*_AVG``,
  ``*_MODE``, ``*_MEDI``) outside [0, 1]; 0/1 indicators (``FLAG_*``, ``NFLAG_*``, ``REG_*_NOT_*``,
  ``LIVE_*_NOT_*``) outside [0, 1]; HOUR_APPR_PROCESS_START outside [0, 23];
* amounts of the application below 0; counts (``CNT_*``, social circle ``OBS_*``/``DEF_*``), days past
  due, car age below 0; MONTHS_BALANCE above 0 (months before the application);
* DAYS_BIRTH giving an age outside 18–100 years (so a positive DAYS_BIRTH too).

Implausible: amounts above :data:`ABSURD_AMOUNT` (in absolute value), negative history amounts
(the bank's own history holds reversals; balances and debts are signed), more than
:data:`MAX_CHILDREN` children or :data:`MAX_FAMILY_MEMBERS` family members, and text cells longer
than any category (:data:`MAX_TEXT_CHARS`).

Each finding is one ``Problem`` per column and rule naming the file, the column (and its label in
French and English), the first line, how many lines share it (the first ten listed), the first value
and the allowed range.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cache, partial

import polars as pl

from engine.input_problems import FIRST_DATA_LINE, Problem
from engine.labels import column_label
from engine.schema import tables

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
_SHARE = re.compile(r"EXT_SOURCE_\d|REGION_POPULATION_RELATIVE|.+_(AVG|MODE|MEDI)")
_INDICATOR = re.compile(r"N?FLAG_.+|(REG|LIVE)_(REGION|CITY)_NOT_.+")
_COUNT = re.compile(r"CNT_.+|(OBS|DEF)_\d+_CNT_SOCIAL_CIRCLE|SK_DPD(_DEF)?|CREDIT_DAY_OVERDUE|OWN_CAR_AGE")


@dataclass(frozen=True)
class Range:
    """Allowed values of a number column (outside: error) and usual ones (outside: warning); None is open."""

    low: float | None = None
    high: float | None = None
    usual_low: float | None = None
    usual_high: float | None = None
    in_years: bool = False  # bounds are ages in years (DAYS_BIRTH counts days before the application)


def _range_of(table: str, column: str) -> Range:
    """The range of one number column, by the rules of the module docstring."""
    if column == "DAYS_BIRTH":
        return Range(*AGE_RANGE, in_years=True)
    if _SHARE.fullmatch(column) or _INDICATOR.fullmatch(column):
        return Range(0, 1)
    if column == "HOUR_APPR_PROCESS_START":
        return Range(0, 23)
    if column == "MONTHS_BALANCE":
        return Range(high=0)
    if column == "CNT_CHILDREN":
        return Range(0, usual_high=MAX_CHILDREN)
    if column == "CNT_FAM_MEMBERS":
        return Range(0, usual_high=MAX_FAMILY_MEMBERS)
    if _COUNT.fullmatch(column):
        return Range(0)
    if column.startswith("AMT_"):
        if table == "application":
            return Range(0, usual_high=ABSURD_AMOUNT)
        signed = column in SIGNED_AMOUNTS
        return Range(usual_low=-ABSURD_AMOUNT if signed else 0, usual_high=ABSURD_AMOUNT)
    return Range()


@cache
def ranges() -> dict[str, dict[str, Range]]:
    """``{table: {column: Range}}`` for every number column of every table (identifiers excepted)."""
    return {
        name: {c: _range_of(name, c) for c, col in spec.columns.items() if col.kind != "str" and not c.startswith("SK_ID_")}
        for name, spec in tables().items()
    }


def _bound(value: float) -> int | float:
    return int(value) if float(value).is_integer() else value


def _labelled(maker: Callable[..., Problem], table: str, column: str) -> Callable[..., Problem]:
    return partial(maker, label_en=column_label(table, column, "en"), label_fr=column_label(table, column, "fr"))


def _impossible(table: str, column: str, r: Range) -> Callable[..., Problem]:
    if r.in_years:
        maker = partial(Problem.of, code="age_outside_range", low=_bound(r.low), high=_bound(r.high))
    elif r.low is not None and r.high is not None:
        maker = partial(Problem.of, code="value_outside_range", low=_bound(r.low), high=_bound(r.high))
    elif r.low is not None:
        maker = partial(Problem.of, code="value_below_minimum", low=_bound(r.low))
    else:
        maker = partial(Problem.of, code="value_above_maximum", high=_bound(r.high))
    return _labelled(maker, table, column)


def _outside(value: pl.Expr, low: float | None, high: float | None) -> pl.Expr:
    out = pl.lit(False)
    if low is not None:
        out = out | (value < low)
    if high is not None:
        out = out | (value > high)
    return out


def _rules(frame: pl.DataFrame, table: str) -> list[tuple[str, pl.Expr, Callable[..., Problem], bool]]:
    """(column, true where wrong, the problem of its lines, value shown in years) per rule."""
    rules = []
    table_ranges = ranges().get(table, {})
    for name, dtype in frame.schema.items():
        if dtype == pl.String:
            long_text = partial(Problem.of, code="implausible_long_text", severity="warning", limit=MAX_TEXT_CHARS)
            rules.append((name, pl.col(name).str.len_chars() > MAX_TEXT_CHARS, long_text, False))
        r = table_ranges.get(name)
        if r is None or not dtype.is_numeric():
            continue
        value = pl.col(name)
        if dtype.is_float():
            rules.append((name, ~value.is_finite(), _labelled(partial(Problem.of, code="value_not_finite"),
                                                               table, name), False))
            finite = value.is_finite()
        else:
            finite = pl.lit(True)
        shown = -value / DAYS_PER_YEAR if r.in_years else value
        if r.low is not None or r.high is not None:
            rules.append((name, finite & _outside(shown, r.low, r.high), _impossible(table, name, r), r.in_years))
        if r.usual_low is not None:
            below = partial(Problem.of, code="implausible_below", severity="warning", low=_bound(r.usual_low))
            rules.append((name, finite & (shown < r.usual_low), _labelled(below, table, name), False))
        if r.usual_high is not None:
            above = partial(Problem.of, code="implausible_above", severity="warning", high=_bound(r.usual_high))
            rules.append((name, finite & (shown > r.usual_high), _labelled(above, table, name), False))
    return rules


def _shown(cell: object, in_years: bool) -> str:
    if in_years and isinstance(cell, (int, float)) and math.isfinite(cell):
        return f"{-cell / DAYS_PER_YEAR:.1f}"
    text = str(cell)
    return text if len(text) <= _SHOWN_CHARS else text[:_SHOWN_CHARS] + "…"


def check_table(frame: pl.DataFrame, table: str, file: str, first_line: int = FIRST_DATA_LINE) -> list[Problem]:
    """Errors and warnings for one typed ``table`` read from ``file`` (rows in order from ``first_line``)."""
    rules = _rules(frame, table)
    if not rules or frame.is_empty():
        return []
    flags = frame.select(expr.fill_null(False).alias(str(i)) for i, (_, expr, _, _) in enumerate(rules))
    counts = flags.sum().row(0)
    problems = []
    for (column, _, problem, in_years), flag, count in zip(rules, flags.columns, counts, strict=True):
        if not count:
            continue
        rows = flags.select(pl.arg_where(pl.col(flag))).to_series().head(_LISTED_LINES)
        lines = (rows + first_line).to_list()
        first = _shown(frame[column][rows[0]], in_years)
        problems.append(problem(file, column=column, row=lines[0], n=count, lines=lines, lines_total=count,
                                first=first))
    return problems


def check_tables(frames: Mapping[str, pl.DataFrame], sources: Mapping[str, str]) -> list[Problem]:
    """Errors and warnings for every table, each named after the file it came from."""
    return [p for name, frame in frames.items() for p in check_table(frame, name, sources.get(name, name))]
