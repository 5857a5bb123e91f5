"""What can be wrong with input files: ``Problem``, ``InputError``, and how problems are worded.

``Problem`` locates one issue (file, column, line as a spreadsheet shows it) as an error or a
warning; ``InputError`` carries every problem of a failed read; ``Fatal`` stops reading one file.
A problem made with ``Problem.of`` has a ``code`` and ``params``: its sentence comes from the
templates in ``problems.json`` (``{code: {"fr": ..., "en": ...}}``), English in ``message``, any
language through ``describe``. Templates are filled by :func:`engine.formats.fill` (``{n:line|lines}``
a count with its noun in the singular or plural by the language's plural rules, ``{n:,}`` a number in
the language's format); a list param is listed (ten items shown, its ``<name>_total`` param, if any,
being the full count).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from engine.catalogues import catalogue
from engine.formats import counted, fill
from engine.vocabulary import MORE

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
    code: str | None = None  # key of the templates in problems.json
    params: dict = field(default_factory=dict, hash=False)  # values the templates show (JSON types)

    @classmethod
    def of(cls, file: str, code: str, column: str | None = None, row: int | None = None,
           severity: Severity = "error", **params: Any) -> Problem:
        """A problem worded by the templates of ``code``, its English sentence as ``message``."""
        return cls(file, render(code, params, "en"), column, row, severity, code, params)

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
    head = f"The input files cannot be used ({counted(errors, 'en', 'problem', 'problems')}):"
    return "\n".join([head, *(f"  {p}" for p in problems)])


def listing(items: Sequence, limit: int = 10, total: int | None = None, lang: str = "en") -> str:
    total = len(items) if total is None else total
    shown = ", ".join(str(item) for item in items[:limit])
    return shown if total <= limit else f"{shown} {fill(MORE[lang], lang, n=total - limit)}"


def templates() -> dict[str, dict[str, str]]:
    """``{code: {"fr": template, "en": template}}`` from ``problems.json``."""
    return catalogue("problems")


def describe(problem: Problem, lang: str) -> str:
    """The problem's sentence in ``lang`` ("fr" or "en"); its ``message`` when it has no template."""
    if problem.code is None or problem.code not in templates():
        return problem.message
    return render(problem.code, problem.params, lang)


def render(code: str, params: dict, lang: str) -> str:
    """The template of ``code`` in ``lang`` filled with ``params``."""
    values = {name: listing(value, total=params.get(f"{name}_total"), lang=lang) if isinstance(value, list)
              else value for name, value in params.items()}
    return fill(templates()[code][lang], lang, **values)


def shorten(text: str) -> str:
    return text if len(text) <= 80 else text[:80] + "…"


def first_line(exc: Exception) -> str:
    return shorten(str(exc).strip().split("\n", 1)[0])
