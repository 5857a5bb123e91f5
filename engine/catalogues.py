"""The engine's catalogues: JSON files beside its modules (tables, levels, words, problems), read once.

``tables.json`` (the 7 tables' columns and their labels), ``levels.json`` (category values in words),
``vocabulary.json`` (the words labels and reasons are composed with), ``problems.json`` (the
sentences of input problems), ``drift_notes.json`` (the drift's notes and why a batch cannot be
compared) and ``drift_report.json`` (the header of the drift report); each text in
French and English, filled by :func:`engine.formats.fill`.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any


@cache
def catalogue(name: str) -> Any:
    """The content of ``engine/<name>.json`` (shared: not to be modified)."""
    return json.loads(Path(__file__).with_name(f"{name}.json").read_text("utf-8"))
