"""The drift's notes in words: stored as a code and its values, worded when shown.

A note is a warning on the batch (``{"code": "few_rows", "rows": 80, "minimum": 100}``), why a column
was not compared (``{"column": …, "code": "absent"}``), why the PD was not (the score's
``features_absent``) or why a batch cannot be compared at all (``DriftError``'s code and values); its
sentence comes from ``engine/drift_notes.json`` in the reader's language.
Summaries stored before notes had codes hold English sentences: they are shown as stored.
"""

from __future__ import annotations

from engine.catalogues import catalogue
from engine.formats import fill

#: Below this many clients the summary warns that the tests say little.
MIN_ROWS = 100


def warnings(rows: int) -> list[dict]:
    """The notes on a batch of ``rows`` clients: too few to say much."""
    return [{"code": "few_rows", "rows": rows, "minimum": MIN_ROWS}] if rows < MIN_ROWS else []


def describe(note: dict | str, lang: str) -> str:
    """The note's sentence in ``lang``; a sentence stored as such (older summaries) as it is."""
    if isinstance(note, str):
        return note
    if "code" not in note:  # an older summary's reason, in English
        return note["reason"]
    return sentence(note["code"], lang, **{k: v for k, v in note.items() if k not in ("code", "column", "available")})


def sentence(code: str, lang: str, **values: object) -> str:
    """The sentence of ``code`` in ``lang``, filled with ``values``."""
    return fill(catalogue("drift_notes")[code][lang], lang, **values)
