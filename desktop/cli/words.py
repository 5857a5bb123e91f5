"""The command's own sentences (``resources/i18n/cli.json``) around what the engine and the store word:
input problems, a validation report."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from desktop.i18n import t

if TYPE_CHECKING:
    from engine.input_problems import InputError, Problem


def problem_line(problem: Problem, lang: str) -> str:
    """Where the problem is (file, column, line) and what it is, in ``lang``."""
    from engine.input_problems import describe

    where = [problem.file]
    if problem.column:
        where.append(t("cli.column", lang, column=problem.column))
    if problem.row is not None:
        where.append(t("cli.line", lang, line=problem.row))
    key = "cli.problem_warning" if problem.severity == "warning" else "cli.problem"
    return t(key, lang, where=", ".join(where), message=describe(problem, lang))


def problem_lines(error: InputError, lang: str) -> list[str]:
    """Why the input files cannot be used: a heading, then one line per problem."""
    return [t("cli.input_refused", lang, n=len(error.errors)), *("  " + problem_line(p, lang) for p in error.problems)]


def report_lines(rows: dict[str, int], skipped: dict[str, int], problems: Iterable[Problem], lang: str) -> list[str]:
    """A validation report: rows read (and left out) per table, then its problems."""
    lines = [t("cli.rows_read_skipped" if skipped.get(table) else "cli.rows_read", lang, table=table, n=n,
               skipped=skipped.get(table, 0)) for table, n in rows.items()]
    return lines + [problem_line(p, lang) for p in problems]
