"""Plain-word labels of model features, their values and their effect, in French and English.

A feature label is composed from its :class:`FeatureSpec` (column label from ``tables.json`` or
:mod:`engine.vocabulary`, aggregation, scope, source table); category values come from ``levels.json``.
Unknown columns fall back to their raw name.

A reason reads "<label> : <qualifier> (<value>) — <effect>" ("Score externe le plus bas : faible
(0,16) — augmente le risque"), or "<statement> — <effect>" for yes/no and category features
("N'est pas propriétaire de son logement — augmente le risque").
"""

from __future__ import annotations

import re
from functools import cache

from engine import formats
from engine import vocabulary as vocab
from engine.catalogues import catalogue
from engine.constants import DAYS_NOT_APPLICABLE, DAYS_PER_MONTH, DAYS_PER_YEAR
from engine.feature_spec import FeatureSpec
from engine.formats import LANGS, duration, plain, quote
from engine.formats import check as _check
from engine.formats import missing as _missing
from engine.vocabulary import DERIVED  # also imported from here by desktop.explain


@cache
def _columns() -> dict[str, dict[str, dict[str, str]]]:
    """Columns of ``tables.json`` by table."""
    return {table: spec["columns"] for table, spec in catalogue("tables").items()}


@cache
def _levels() -> dict[str, dict]:
    """Category values in words (``levels.json``): ``fr`` and ``en`` by column, ``common`` to all."""
    return catalogue("levels")


def column_label(table: str, column: str, lang: str = "fr") -> str:
    """Short label of a raw or derived column; the column name itself when unknown."""
    _check(lang)
    if column in DERIVED:
        return DERIVED[column][LANGS.index(lang)]
    entry = _columns().get(table, {}).get(column, {})
    return entry.get("fr" if lang == "fr" else "label_en") or column


def level_label(column: str, level: str, lang: str = "fr") -> str:
    """Category value in words; the original text when not translated."""
    _check(lang)
    levels = _levels()[lang].get(column, {})
    if level in levels:
        return levels[level]
    numbered = re.match(r"^(\D+?):? [Tt]ype (\d+)$", level)  # "Industry: type 9", "Business Entity Type 3"
    if lang == "fr" and numbered and numbered.group(1) in levels:
        return f"{levels[numbered.group(1)]}, type {numbered.group(2)}"
    common = _levels()["common"]
    return common[level][LANGS.index(lang)] if level in common else level


def _gender(label: str) -> str:
    """Grammatical gender of a French label, from its first word."""
    return "f" if label.split(" ", 1)[0] in vocab.FEMININE else "m"


def _agree(masculine: str, feminine: str, gender: str) -> str:
    return feminine if gender == "f" else masculine


def _lower(label: str) -> str:
    """Label with a lowercase first letter, unless it starts with an acronym."""
    if len(label) > 1 and label[1].isupper():
        return label
    return label[:1].lower() + label[1:]


def _of_fr(label: str) -> str:
    """French ``de`` + article + label: "du montant", "de la dette", "de l'ancienneté"."""
    word = _lower(label)
    if word[:1] in "aâàeéèêiîoôuûyh":
        return f"de l'{word}"
    return f"de la {word}" if _gender(label) == "f" else f"du {word}"


def _de(phrase: str) -> str:
    """French ``de`` before a noun phrase without article, elided before a vowel."""
    return f"d'{phrase}" if phrase[:1] in "aâàeéèêiîoôuûyh" else f"de {phrase}"


def _after_noun(label: str, adjective: str) -> str:
    """French label with an adjective after its head noun: "Montant moyen du crédit", "Solde maximal"."""
    words = label.split(" ")
    cut = next((i for i, word in enumerate(words[1:], 1) if vocab.COMPLEMENT.match(word)), len(words))
    return " ".join([*words[:cut], adjective, *words[cut:]])


@cache  # pure and called for every reason of every client
def _base_kind(column: str) -> str:
    """Kind of value of a column, before aggregation."""
    if column in DERIVED:
        return DERIVED[column][2]
    return next((kind for rule, kind in vocab.KIND_RULES if re.search(rule, column)), "number")


