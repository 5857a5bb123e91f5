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
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache, partial

import numpy as np
import polars as pl

from engine.constants import DAYS_PER_YEAR
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
        name: {
            c: _range_of(name, c)
            for c, col in spec.columns.items()
            if col.kind != "str" and not c.startswith("SK_ID_")
        }
        for name, spec in tables().items()
    }


def _bound(value: float) -> int | float:
    return int(value) if float(value).is_integer() else value


def _labelled(maker: Callable[..., Problem], table: str, column: str) -> Callable[..., Problem]:
    labels = {f"label_{lang}": column_label(table, column, lang) for lang in ("en", "fr")}
    return partial(maker, **labels)


def _impossible(table: str, column: str, r: Range) -> Callable[..., Problem]:
    if r.in_years:
        maker = partial(Problem.of, code="range_age_outside", low=_bound(r.low), high=_bound(r.high))
    elif r.low is not None and r.high is not None:
        maker = partial(Problem.of, code="range_outside", low=_bound(r.low), high=_bound(r.high))
    elif r.low is not None:
        maker = partial(Problem.of, code="range_below_minimum", low=_bound(r.low))
    else:
        maker = partial(Problem.of, code="range_above_maximum", high=_bound(r.high))
    return _labelled(maker, table, column)


#: (true where wrong, the problem of those lines, values shown as ages) of one column's values.
Rule = tuple[Callable[[np.ndarray], np.ndarray], Callable[..., Problem], bool]


def _outside(low: float | None, high: float | None, in_years: bool) -> Callable[[np.ndarray], np.ndarray]:
    """True where a finite value (an age, for ``in_years``) is below ``low`` or above ``high``."""

    def outside(values: np.ndarray) -> np.ndarray:
        shown = -values / DAYS_PER_YEAR if in_years else values
        with np.errstate(invalid="ignore"):
            below = shown < low if low is not None else False
            above = shown > high if high is not None else False
        return np.isfinite(values) & (below | above)

    return outside


def _not_finite(values: np.ndarray) -> np.ndarray:
    return ~np.isfinite(values)


def _long_text(lengths: np.ndarray) -> np.ndarray:
    return lengths > MAX_TEXT_CHARS


@cache
def _column_rules(table: str, column: str, kind: str) -> tuple[Rule, ...]:
    """The rules of one column (its values as numbers; text as lengths)."""
    if kind == "str":
        long_text = partial(Problem.of, code="implausible_long_text", severity="warning",
                            limit=MAX_TEXT_CHARS)
        return ((_long_text, long_text, False),)
    r = ranges().get(table, {}).get(column)
    if r is None:
        return ()
    rules: list[Rule] = []
    if kind == "float":
        not_finite = _labelled(partial(Problem.of, code="range_not_finite"), table, column)
        rules.append((_not_finite, not_finite, False))
    if r.low is not None or r.high is not None:
        rules.append((_outside(r.low, r.high, r.in_years), _impossible(table, column, r), r.in_years))
    if r.usual_low is not None:
        below = partial(Problem.of, code="range_below_usual", severity="warning", low=_bound(r.usual_low))
        rules.append((_outside(r.usual_low, None, False), _labelled(below, table, column), False))
    if r.usual_high is not None:
        above = partial(Problem.of, code="range_above_usual", severity="warning", high=_bound(r.usual_high))
        rules.append((_outside(None, r.usual_high, False), _labelled(above, table, column), False))
    return tuple(rules)


def _kind(dtype: pl.DataType) -> str:
    if dtype == pl.String or isinstance(dtype, pl.Categorical):
        return "str"
    return "float" if dtype.is_float() else "int" if dtype.is_numeric() else ""


def _shown(cell: object, in_years: bool) -> int | float | str:
    """The first wrong value as the problem's params hold it: a finite number as a number (an age in years,
    to a tenth, for ``in_years``), worded in each language when the problem is described; else its text."""
    if isinstance(cell, (int, float)) and math.isfinite(cell):
        return round(-cell / DAYS_PER_YEAR, 1) if in_years else cell
    text = str(cell)
    return text if len(text) <= _SHOWN_CHARS else text[:_SHOWN_CHARS] + "…"


def _as_numbers(frame: pl.DataFrame, columns: list[str]) -> Iterator[tuple[str, np.ndarray, np.ndarray]]:
    """(column, values as float64, null mask) of ``columns``, text as its length: one query in all."""
    schema = frame.schema
    numbers = [pl.col(c).str.len_chars() if schema[c] == pl.String
               else pl.col(c).cat.len_chars() if isinstance(schema[c], pl.Categorical) else pl.col(c) for c in columns]
    table = frame.select(expr.cast(pl.Float64) for expr in numbers)  # Polars' own NumPy export: no pyarrow
    for column in columns:
        values = table[column]
        yield column, values.to_numpy(), values.is_null().to_numpy()


def check_table(
    frame: pl.DataFrame, table: str, file: str, first_line: int = FIRST_DATA_LINE
) -> list[Problem]:
    """Errors and warnings for one typed ``table`` read from ``file`` (rows in order from ``first_line``).

    The columns go through numpy: a one-row API request is checked in milliseconds, a
    300,000-row table in one vectorised pass per rule.
    """
    schema = frame.schema.items()
    rules = {c: found for c, dtype in schema if (found := _column_rules(table, c, _kind(dtype)))}
    if not rules or frame.is_empty():
        return []
    problems = []
    for column, values, nulls in _as_numbers(frame, list(rules)):
        for wrong, problem, in_years in rules[column]:
            flags = wrong(values) & ~nulls
            count = int(flags.sum())
            if not count:
                continue
            rows = np.flatnonzero(flags)[:_LISTED_LINES]
            lines = (rows + first_line).tolist()
            first = _shown(frame[column][int(rows[0])], in_years)
            problems.append(problem(file, column=column, row=lines[0], n=count, lines=lines,
                                    lines_total=count, first=first))
    return problems
