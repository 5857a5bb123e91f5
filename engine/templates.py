"""HTML pages rendered from Jinja2 templates (``resources/templates/*.j2``, autoescaped).

One environment for every page the app writes (training report, drift summary, credit memo): values
are escaped unless a template marks them safe (the Plotly figures, already HTML), and an undefined
name is an error, not an empty string.
"""

from __future__ import annotations

from functools import cache

from jinja2 import Environment, FileSystemLoader, StrictUndefined, Undefined, select_autoescape

from engine.resources import resources_dir


@cache
def environment() -> Environment:
    """The templates' environment; the filter ``fmt`` is Python's ``format`` (``{{ x | fmt(".4f") }}``)."""
    env = Environment(
        loader=FileSystemLoader(resources_dir() / "templates"),
        autoescape=select_autoescape(["j2", "html"], default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["fmt"] = _format
    return env


def _format(value: object, spec: str) -> str:
    """Python's ``format``; an undefined value raises Jinja2's UndefinedError (its ``str`` does)."""
    return str(value) if isinstance(value, Undefined) else format(value, spec)


def render(name: str, **context: object) -> str:
    """The template ``name`` (e.g. ``"training_report.html.j2"``) filled with ``context``."""
    return environment().get_template(name).render(**context)