def _rows(spec: FeatureSpec, lang: str, one: bool = False) -> tuple[str, str] | None:
    """The aggregated rows in words ("crédits actifs au bureau") and their French gender; None for the
    application row, or when ``one`` (singular) is asked of a table without a singular."""
    rows = vocab.TABLES.get(vocab.ROWS_OF.get(spec.column, spec.table))
    if rows is None:
        return None
    template = (rows.fr_one if one else rows.fr) if lang == "fr" else (rows.en_one if one else rows.en)
    if template is None:
        return None
    scope = vocab.SCOPES.get(spec.scope or "")
    if scope is None:
        return template.format(s=""), rows.gender
    if lang == "en":
        return template.format(s=f"{scope[4]} "), rows.gender
    return template.format(s=f" {scope[2 * (rows.gender == 'f') + (not one)]}"), rows.gender


def _with_rows(label: str, spec: FeatureSpec, lang: str) -> str:
    """Label followed by the aggregated rows: "... des crédits actifs au bureau"."""
    rows = _rows(spec, lang)
    if rows is None:
        return label
    return f"{label} des {rows[0]}" if lang == "fr" else f"{label} of {rows[0]}"


@cache  # pure and called for every reason of every client
def _dated(spec: FeatureSpec) -> bool:
    """Whether the feature is worded by the event its rows are dated by ("Dernière demande précédente")."""
    if spec.column not in vocab.EVENTS or spec.table not in vocab.TABLES:
        return False
    event = vocab.EVENTS[spec.column]
    if spec.agg in vocab.ORDINALS:
        return event is not None or _rows(spec, "fr", one=True) is not None
    return spec.agg == "mean" and event is not None and vocab.SIGNED.match(spec.column) is not None


def _dated_label(spec: FeatureSpec, lang: str) -> tuple[str, str]:
    """First/last dated row or event ("Première clôture des crédits au bureau"), or mean date."""
    event = vocab.EVENTS[spec.column]
    if event is None:  # the rows themselves are the events
        phrase, gender = _rows(spec, lang, one=True) or ("", "m")
        masculine, feminine, en = vocab.ORDINALS[spec.agg or ""]
        ordinal = _agree(masculine, feminine, gender) if lang == "fr" else en
        return f"{ordinal} {phrase}", gender
    noun, gender, en_noun = event
    if spec.agg in vocab.ORDINALS:
        masculine, feminine, en = vocab.ORDINALS[spec.agg]
        label = f"{_agree(masculine, feminine, gender)} {noun}" if lang == "fr" else f"{en} {en_noun}"
    else:
        masculine, feminine, en = vocab.AGG_ADJECTIVES["mean"]
        label = f"{noun[:1].upper()}{noun[1:]} {_agree(masculine, feminine, gender)}"
        label = label if lang == "fr" else f"{en} {en_noun}"
    return _with_rows(label, spec, lang), gender


def _aggregated(spec: FeatureSpec, column: str, lang: str) -> tuple[str, str]:
    """Label of an aggregate of a numeric column, and its French gender."""
    count = vocab.WORDS[lang]["count"]
    if spec.agg == "count":
        rows = _rows(spec, lang)
        if rows is None:
            return f"{count} ({column})", "m"
        counted = vocab.TABLES[vocab.ROWS_OF.get(spec.column, spec.table)].counted
        link = "des" if lang == "fr" else "of"
        what = f"{counted[LANGS.index(lang)]} {link} {rows[0]}" if counted else rows[0]
        return (f"{count} {_de(what)}" if lang == "fr" else f"{count} of {what}"), "m"
    agg = vocab.BACKWARD_AGG.get(spec.agg or "", spec.agg) if vocab.BACKWARD.match(spec.column) else spec.agg
    gender = _gender(column)
    if agg in vocab.AGG_ADJECTIVES:
        masculine, feminine, en = vocab.AGG_ADJECTIVES[agg]
        label = (
            _after_noun(column, _agree(masculine, feminine, gender))
            if lang == "fr"
            else f"{en} {_lower(column)}"
        )
    elif agg in vocab.AGG_NOUNS:
        noun, gender, en = vocab.AGG_NOUNS[agg]
        label = f"{noun} {_of_fr(column)}" if lang == "fr" else f"{en} {_lower(column)}"
    else:
        label = f"{column} ({spec.agg})"
    return _with_rows(label, spec, lang), gender


def _negated(spec: FeatureSpec, label: str, lang: str) -> str:
    """A yes/no label in the negative: "Document n°3 non fourni", "Ne possède pas de voiture"."""
    if spec.column in vocab.NEGATIONS:
        return vocab.NEGATIONS[spec.column][LANGS.index(lang)]
    head, _, last = label.rpartition(" ")
    return f"{head} {vocab.WORDS[lang]['not']} {last}" if head else f"{vocab.WORDS[lang]['not']} {label}"


