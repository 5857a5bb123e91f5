"""Tables from JSON-like records (the local API, the what-if form), checked against the schema.

The same rules as the file readers: known columns only (unknown ones reported), numbers where the
schema says numbers, text where it says text, keys present; problems name the table, the column
and the record's position.
"""

from __future__ import annotations

import json
import math
import sys
from collections.abc import Mapping, Sequence
from numbers import Real

import polars as pl

from engine.input_problems import Fatal, shorten
from engine.readers import InputError, Problem
from engine.input_problems import has_errors
from engine.plausibility import check_table
from engine.recognition import table_of
from engine.sources import hints_table
from engine.schema import tables


#: Whole numbers are stored as 64-bit integers; decimals as 64-bit floats.
INT_RANGE = (-(1 << 63), (1 << 63) - 1)
FLOAT_RANGE = (-sys.float_info.max, sys.float_info.max)


def _cell_problem(table: str, column: str, index: int, value: object, kind: str) -> Problem | None:
    """What is wrong with one value of a record, named by table, column and record (None if fine)."""
    if value is None:
        return None
    where = {"column": column, "row": index + 1, "value": shorten(repr(value))}
    if kind == "str":
        return None if isinstance(value, str) else Problem.of(table, code="value_not_text", **where)
    number = isinstance(value, Real) and not isinstance(value, bool)
    if number and isinstance(value, float) and not math.isfinite(value):
        return Problem.of(table, code="value_not_finite", **where)
    if kind == "float" and not number:
        return Problem.of(table, code="value_not_number", **where)
    if kind == "int" and not (number and (isinstance(value, int) or float(value).is_integer())):
        return Problem.of(table, code="value_not_whole_number", **where)
    low, high = INT_RANGE if kind == "int" else FLOAT_RANGE
    if not low <= value <= high:  # exact: Python compares ints and floats without rounding
        return Problem.of(table, code="value_out_of_range", low=f"{low:.6g}", high=f"{high:.6g}", **where)
    return None


def frame_from_records(table: str, records: Sequence[Mapping[str, object]]) -> tuple[pl.DataFrame, list[Problem]]:
    """A typed frame of ``table`` from records; raises InputError on errors, returns warnings."""
    spec = tables()[table]
    errors: list[Problem] = []
    unknown: set[str] = set()
    for i, record in enumerate(records):
        if not isinstance(record, Mapping):
            errors.append(Problem.of(table, code="record_not_object", row=i + 1))
            continue
        unknown.update(k for k in record if k not in spec.columns)
        for key in spec.required:
            if record.get(key) is None:
                errors.append(Problem.of(table, code="required_field_missing", column=key, row=i + 1))
        for column, value in record.items():
            if column in spec.columns:
                problem = _cell_problem(table, column, i, value, spec.columns[column].kind)
                if problem:
                    errors.append(problem)
    if errors:
        raise InputError(errors)
    present = {k for record in records for k in record}
    columns = spec.input_columns(present)
    data = {c: [record.get(c) for record in records] for c in columns}
    frame = pl.DataFrame(data, schema={c: spec.columns[c].dtype for c in columns}, strict=False)
    warnings = check_table(frame, table, table, first_line=1)  # the ranges of the file readers
    if has_errors(warnings):
        raise InputError(warnings)
    if unknown:
        warnings.append(Problem.of(table, code="unknown_fields_ignored", severity="warning",
                                   fields=", ".join(sorted(unknown))))
    return frame, warnings


def json_body(data: bytes) -> object:
    """A request's JSON; unreadable JSON, nesting too deep for the parser included, is an :class:`InputError`."""
    try:
        return json.loads(data)
    except RecursionError:
        reason = "nested too deeply"
    except ValueError as exc:
        reason = str(exc)
    raise InputError([Problem.of("request", code="body_not_json", reason=reason)])


def tables_from_json(body: Mapping[str, object]) -> tuple[dict[str, pl.DataFrame], list[Problem]]:
    """``{"application": {...}, "bureau": [{...}], ...}`` → typed frames (application: one client).

    A key that is a table's name is that table; any other key (« clients agence nov ») is recognised
    by its records' columns, the key being a hint, as a file's name is (``engine.recognition``).
    """
    if not isinstance(body, Mapping):
        raise InputError([Problem.of("request", code="body_not_application_object")])
    named = recognised_keys(body)
    if not isinstance(body.get(named.get("application")), Mapping):
        raise InputError([Problem.of("request", code="body_not_application_object")])
    frames, warnings = {}, []
    for table, key in named.items():
        value = body[key]
        records = [value] if table == "application" else value
        if not isinstance(records, list):
            raise InputError([Problem.of(key, code="not_a_list_of_records")])
        frames[table], found = frame_from_records(table, records)
        warnings += found
    return frames, warnings


def recognised_keys(body: Mapping[str, object]) -> dict[str, str]:
    """Table -> the body's key that holds it; ``InputError`` naming the keys that fit no table, several
    tables (the candidates), or a table another key holds already."""
    keys: dict[str, list[str]] = {}
    problems: list[Problem] = []
    for key, value in body.items():
        if key in tables():
            keys.setdefault(key, []).append(key)
            continue
        records = [value] if isinstance(value, Mapping) else value if isinstance(value, list) else []
        header = list(dict.fromkeys(column for record in records if isinstance(record, Mapping) for column in record))
        hint = hints_table(key)
        if not header:  # no column to tell the table by: only the name can say it
            if hint is None:
                problems.append(Problem.of(key, code="no_records_to_recognise", tables=list(tables())))
            else:
                keys.setdefault(hint, []).append(key)
            continue
        try:
            keys.setdefault(table_of(header, hint, key), []).append(key)
        except Fatal as fatal:
            problems += fatal.problems
    problems += [Problem.of(held[0], code="several_table_files", table=table, names=", ".join(held))
                 for table, held in keys.items() if len(held) > 1]
    if problems:
        raise InputError(problems)
    return {table: held[0] for table, held in keys.items()}
