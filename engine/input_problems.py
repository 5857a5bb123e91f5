"""What can be wrong with input files: ``Problem``, ``InputError``, and how problems are worded.

``Problem`` locates one issue (file, column, line as a spreadsheet shows it) as an error or a
warning; ``InputError`` carries every problem of a failed read; ``Fatal`` stops reading one file.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

#: Line of the first data row (the header is line 1; Parquet rows are numbered the same way).
FIRST_DATA_LINE = 2

Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class Problem:
    """One thing wrong (or worth knowing) about an input file."""

    file: str  # file name as given; zip members as "archive.zip:member.csv"
    message: str
    column: str | None = None
    row: int | None = None  # line in the file as a spreadsheet shows it: header = 1
    severity: Severity = "error"

    def __str__(self) -> str:
        where = [self.file]
        if self.column:
            where.append(f"column {self.column}")
        if self.row is not None:
            where.append(f"line {self.row}")
        prefix = "warning: " if self.severity == "warning" else ""
        return f"{prefix}{', '.join(where)}: {self.message}"


class InputError(ValueError):
    """The input files cannot be used; ``problems`` lists why (errors first, then warnings)."""

    def __init__(self, problems: Sequence[Problem]):
        self.problems = sorted(problems, key=lambda p: p.severity != "error")
        super().__init__(_summary(self.problems))

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]


class Fatal(Exception):
    """Stops reading one file; carries the problems that explain why."""

    def __init__(self, *problems: Problem):
        super().__init__(problems)
        self.problems = list(problems)


def has_errors(problems: Sequence[Problem]) -> bool:
    return any(p.severity == "error" for p in problems)


def _summary(problems: Sequence[Problem]) -> str:
    errors = sum(p.severity == "error" for p in problems)
    head = f"The input files cannot be used ({count(errors, 'problem')}):"
    return "\n".join([head, *(f"  {p}" for p in problems)])


def count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


def listing(items: Sequence, limit: int = 10, total: int | None = None) -> str:
    total = len(items) if total is None else total
    shown = ", ".join(str(item) for item in items[:limit])
    return shown if total <= limit else f"{shown} and {total - limit} more"


def shorten(text: str) -> str:
    return text if len(text) <= 80 else text[:80] + "…"


def first_line(exc: Exception) -> str:
    return shorten(str(exc).strip().split("\n", 1)[0])