def _statement(spec: FeatureSpec, true: bool, lang: str) -> str:
    """An application yes/no or category feature as a statement, true or not: "Type de revenu : Salarié",
    "Type de revenu : autre que « Salarié »", "Profession non renseignée", "Document n°3 non fourni"."""
    words = vocab.WORDS[lang]
    column = column_label(spec.table, spec.column, lang)
    if spec.level is None or (spec.level in vocab.YES_NO and _base_kind(spec.column) == "flag"):
        positive = true if spec.level is None else true == vocab.YES_NO[spec.level]
        return column if positive else _negated(spec, column, lang)
    if spec.level in vocab.MISSING_LEVELS:
        masculine, feminine, en = vocab.PROVIDED[not true]
        return f"{column} {_agree(masculine, feminine, _gender(column)) if lang == 'fr' else en}"
    level = level_label(spec.column, spec.level, lang)
    shown = level if true else f"{words['other']} {quote(level, lang)}"
    return f"{column}{words['sep']}{shown}"


@cache  # pure and called for every reason of every client
def _is_statement(spec: FeatureSpec) -> bool:
    """Application yes/no and category features read as statements, without value or qualifier."""
    return spec.agg is None and (spec.level is not None or _base_kind(spec.column) == "flag")


def _category_share(spec: FeatureSpec, column: str, lang: str) -> tuple[str, str]:
    """Share (count when summed) of rows with a category value, and its French gender."""
    words = vocab.WORDS[lang]
    head, gender = (words["count"], "m") if spec.agg == "sum" else (words["share"], "f")
    if spec.level in vocab.MISSING_LEVELS:
        masculine, feminine, en = vocab.PROVIDED[False]
        provided = _agree(masculine, feminine, _gender(column)) if lang == "fr" else en
        value = f"{_lower(column)} {provided}"
    else:
        value = f"{_lower(column)} {quote(level_label(spec.column, spec.level or '', lang), lang)}"
    return f"{_with_rows(head, spec, lang)} {words['with']} {value}", gender


@cache  # pure and called for every reason of every client
def _compose(spec: FeatureSpec, lang: str) -> tuple[str, str]:
    """Label of a feature and the French gender of its head noun (for the qualifier's agreement)."""
    column = column_label(spec.table, spec.column, lang)
    if _is_statement(spec):
        return _statement(spec, True, lang), _gender(column)
    if spec.level is not None:
        return _category_share(spec, column, lang)
    if spec.agg is None:
        return column, _gender(column)
    return _dated_label(spec, lang) if _dated(spec) else _aggregated(spec, column, lang)


def feature_label(spec: FeatureSpec, lang: str = "fr") -> str:
    """Plain-word label of a model feature, composed from its spec."""
    _check(lang)
    return _compose(spec, lang)[0]


@cache  # pure and called for every reason of every client
def _kind(spec: FeatureSpec) -> str:
    """Kind of value: count, flag, percent, score, money, days, daycount, months, years or number."""
    if spec.agg in ("count", "nunique"):
        return "count"
    base = "flag" if spec.level is not None else _base_kind(spec.column)
    if base == "flag":
        shares = {"mean": "percent", "sum": "count", "var": "number", "std": "number"}
        return shares.get(spec.agg or "", "flag")
    return "number" if spec.agg == "var" else base


@cache  # pure and called for every reason of every client
def _reading(spec: FeatureSpec) -> str:
    """How a value compares: as a date, an elapsed time or a level (see ``vocabulary.QUALIFIERS``)."""
    if spec.level is None and vocab.SIGNED.match(spec.column) and spec.agg in (None, "min", "max", "mean"):
        return "date"
    return "elapsed" if spec.level is None and _dated(spec) else "level"


def _score(value: float, lang: str) -> str:
    """Score between 0 and 1 with two decimals ("0,42"), more when small ("0,0005")."""
    return formats.number(value, lang, 2, small=True)


def _percent(value: float, lang: str) -> str:
    """Ratio as a percentage with at most one decimal: "5,3 %" / "5.3%"."""
    return formats.percent(value, lang, 1, trim=True, small=True)


