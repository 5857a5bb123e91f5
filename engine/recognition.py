"""Which Home Credit table each file holds, recognised by its columns; the file name is only a hint.

A table fits a file whose header carries all its required columns (``engine.schema``: the
application's key columns, each other table's keys); among the tables that fit, the one that owns
the most of the header's columns wins. Two tables fitting as well (a file with only the keys shared
by the four tables of previous credits) are told apart by the file name (``bureau_balance`` in
« export bureau_balance.csv »), else the file is ambiguous and the problem names the candidates. A
file that no table fits gets a problem naming the nearest table and the required columns it lacks.
A file found in a folder or an archive that fits no table and whose name points to none is left
out (logged): folders hold other files too.

``choose_sources`` keeps one file per table; ``single_source`` picks the file ``read_table`` reads.
"""

from __future__ import annotations

import io
import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import polars as pl

from engine.csv_dialect import MAX_LINE_BYTES, header_columns
from engine.input_problems import Fatal, InputError, Problem, first_line, shorten
from engine.schema import TABLE_NAMES, tables
from engine.sources import Source, TableFile, find_files, hints_table, load, peek, read_failure, split_name

log = logging.getLogger(__name__)

#: Codes of problems that leave a file found in a folder or archive out, rather than refusing it.
_NOT_A_TABLE = frozenset({"no_table_column", "no_table_fits", "not_csv_known_format", "not_csv_binary",
                          "empty_file", "malformed_table", "first_line_too_long", "invalid_parquet"})


@dataclass(frozen=True)
class Fit:
    """How well one table fits a header."""

    table: str
    owned: int  # header columns that are the table's
    missing: tuple[str, ...]  # its required columns the header lacks


def fits(header: Sequence[str]) -> list[Fit]:
    """Every table's fit to ``header`` (names compared case-insensitively), in schema order."""
    present = {name.strip().upper() for name in header}
    result = []
    for name, spec in tables().items():
        owned = sum(column.upper() in present for column in spec.columns)
        missing = tuple(column for column in spec.required if column.upper() not in present)
        result.append(Fit(name, owned, missing))
    return result


def table_of(header: Sequence[str], hint: str | None, display: str) -> str:
    """The table ``header`` is (``hint``, from the file name, breaks ties); ``Fatal`` when none or several."""
    scored = fits(header)
    fitting = [fit for fit in scored if not fit.missing]
    if fitting:
        best = max(fit.owned for fit in fitting)
        tied = [fit.table for fit in fitting if fit.owned == best]
        if len(tied) == 1 or hint in tied:
            return tied[0] if len(tied) == 1 else hint
        raise Fatal(Problem.of(display, code="table_ambiguous", row=1, tables=tied, example=tied[0]))
    if not any(fit.owned for fit in scored):
        raise Fatal(Problem.of(display, code="no_table_column", row=1, header=shorten(",".join(header))))
    nearest = max(scored, key=lambda fit: (fit.owned, fit.table == hint))
    raise Fatal(Problem.of(display, code="no_table_fits", column=nearest.missing[0], row=1, table=nearest.table,
                           n=len(nearest.missing), columns=list(nearest.missing)))


def _variant(src: TableFile, header: Sequence[str]) -> str:
    """"train" or "test" for an application file: said by its name, else by a TARGET column."""
    said = set(re.split(r"[^a-z]+", src.stem)) & {"train", "test"}
    if len(said) == 1:
        return said.pop()
    return "train" if "TARGET" in {name.strip().upper() for name in header} else "test"


def header_of(src: TableFile) -> list[str]:
    """The column names of a file, from its first bytes (a Parquet file's schema)."""
    if src.fmt != "parquet":
        return header_columns(peek(src, MAX_LINE_BYTES + 1), src.display)
    try:
        data = load(src) if src.member is not None else src.path
        return list(pl.read_parquet_schema(io.BytesIO(data) if isinstance(data, bytes) else data))
    except OSError as exc:
        raise Fatal(read_failure(src.display, exc)) from exc
    except (Exception, pl.exceptions.PanicException) as exc:  # a damaged Parquet footer raises several kinds
        raise Fatal(Problem.of(src.display, code="invalid_parquet", detail=first_line(exc))) from exc


