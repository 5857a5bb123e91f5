"""A frame read from one file typed to its schema table, with a problem for each bad cell.

``match_columns`` maps the header to schema columns (warning for extra and missing ones, error
for a missing required one); ``finish`` casts every column (a problem per bad cell, with its column,
line and text, capped per file), checks keys and duplicate clients, and puts columns in schema order.
"""

from __future__ import annotations

import re

import numpy as np
import polars as pl
import polars.selectors as cs

from engine.input_problems import FIRST_DATA_LINE, Fatal, Problem, shorten
from engine.schema import Column, Table

#: Cell errors reported per file; the rest are counted.
MAX_ERRORS_PER_FILE = 20
_SHOWN_CHARS = 40
_MASK = "\x00bad:"  # prefix of the working columns that flag bad cells
_CATEGORIES = "creditscore.readers"  # namespace of the text columns' categories
_COMMA_NUMBER = re.compile(r"[+-]?\d*,\d+")
_POINT_NUMBER = re.compile(r"[+-]?\d*\.\d+")


def match_columns(header: list[str], spec: Table, display: str) -> tuple[dict[str, str], list[Problem]]:
    """Header name -> schema name for the known columns; warnings for extra and missing ones."""
    canonical = {name.upper(): name for name in spec.columns}
    names: dict[str, str] = {}
    extra = []
    for raw in header:
        name = canonical.get(raw.strip().upper())
        if name is None or name in names.values():
            extra.append(raw)
        else:
            names[raw] = name
    if not names:
        shown = shorten(",".join(header))
        raise Fatal(Problem.of(display, code="no_known_column", row=1, table=spec.name, header=shown))
    missing = [name for name in spec.input_columns(names.values()) if name not in names.values()]
    required = [name for name in spec.required if name in missing]
    absent = [Problem.of(display, code="required_column_missing", column=name, row=1) for name in required]
    if absent:
        raise Fatal(*absent)
    notes = []
    if extra:
        notes.append(Problem.of(display, code="unknown_columns_ignored", row=1, severity="warning",
                                n=len(extra), columns=extra))
    if missing:
        notes.append(Problem.of(display, code="columns_missing_left_empty", row=1, severity="warning",
                                n=len(missing), columns=missing))
    return names, notes


def read_types(spec: Table, compact: bool) -> dict[str, pl.DataType]:
    """The type each column of ``spec`` is read as: the schema's; text as ``Categorical`` when ``compact``
    (4 bytes a cell instead of 16 and more: the categories repeat; the same values, and the feature
    pipeline casts them back, so scores do not change). Each column has categories of its own, which
    polars lets go with the last frame using them (the global ones would keep every text ever read)."""
    return {name: pl.Categorical(pl.Categories(name, _CATEGORIES)) if compact and column.kind == "str"
            else column.dtype for name, column in spec.columns.items()}


def finish(frame: pl.DataFrame, spec: Table, display: str, decimal_comma: bool,
           problems: list[Problem], compact: bool = False) -> tuple[pl.DataFrame, list[Problem]]:
    """Frame typed as :func:`read_types` says, complete, in schema order (when ``compact``, number columns
    that hold whole numbers only as the smallest integer type: :func:`whole_numbers`); fatal when cells,
    keys or the row count are wrong."""
    types = read_types(spec, compact)
    frame, errors = _coerce(frame, spec, display, decimal_comma, types)
    if errors:
        raise Fatal(*errors, *problems)
    if frame.height == 0:
        if spec.name == "application":
            raise Fatal(Problem.of(display, code="no_clients"))
        problems.append(Problem.of(display, code="header_but_no_rows", severity="warning"))
    errors = _key_problems(frame, spec, display)
    if errors:
        raise Fatal(*errors, *problems)
    if compact:
        frame = whole_numbers(frame, spec)
    columns = [pl.col(name) if name in frame.columns else pl.lit(None, types[name]).alias(name)
               for name in spec.input_columns(frame.columns)]
    return frame.select(columns), problems


def whole_numbers(frame: pl.DataFrame, spec: Table) -> pl.DataFrame:
    """``frame`` with each decimal column whose values are all whole numbers (counts, days, months, flags)
    as the smallest integer type holding them: 1 to 4 bytes a cell instead of 8, the same values (the
    feature pipeline casts them back to the schema's type exactly). Keys keep their type (tables are
    joined on them); a column holding a NaN, an infinity, a negative zero or a fraction stays as it is."""
    whole = []
    for name in frame.columns:
        series = frame[name]
        if spec.columns[name].kind != "float" or series.dtype != pl.Float64 or series.null_count() == len(series):
            continue
        ints = series.cast(pl.Int32, strict=False)  # null where not whole, not finite or out of range
        if ints.null_count() == series.null_count() and (ints == series).all() and not _negative_zero(series):
            whole.append(ints.shrink_dtype())
    return frame.with_columns(whole) if whole else frame