def _when(days: float, lang: str) -> str:
    """A date relative to the application: "il y a 3 mois", "dans 2 ans" / "3 months ago", "in 2 years"."""
    words = vocab.WORDS[lang]
    if round(days) == 0:
        return words["now"]
    return words["ago" if days < 0 else "in"].format(duration(days, lang))


def format_value(spec: FeatureSpec, value: float | None, lang: str = "fr") -> str:
    """Feature value in human units (years, money, percent, score...); "inconnu"/"unknown" when missing."""
    _check(lang)
    words = vocab.WORDS[lang]
    if _missing(value):
        return words["unknown"]
    kind = _kind(spec)
    if kind == "days" and value >= DAYS_NOT_APPLICABLE:
        return words["na"]
    if kind in ("days", "months") and _reading(spec) != "level":
        return _when(value * (DAYS_PER_MONTH if kind == "months" else 1), lang)
    if kind == "days":
        return duration(value, lang)
    if kind == "daycount":
        return formats.unit(round(value), "day", lang)
    if kind == "months":
        return duration(value * DAYS_PER_MONTH, lang)
    if kind == "years":
        return duration(value * DAYS_PER_YEAR, lang)
    if kind == "flag":
        return words["yes"] if value >= 0.5 else words["no"]
    formats_by_kind = {"money": formats.amount, "percent": _percent, "score": _score}
    return formats_by_kind.get(kind, plain)(value, lang)


def effect(contribution: float, lang: str) -> str:
    """"augmente le risque" / "réduit le risque" by the sign of a contribution."""
    words = vocab.WORDS[lang]
    return words["up"] if contribution > 0 else words["down"] if contribution < 0 else words["none"]


def _qualifier(
    spec: FeatureSpec, label: str, gender: str, value: float | None, reference: float | None, lang: str
) -> str:
    """"faible", "élevée", "récents", "late"... from the value against the reference, agreed with the
    label's gender and number; "" without reference."""
    if _missing(value) or _missing(reference) or value == reference or _kind(spec) == "flag":
        return ""
    if _kind(spec) == "days" and max(value, reference) >= DAYS_NOT_APPLICABLE:
        return ""
    reading = _reading(spec)
    spread = spec.agg in ("var", "std", "count", "nunique")
    sign = -1 if reading != "date" and vocab.BACKWARD.match(spec.column) and not spread else 1
    low, high = vocab.QUALIFIERS[reading][gender if lang == "fr" else "en"]
    plural = "s" if lang == "fr" and label.split(" ", 1)[0] in vocab.PLURAL else ""
    return f"{high if sign * value > sign * reference else low}{plural}"


def detail(spec: FeatureSpec, value: float | None, lang: str = "fr", reference: float | None = None) -> str:
    """The feature and the client's value in words: "Score externe n°3 : faible (0,21)".

    ``reference`` (e.g. the median of the training clients) adds a qualifier ("faible"/"élevé",
    "récent"/"ancien"...); without it, the value alone is given. Yes/no and category features read
    as statements.
    """
    _check(lang)
    words = vocab.WORDS[lang]
    if _is_statement(spec):
        if _missing(value):
            return f"{feature_label(spec, lang)} ({words['unknown']})"
        return _statement(spec, value >= 0.5, lang)
    label, gender = _compose(spec, lang)
    shown = format_value(spec, value, lang)
    qualifier = _qualifier(spec, label, gender, value, reference, lang)
    return f"{label}{words['sep']}{f'{qualifier} ({shown})' if qualifier else shown}"


def category(column: str, level: str | None, lang: str = "fr") -> str:
    """An application category as the client's own level: "Type de revenu : Retraité"; "inconnu" when
    the model does not know the client's level."""
    if level is None:
        return f"{column_label('application', column, lang)}{vocab.WORDS[lang]['sep']}{vocab.WORDS[lang]['unknown']}"
    return _statement(FeatureSpec(column, "application", column, level=level), True, lang)


def reason(
    spec: FeatureSpec,
    value: float | None,
    contribution: float,
    lang: str = "fr",
    reference: float | None = None,
) -> str:
    """One sentence on a feature's effect: "Score externe n°3 : faible (0,21) — augmente le risque".

    ``contribution`` > 0 raises the probability of default, < 0 lowers it; see :func:`detail`.
    """
    return f"{detail(spec, value, lang, reference)}{vocab.WORDS[lang]['dash']}{effect(contribution, lang)}"