def recognise(src: TableFile) -> TableFile:
    """``src`` with its table (and variant); ``Fatal`` when its columns fit no table or several."""
    header = header_of(src)
    table = table_of(header, hints_table(src.stem), src.display)
    return replace(src, table=table, variant=_variant(src, header) if table == "application" else None)


def recognise_all(found: Sequence[TableFile]) -> tuple[list[TableFile], list[Problem]]:
    """The files recognised, and the problems of those that are not (a found file fitting none is left out)."""
    recognised, problems = [], []
    for src in found:
        try:
            recognised.append(recognise(src))
        except Fatal as fatal:
            left_out = not src.explicit and hints_table(src.stem) is None
            if left_out and all(p.code in _NOT_A_TABLE for p in fatal.problems):
                log.info("%s left out: %s", src.display, "; ".join(p.message for p in fatal.problems))
                continue
            problems += fatal.problems
    return recognised, problems


def choose_sources(
    source: Source | Sequence[Source], application: str | None
) -> tuple[dict[str, TableFile], list[Problem]]:
    """One file per table, and the problems of the inputs that cannot be used (unreadable, no table,
    ambiguous, several files for one table): the caller reports them with those of the chosen files."""
    if application not in (None, "train", "test"):
        raise ValueError(f'application must be "train", "test" or None, not {application!r}')
    found, problems = find_files(source)
    recognised, trouble = recognise_all(found)
    problems += trouble
    by_table: dict[str, list[TableFile]] = {}
    for src in recognised:
        by_table.setdefault(src.table, []).append(src)
    chosen = {}
    for table, group in by_table.items():
        if table == "application" and len(group) > 1 and application is not None:
            group = [src for src in group if src.variant == application] or group
        if len(group) == 1:
            chosen[table] = group[0]
            continue
        names = ", ".join(src.display for src in group)
        if table == "application":
            problems.append(Problem.of(group[0].display, code="several_application_files", names=names))
        else:
            problems.append(Problem.of(group[0].display, code="several_table_files", table=table,
                                       names=names))
    if "application" not in by_table and not problems:  # a bad application file was reported already
        problems.append(Problem.of(_describe(source), code="no_application_table",
                                   columns=list(tables()["application"].required)))
    return chosen, problems


def single_source(path: Path, table: str | None) -> TableFile:
    """The one table file ``read_table`` reads, honouring an explicit table name."""
    if table is not None and table not in TABLE_NAMES:
        raise ValueError(f"unknown table {table!r}; expected one of {', '.join(TABLE_NAMES)}")
    parts = split_name(path.name)
    if table is not None and not (parts and parts[1] == "zip"):
        return TableFile(path.name, parts[1] if parts else "csv", path, table=table)
    found, problems = find_files(path)
    if table is None:
        found, trouble = recognise_all(found)
        problems += trouble
    else:
        found = [replace(src, table=table) for src in found if _holds(src, table)]
    if len(found) == 1 and not problems:
        return found[0]
    if not problems:
        if table is None:
            problems = [Problem.of(path.name, code="archive_several_tables", n=len(found))]
        elif found:
            problems = [Problem.of(path.name, code="archive_same_table_twice", n=len(found), table=table)]
        else:
            problems = [Problem.of(path.name, code="archive_lacks_table", table=table)]
    raise InputError(problems)


def _holds(src: TableFile, table: str) -> bool:
    """Whether an archive member is ``table`` (by its columns; a member that fits none does not)."""
    try:
        return recognise(src).table == table
    except Fatal:
        return False


def _describe(source: Source | Sequence[Source]) -> str:
    if isinstance(source, (str, Path)):
        return Path(source).name or str(source)
    return ", ".join(Path(item).name for item in source) or "(no files)"