def _negative_zero(series: pl.Series) -> bool:
    values = series.drop_nulls().to_numpy()
    return bool((np.signbit(values) & (values == 0)).any())


def _coerce(
    frame: pl.DataFrame, spec: Table, display: str, decimal_comma: bool, types: dict[str, pl.DataType]
) -> tuple[pl.DataFrame, list[Problem]]:
    """Cast every column to its type in ``types``; one problem per bad cell (capped), in line order."""
    values, masks = [], []
    for name, dtype in frame.schema.items():
        column = spec.columns[name]
        if dtype != types[name]:
            value, bad = _parse(name, dtype, column, types[name], decimal_comma)
            values.append(value.alias(name))
            if bad is not None:
                masks.append(bad.alias(_MASK + name))
    checked = frame.lazy().with_columns(*values, *masks).collect()
    bad = checked.select(cs.starts_with(_MASK)).rename(lambda mask: mask.removeprefix(_MASK))
    typed = checked.drop(_MASK + name for name in bad.columns)
    total = bad.select(pl.sum_horizontal(pl.all().sum())).item() if bad.width else 0
    if not total:
        return typed, []
    rows = bad.select(pl.arg_where(pl.any_horizontal(pl.all()))).to_series().head(MAX_ERRORS_PER_FILE)
    cells = [(row, name) for row in rows for name in bad.columns if bad[name][row]][:MAX_ERRORS_PER_FILE]
    problems = []
    for row, name in cells:
        problems.append(_cell_problem(frame[name][row], spec.columns[name], decimal_comma, display,
                                      FIRST_DATA_LINE + row))
    if total > len(problems):
        unlisted = total - len(problems)
        problems.append(Problem.of(display, code="cells_unreadable", total=total, unlisted=unlisted))
    return frame, problems


def _parse(
    name: str, dtype: pl.DataType, column: Column, target: pl.DataType, decimal_comma: bool
) -> tuple[pl.Expr, pl.Expr | None]:
    """(value as ``target``, true for the cells that do not fit ``column``) of ``name`` stored as ``dtype``."""
    cells = pl.col(name)
    if column.kind == "str":
        return cells.cast(pl.String).cast(target), None
    if dtype != pl.String:  # Parquet with another numeric type: values must survive the cast
        value = cells.cast(column.dtype, strict=False)
        lost = value.is_null() | (value.cast(dtype, strict=False) != cells)
        return value, (cells.is_not_null() & lost).fill_null(False)
    number = cells.str.replace(",", ".", literal=True) if decimal_comma else cells
    value = number.cast(column.dtype, strict=False)
    bad = cells.is_not_null() & (cells != "") & value.is_null()
    if decimal_comma:
        bad = bad | cells.str.contains(".", literal=True)
    return value, bad.fill_null(False)


def _cell_problem(cell: object, column: Column, decimal_comma: bool, display: str, line: int) -> Problem:
    text = str(cell)
    shown = text if len(text) <= _SHOWN_CHARS else text[:_SHOWN_CHARS] + "…"
    where = {"column": column.name, "row": line, "value": shown}
    if decimal_comma and _POINT_NUMBER.fullmatch(text):
        return Problem.of(display, code="decimal_point_in_comma_file", **where)
    if not decimal_comma and _COMMA_NUMBER.fullmatch(text):
        return Problem.of(display, code="decimal_comma_in_point_file", **where)
    if column.kind == "int":
        return Problem.of(display, code="cell_not_whole_number", **where)
    return Problem.of(display, code="cell_not_number", **where)


def _key_problems(frame: pl.DataFrame, spec: Table, display: str) -> list[Problem]:
    problems = []
    for key in spec.keys:
        rows = frame.select(pl.arg_where(pl.col(key).is_null())).to_series()
        if rows.len():
            lines = (rows.head(MAX_ERRORS_PER_FILE) + FIRST_DATA_LINE).to_list()
            problems.append(Problem.of(display, code="key_empty", column=key, row=lines[0], key=key,
                                       n=rows.len(), lines=lines, lines_total=rows.len()))
    if spec.name == "application":
        problems += _duplicate_problems(frame, "SK_ID_CURR", display)
    return problems


def _duplicate_problems(frame: pl.DataFrame, key: str, display: str) -> list[Problem]:
    groups = (frame.select(pl.col(key), pl.int_range(pl.len(), dtype=pl.Int64).alias("_row"))
              .filter(pl.col(key).is_duplicated() & pl.col(key).is_not_null())
              .group_by(key, maintain_order=True).agg("_row"))
    problems = []
    for value, rows in groups.head(MAX_ERRORS_PER_FILE).iter_rows():
        lines = [row + FIRST_DATA_LINE for row in rows]
        problems.append(Problem.of(display, code="duplicate_key", column=key, row=lines[1], key=key,
                                   value=value, lines=lines))
    if groups.height > len(problems):
        problems.append(Problem.of(display, code="duplicate_keys_unlisted", column=key, key=key,
                                   n=groups.height, unlisted=groups.height - len(problems)))
    return problems
