"""Words of :mod:`engine.labels` and :mod:`engine.reasons`, and the rules that pick them.

The words (derived columns, source tables, aggregations, qualifiers, reason groups, which model made
a score) live in the catalogue ``vocabulary.json``, read here once into the shapes the labels use;
column labels of the raw tables live in ``tables.json``. French entries carry the grammatical gender
(``m``/``f``) needed for agreement. The rules on column names (regular expressions) stay here.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from engine.catalogues import catalogue

_WORDS = catalogue("vocabulary")

#: Derived columns: (French label, English label, kind of value; see ``labels._kind``).
DERIVED: dict[str, tuple[str, str, str]] = {
    column: (entry["fr"], entry["en"], entry["kind"]) for column, entry in _WORDS["derived"].items()
}

#: Derived columns of one table summarised per row of another: aggregated over that other table's rows.
ROWS_OF: dict[str, str] = {f"MONTHS_BALANCE_{agg}": "bureau" for agg in ("MIN", "MAX", "SIZE")}

#: Kind of value by column name, first match wins (derived columns carry their own kind).
KIND_RULES: tuple[tuple[str, str], ...] = (
    (r"^EXT_SOURCE", "score"),
    (r"^(SK_DPD|SK_DPD_DEF|CREDIT_DAY_OVERDUE)$", "daycount"),
    (r"^DAYS_", "days"),
    (r"^MONTHS_BALANCE$", "months"),
    (r"^CNT_PAYMENT$", "months"),
    (r"^OWN_CAR_AGE$", "years"),
    (r"^AMT_REQ_", "number"),
    (r"^AMT_", "money"),
    (r"^N?FLAG_|_NOT_", "flag"),
    (r"^RATE_", "percent"),
)

#: Columns counting back from the application date (values <= 0) and labelled as elapsed time
#: ("Ancienneté..."): their minimum is the longest time, so min and max swap in words.
BACKWARD = re.compile(
    r"^(DAYS_(BIRTH|EMPLOYED|REGISTRATION|ID_PUBLISH|LAST_PHONE_CHANGE|CREDIT|ENDDATE_FACT|CREDIT_UPDATE"
    r"|DECISION|INSTALMENT|ENTRY_PAYMENT)|MONTHS_BALANCE(_MIN|_MAX)?)$"
)
#: Dates relative to the application, before or after it ("il y a 3 mois", "dans 2 ans").
SIGNED = re.compile(
    r"^DAYS_(CREDIT_ENDDATE|FIRST_DRAWING|FIRST_DUE|LAST_DUE_1ST_VERSION|LAST_DUE|TERMINATION)$"
)
#: Aggregation as read on an elapsed time.
BACKWARD_AGG = {"min": "max", "max": "min"}

#: What the date of a history column marks: (French noun, gender, English noun); ``None`` for the row
#: itself (a bureau credit is dated by its opening, a previous application by its decision).
EVENTS: dict[str, tuple[str, str, str] | None] = {
    column: None if event is None else (event["fr"], event["gender"], event["en"])
    for column, event in _WORDS["events"].items()
}
#: The earliest (min) and the latest (max) of dated rows: French (masculine, feminine), English.
ORDINALS: dict[str, tuple[str, str, str]] = {agg: (*w["fr"], w["en"]) for agg, w in _WORDS["ordinals"].items()}


class Rows(NamedTuple):
    """The rows of a history table in words; ``{s}`` takes the scope adjective."""

    fr: str  # plural, without article
    gender: str
    en: str
    fr_one: str | None = None  # singular, for tables whose rows are dated events
    en_one: str | None = None
    counted: tuple[str, str] | None = None  # what a row count counts (French, English), if not the rows


TABLES: dict[str, Rows] = {
    name: Rows(**{**rows, "counted": tuple(rows["counted"]) if "counted" in rows else None})
    for name, rows in _WORDS["tables"].items()
}

#: Scope adjective: French (masculine singular and plural, feminine singular and plural), English.
SCOPES: dict[str, tuple[str, str, str, str, str]] = {
    scope: (*w["fr"], w["en"]) for scope, w in _WORDS["scopes"].items()
}

#: Aggregations shown as an adjective of the French noun: (masculine, feminine), English word.
AGG_ADJECTIVES: dict[str, tuple[str, str, str]] = {
    agg: (*w["fr"], w["en"]) for agg, w in _WORDS["agg_adjectives"].items()
}

#: Aggregations shown as a noun before the label: French (noun, gender), English.
AGG_NOUNS: dict[str, tuple[str, str, str]] = {
    agg: (w["fr"], w["gender"], w["en"]) for agg, w in _WORDS["agg_nouns"].items()
}

#: French words that open a noun's complement: the aggregation adjective goes right before the first
#: one ("Montant moyen du crédit", "Retard moyen hors tolérance"), else at the end.
COMPLEMENT = re.compile(r"^(de|du|des|à|au|aux|en|sur|hors|par|pour)$|^(d'|\()")

#: First words of French labels that are feminine (the rest are taken as masculine).
FEMININE = frozenset(_WORDS["feminine"])

#: First words of French labels that are plural: the qualifier takes an "s" ("Logements ... : élevés").
PLURAL = frozenset(_WORDS["plural"])

#: Category values that mean "not provided".
MISSING_LEVELS = frozenset({"<missing>", "XNA"})
#: Category values of yes/no columns: True for yes.
YES_NO: dict[str, bool] = {"Y": True, "Yes": True, "N": False, "No": False}

#: Negative form of yes/no columns whose label cannot take a plain "non"/"not": French, English.
NEGATIONS: dict[str, tuple[str, str]] = {column: (w["fr"], w["en"]) for column, w in _WORDS["negations"].items()}

#: Small words of the sentences, by language.
WORDS: dict[str, dict[str, str]] = _WORDS["words"]

#: A category value not provided, or provided: French (masculine, feminine), English.
PROVIDED: dict[bool, tuple[str, str, str]] = {
    answer == "yes": (*w["fr"], w["en"]) for answer, w in _WORDS["provided"].items()
}

#: Qualifier of a value against a reference, by reading: (below, above) for French masculine, feminine
#: and English. Elapsed times read as recent/old, dates as early/late, the rest as low/high.
QUALIFIERS: dict[str, dict[str, tuple[str, str]]] = {
    reading: {"m": tuple(words["fr"]["m"]), "f": tuple(words["fr"]["f"]), "en": tuple(words["en"])}
    for reading, words in _WORDS["qualifiers"].items()
}

#: Which model made a score (``engine.coverage_words``): by coverage, and the sentences around it.
COVERAGE: dict = _WORDS["coverage"]
#: "and 3 more" after a shortened list, by language.
MORE: dict[str, str] = _WORDS["more"]


class ReasonGroup(NamedTuple):
    """A reason an officer can say aloud: the model features it sums (a history table as a whole,
    or application columns matching ``columns``) and its words."""

    key: str
    fr: str
    en: str
    tables: tuple[str, ...] = ()
    columns: str | None = None  # regular expression on the application column


#: The reason groups, in this order of precedence; every model feature belongs to exactly one
#: (``engine.reasons.group_of``). The last group catches what no other claims: no feature the
#: pipeline can build falls there (tested).
REASON_GROUPS: tuple[ReasonGroup, ...] = tuple(
    ReasonGroup(**{**group, "tables": tuple(group.get("tables", ()))}) for group in _WORDS["reason_groups"]
)
