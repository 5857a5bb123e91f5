"""Plain-word labels of model features, their values and their effect, in French and English.

A feature label is composed from its :class:`FeatureSpec`: the column label (``tables.json``,
or :data:`DERIVED` for columns computed by the pipeline), the aggregation, the scope and the
source table. Unknown columns fall back to their raw name.
"""

from __future__ import annotations

import json
import math
import re
from functools import cache
from pathlib import Path

from engine.feature_spec import FeatureSpec

LANGS = ("fr", "en")

#: Derived columns: (French label, English label, kind of value; see :func:`_kind`).
DERIVED: dict[str, tuple[str, str, str]] = {
    "PAYMENT_RATE": ("Mensualité rapportée au crédit", "Annuity to credit ratio", "percent"),
    "ANNUITY_INCOME_PERC": ("Taux d'effort", "Annuity to income ratio", "percent"),
    "INCOME_CREDIT_PERC": ("Revenu rapporté au crédit", "Income to credit ratio", "percent"),
    "INCOME_PER_PERSON": ("Revenu par personne du foyer", "Income per household member", "money"),
    "CREDIT_GOODS_PERC": ("Crédit rapporté au prix du bien", "Credit to goods price ratio", "percent"),
    "CREDIT_GOODS_DIFF": ("Écart entre crédit et prix du bien", "Credit minus goods price", "money"),
    "ANNUITY_GOODS_PERC": ("Mensualité rapportée au prix du bien", "Annuity to goods price ratio", "percent"),
    "CHILDREN_PERC": ("Part d'enfants dans le foyer", "Share of children in household", "percent"),
    "AGE_YEARS": ("Âge", "Age", "years"),
    "EMPLOYED_YEARS": ("Ancienneté dans l'emploi", "Time in current job", "years"),
    "DAYS_EMPLOYED_PERC": (
        "Ancienneté dans l'emploi rapportée à l'âge",
        "Job tenure to age ratio",
        "percent",
    ),
    "CAR_AGE_PERC": ("Âge de la voiture rapporté à l'âge", "Car age to client age ratio", "percent"),
    "REGISTRATION_PERC": (
        "Ancienneté de l'enregistrement rapportée à l'âge",
        "Registration age to client age ratio",
        "percent",
    ),
    "ID_PUBLISH_PERC": (
        "Ancienneté de la pièce d'identité rapportée à l'âge",
        "ID document age to client age ratio",
        "percent",
    ),
    "PHONE_CHANGE_PERC": (
        "Ancienneté du téléphone rapportée à l'âge",
        "Phone age to client age ratio",
        "percent",
    ),
    "EXT_SOURCES_MEAN": ("Score externe moyen", "Average external score", "score"),
    "EXT_SOURCES_MIN": ("Score externe le plus bas", "Lowest external score", "score"),
    "EXT_SOURCES_MAX": ("Score externe le plus haut", "Highest external score", "score"),
    "EXT_SOURCES_STD": ("Dispersion des scores externes", "Spread of external scores", "score"),
    "EXT_SOURCES_PROD": ("Produit des scores externes", "Product of external scores", "score"),
    "EXT_SOURCES_WEIGHTED_SUM": (
        "Somme pondérée des scores externes",
        "Weighted sum of external scores",
        "score",
    ),
    "EXT_SOURCES_WEIGHTED_MEAN": (
        "Moyenne pondérée des scores externes",
        "Weighted average of external scores",
        "score",
    ),
    "EXT_SOURCES_NULL_COUNT": ("Nombre de scores externes manquants", "Missing external scores", "number"),
    "DOCUMENT_COUNT": ("Nombre de documents fournis", "Documents provided", "number"),
    "MONTHS_BALANCE_MIN": ("Ancienneté de l'historique du crédit", "Length of credit history", "months"),
    "MONTHS_BALANCE_MAX": (
        "Ancienneté du dernier relevé mensuel",
        "Time since last monthly record",
        "months",
    ),
    "MONTHS_BALANCE_SIZE": ("Nombre de mois d'historique", "Months of history", "number"),
    "APP_CREDIT_PERC": (
        "Montant demandé rapporté au montant accordé",
        "Requested to granted amount ratio",
        "percent",
    ),
    "PAYMENT_PERC": ("Part de l'échéance payée", "Share of instalment paid", "percent"),
    "PAYMENT_DIFF": ("Reste dû sur l'échéance", "Instalment shortfall", "money"),
    "DPD": ("Retard de paiement", "Days past due", "daycount"),
    "DBD": ("Avance de paiement", "Days paid early", "daycount"),
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
#: Aggregation as read on an elapsed time.
BACKWARD_AGG = {"min": "max", "max": "min"}

#: Source table as a plural noun phrase: French (phrase, gender), English phrase; ``{s}`` takes the scope.
TABLES: dict[str, tuple[str, str, str]] = {
    "bureau": ("crédits{s} au bureau", "m", "{s}bureau credits"),
    "bureau_balance": (
        "mois d'historique des crédits{s} au bureau",
        "m",
        "monthly records of {s}bureau credits",
    ),
    "previous_application": ("demandes précédentes{s}", "f", "{s}previous applications"),
    "POS_CASH_balance": (
        "relevés mensuels de prêts POS et espèces",
        "m",
        "monthly POS and cash loan records",
    ),
    "installments_payments": ("échéances de crédits précédents", "f", "instalments of previous credits"),
    "credit_card_balance": ("relevés mensuels de cartes de crédit", "m", "monthly credit card records"),
}

#: Scope: French plural adjective (masculine, feminine), English adjective.
SCOPES: dict[str, tuple[str, str, str]] = {
    "active": ("actifs", "actives", "active"),
    "closed": ("clos", "closes", "closed"),
    "approved": ("acceptés", "acceptées", "approved"),
    "refused": ("refusés", "refusées", "refused"),
}

#: Aggregations shown as an adjective after the French noun: (masculine, feminine), English word.
AGG_ADJECTIVES: dict[str, tuple[str, str, str]] = {
    "min": ("minimal", "minimale", "Minimum"),
    "max": ("maximal", "maximale", "Maximum"),
    "mean": ("moyen", "moyenne", "Average"),
    "sum": ("total", "totale", "Total"),
}

#: Aggregations shown as a noun before the label: French, English.
AGG_NOUNS: dict[str, tuple[str, str]] = {
    "var": ("Variance", "Variance of"),
    "std": ("Écart-type", "Standard deviation of"),
    "nunique": ("Nombre de valeurs distinctes", "Number of distinct values of"),
}

#: First words of French labels that are feminine (the rest are taken as masculine).
FEMININE = frozenset(
    "Adresse Ancienneté Assurance Avance Catégorie Combinaison Densité Dernière Dette Devise Dispersion "
    "Durée Échéance Heure Mensualité Moyenne Note Part Profession Situation Somme Surface Variance Version "
    "Zone".split()
)

#: French wording of common category values, by column; other values are shown as they are.
LEVELS_FR: dict[str, dict[str, str]] = {
    "NAME_CONTRACT_TYPE": {
        "Cash loans": "Prêt personnel",
        "Revolving loans": "Crédit renouvelable",
        "Consumer loans": "Crédit à la consommation",
    },
    "CODE_GENDER": {"M": "Homme", "F": "Femme"},
    "NAME_TYPE_SUITE": {
        "Unaccompanied": "Seul",
        "Family": "Famille",
        "Spouse, partner": "Conjoint",
        "Children": "Enfants",
        "Group of people": "Groupe",
        "Other_A": "Autre (A)",
        "Other_B": "Autre (B)",
    },
    "NAME_INCOME_TYPE": {
        "Working": "Salarié",
        "Commercial associate": "Commerçant / associé",
        "Pensioner": "Retraité",
        "State servant": "Fonctionnaire",
        "Unemployed": "Sans emploi",
        "Student": "Étudiant",
        "Businessman": "Chef d'entreprise",
        "Maternity leave": "Congé maternité",
    },
    "NAME_EDUCATION_TYPE": {
        "Secondary / secondary special": "Secondaire",
        "Higher education": "Études supérieures",
        "Incomplete higher": "Études supérieures non terminées",
        "Lower secondary": "Collège",
        "Academic degree": "Diplôme universitaire",
    },
    "NAME_FAMILY_STATUS": {
        "Married": "Marié(e)",
        "Single / not married": "Célibataire",
        "Civil marriage": "Union libre",
        "Separated": "Séparé(e)",
        "Widow": "Veuf / veuve",
    },
    "NAME_HOUSING_TYPE": {
        "House / apartment": "Maison / appartement",
        "With parents": "Chez les parents",
        "Municipal apartment": "Logement social",
        "Rented apartment": "Location",
        "Office apartment": "Logement de fonction",
        "Co-op apartment": "Coopérative",
    },
    "OCCUPATION_TYPE": {
        "Laborers": "Ouvriers",
        "Core staff": "Employés",
        "Sales staff": "Vendeurs",
        "Managers": "Cadres",
        "Drivers": "Chauffeurs",
        "High skill tech staff": "Techniciens qualifiés",
        "Accountants": "Comptables",
        "Medicine staff": "Personnel médical",
        "Security staff": "Sécurité",
        "Cooking staff": "Cuisine",
        "Cleaning staff": "Nettoyage",
        "Private service staff": "Services à la personne",
        "Low-skill Laborers": "Ouvriers non qualifiés",
        "Waiters/barmen staff": "Serveurs / barmans",
        "Secretaries": "Secrétariat",
        "Realty agents": "Agents immobiliers",
        "HR staff": "Ressources humaines",
        "IT staff": "Informatique",
    },
    "WEEKDAY_APPR_PROCESS_START": {
        "MONDAY": "Lundi",
        "TUESDAY": "Mardi",
        "WEDNESDAY": "Mercredi",
        "THURSDAY": "Jeudi",
        "FRIDAY": "Vendredi",
        "SATURDAY": "Samedi",
        "SUNDAY": "Dimanche",
    },
    "ORGANIZATION_TYPE": {
        "Self-employed": "Indépendant",
        "Government": "Administration",
        "School": "École",
        "Medicine": "Santé",
        "Construction": "BTP",
        "Bank": "Banque",
        "Police": "Police",
        "Military": "Armée",
        "University": "Université",
        "Agriculture": "Agriculture",
        "Kindergarten": "Crèche",
        "Services": "Services",
        "Housing": "Logement",
        "Trade": "Commerce",
        "Industry": "Industrie",
        "Transport": "Transport",
        "Business Entity": "Entreprise",
        "Insurance": "Assurance",
        "Hotel": "Hôtellerie",
        "Restaurant": "Restauration",
        "Realtor": "Immobilier",
        "Security": "Sécurité",
        "Security Ministries": "Ministères régaliens",
        "Telecom": "Télécoms",
        "Mobile": "Téléphonie mobile",
        "Electricity": "Énergie",
        "Postal": "Poste",
        "Emergency": "Services d'urgence",
        "Advertising": "Publicité",
        "Legal Services": "Services juridiques",
        "Cleaning": "Nettoyage",
    },
    "CREDIT_ACTIVE": {"Active": "Actif", "Closed": "Clos", "Sold": "Cédé", "Bad debt": "Créance douteuse"},
    "CREDIT_TYPE": {
        "Consumer credit": "Crédit à la consommation",
        "Credit card": "Carte de crédit",
        "Car loan": "Prêt auto",
        "Mortgage": "Prêt immobilier",
        "Microloan": "Microcrédit",
        "Cash loan (non-earmarked)": "Prêt personnel non affecté",
        "Loan for business development": "Prêt professionnel",
        "Another type of loan": "Autre prêt",
        "Unknown type of loan": "Type inconnu",
    },
    "STATUS": {
        "0": "Sans retard",
        "1": "Retard de 1 à 30 jours",
        "2": "Retard de 31 à 60 jours",
        "3": "Retard de 61 à 90 jours",
        "4": "Retard de 91 à 120 jours",
        "5": "Retard de plus de 120 jours ou passé en perte",
        "C": "Clos",
        "X": "Statut inconnu",
    },
    "NAME_CONTRACT_STATUS": {
        "Approved": "Acceptée",
        "Refused": "Refusée",
        "Canceled": "Annulée",
        "Unused offer": "Offre non utilisée",
        "Active": "Actif",
        "Completed": "Terminé",
        "Signed": "Signé",
        "Demand": "Mis en demeure",
        "Sent proposal": "Offre envoyée",
        "Amortized debt": "Dette amortie",
        "Returned to the store": "Retourné au magasin",
    },
    "NAME_CLIENT_TYPE": {
        "New": "Nouveau client",
        "Repeater": "Client récurrent",
        "Refreshed": "Client réactivé",
    },
    "NAME_YIELD_GROUP": {
        "high": "Taux élevé",
        "middle": "Taux moyen",
        "low_normal": "Taux bas",
        "low_action": "Taux promotionnel",
    },
    "NAME_PRODUCT_TYPE": {"x-sell": "Vente croisée", "walk-in": "Client spontané"},
    "NAME_PORTFOLIO": {"Cash": "Prêt personnel", "Cards": "Cartes", "Cars": "Auto", "POS": "Point de vente"},
    "CODE_REJECT_REASON": {
        "LIMIT": "Plafond",
        "VERIF": "Vérification",
        "CLIENT": "Client",
        "SYSTEM": "Système",
    },
}

#: Values with the same wording in every column: French, English.
COMMON_LEVELS: dict[str, tuple[str, str]] = {
    "Y": ("Oui", "Yes"),
    "N": ("Non", "No"),
    "Yes": ("Oui", "Yes"),
    "No": ("Non", "No"),
    "Other": ("Autre", "Other"),
    "XNA": ("Non renseigné", "Not available"),
    "XAP": ("Sans objet", "Not applicable"),
    "<missing>": ("Non renseigné", "Not provided"),  # the pipeline's level for a null category
}

#: English wording of coded category values (others are already English).
LEVELS_EN: dict[str, dict[str, str]] = {
    "CODE_GENDER": {"M": "Male", "F": "Female"},
    "STATUS": {
        "0": "No delay",
        "1": "1-30 days past due",
        "2": "31-60 days past due",
        "3": "61-90 days past due",
        "4": "91-120 days past due",
        "5": "Over 120 days past due or written off",
        "C": "Closed",
        "X": "Unknown status",
    },
}

WORDS: dict[str, dict[str, str]] = {
    "fr": {
        "unknown": "inconnu",
        "yes": "oui",
        "no": "non",
        "na": "sans objet",
        "share": "Part",
        "count": "Nombre",
        "with": "avec",
        "other": "autre que",
        "up": "augmente le risque",
        "down": "réduit le risque",
        "none": "sans effet sur le risque",
        "sep": " : ",
    },
    "en": {
        "unknown": "unknown",
        "yes": "yes",
        "no": "no",
        "na": "not applicable",
        "share": "Share",
        "count": "Number",
        "with": "with",
        "other": "other than",
        "up": "raises the risk",
        "down": "lowers the risk",
        "none": "no effect on the risk",
        "sep": ": ",
    },
}

#: (singular, plural) units of durations.
UNITS: dict[str, dict[str, tuple[str, str]]] = {
    "fr": {"year": ("an", "ans"), "month": ("mois", "mois"), "day": ("jour", "jours")},
    "en": {"year": ("year", "years"), "month": ("month", "months"), "day": ("day", "days")},
}

#: Qualifier of a value against a reference: (low, high) for masculine, feminine; English.
QUALIFIERS: dict[str, tuple[str, str]] = {
    "m": ("bas", "élevé"),
    "f": ("basse", "élevée"),
    "en": ("low", "high"),
}

DAYS_PER_YEAR = 365.25
DAYS_PER_MONTH = DAYS_PER_YEAR / 12
#: Placeholder Home Credit uses for DAYS_EMPLOYED of clients without a job.
DAYS_NOT_APPLICABLE = 365243
NNBSP = "\u202f"  # narrow no-break space: French thousands separator and space before %


@cache
def _columns() -> dict[str, dict[str, dict[str, str]]]:
    """Columns of ``tables.json`` by table."""
    raw = json.loads(Path(__file__).with_name("tables.json").read_text("utf-8"))
    return {table: spec["columns"] for table, spec in raw.items()}


def _check(lang: str) -> None:
    if lang not in LANGS:
        raise ValueError(f"unknown language {lang!r}, expected one of {LANGS}")


def _missing(value: float | None) -> bool:
    return value is None or math.isnan(value)


def _quote(text: str, lang: str) -> str:
    return f"« {text} »" if lang == "fr" else f"“{text}”"


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
    levels = (LEVELS_FR if lang == "fr" else LEVELS_EN).get(column, {})
    if level in levels:
        return levels[level]
    numbered = re.match(r"^(\D+?):? [Tt]ype (\d+)$", level)  # "Industry: type 9", "Business Entity Type 3"
    if lang == "fr" and numbered and numbered.group(1) in levels:
        return f"{levels[numbered.group(1)]}, type {numbered.group(2)}"
    if level in COMMON_LEVELS:
        return COMMON_LEVELS[level][LANGS.index(lang)]
    return level


def _gender(label: str) -> str:
    """Grammatical gender of a French label, from its first word."""
    return "f" if label.split(" ", 1)[0] in FEMININE else "m"


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


def _rows(spec: FeatureSpec, lang: str) -> str | None:
    """The aggregated rows in words ("crédits actifs au bureau"), or None for the application row."""
    table = ROWS_OF.get(spec.column, spec.table)
    if table not in TABLES:
        return None
    fr, gender, en = TABLES[table]
    scope = SCOPES.get(spec.scope or "")
    if lang == "fr":
        return fr.format(s=f" {scope[gender == 'f']}" if scope else "")
    return en.format(s=f"{scope[2]} " if scope else "")


def _with_rows(label: str, spec: FeatureSpec, lang: str) -> str:
    """Label followed by the aggregated rows: "... des crédits actifs au bureau"."""
    rows = _rows(spec, lang)
    if rows is None:
        return label
    return f"{label} des {rows}" if lang == "fr" else f"{label} of {rows}"


def _aggregated(spec: FeatureSpec, column: str, lang: str) -> str:
    """Label of an aggregate of a numeric column."""
    words = WORDS[lang]
    if spec.agg == "count":
        rows = _rows(spec, lang) or column
        return f"{words['count']} {_de(rows)}" if lang == "fr" else f"{words['count']} of {rows}"
    agg = BACKWARD_AGG.get(spec.agg, spec.agg) if BACKWARD.match(spec.column) else spec.agg
    if agg in AGG_ADJECTIVES:
        masc, fem, en = AGG_ADJECTIVES[agg]
        label = (
            f"{column} {fem if _gender(column) == 'f' else masc}"
            if lang == "fr"
            else f"{en} {_lower(column)}"
        )
    elif spec.agg in AGG_NOUNS:
        fr, en = AGG_NOUNS[spec.agg]
        label = f"{fr} {_of_fr(column)}" if lang == "fr" else f"{en} {_lower(column)}"
    else:
        label = f"{column} ({spec.agg})"
    return _with_rows(label, spec, lang)


def _category(spec: FeatureSpec, column: str, level: str, lang: str) -> str:
    """Label of a one-hot category: the flag itself, or its share (count when summed) over rows."""
    words = WORDS[lang]
    if spec.agg is None or spec.table not in TABLES:
        return f"{column}{words['sep']}{level}"
    head = words["count"] if spec.agg == "sum" else words["share"]
    quoted = _quote(level, lang)
    return f"{_with_rows(head, spec, lang)} {words['with']} {_lower(column)} {quoted}"


def feature_label(spec: FeatureSpec, lang: str = "fr") -> str:
    """Plain-word label of a model feature, composed from its spec."""
    column = column_label(spec.table, spec.column, lang)
    if spec.level is not None:
        return _category(spec, column, level_label(spec.column, spec.level, lang), lang)
    if spec.agg is None:
        return column
    return _aggregated(spec, column, lang)


def _kind(spec: FeatureSpec) -> str:
    """Kind of value: count, flag, percent, score, money, days, daycount, months, years or number."""
    if spec.agg in ("count", "nunique"):
        return "count"
    if spec.level is not None:
        base = "flag"
    elif spec.column in DERIVED:
        base = DERIVED[spec.column][2]
    else:
        base = next((kind for rule, kind in KIND_RULES if re.search(rule, spec.column)), "number")
    if base == "flag":
        return {"mean": "percent", "sum": "count", "var": "number", "std": "number"}.get(
            spec.agg or "", "flag"
        )
    return "number" if spec.agg == "var" else base


def _number(value: float, decimals: int, lang: str) -> str:
    """Number with thousands separators: "1 234 567,50" (narrow no-break spaces) or "1,234,567.50"."""
    text = f"{value:,.{decimals}f}"
    if lang == "fr":
        text = text.replace(",", NNBSP).replace(".", ",")
    return text


def _plain(value: float, lang: str, decimals: int = 2) -> str:
    """Number with at most ``decimals`` decimals, trailing zeros dropped."""
    rounded = round(value, decimals)
    if rounded == round(rounded):
        return _number(rounded, 0, lang)
    return _number(rounded, decimals, lang).rstrip("0")


def _money(value: float, lang: str) -> str:
    """Amount: no decimals for whole amounts, else two ("1 234 567,50")."""
    return _number(value, 0 if round(value, 2) == round(value) else 2, lang)


def _score(value: float, lang: str) -> str:
    """Score between 0 and 1 with two decimals: "0,42"."""
    return _number(value, 2, lang)


def _percent(value: float, lang: str) -> str:
    """Ratio as a percentage with at most one decimal: "5,3 %" / "5.3%"."""
    text = _plain(value * 100, lang, decimals=1)
    return f"{text}{NNBSP}%" if lang == "fr" else f"{text}%"


def _unit(amount: float, unit: str, lang: str, decimals: int = 0) -> str:
    """Amount with its unit, singular below 2 in French and at 1 in English: "1,5 an", "3 months"."""
    singular, plural = UNITS[lang][unit]
    one = abs(amount) < 2 if lang == "fr" else amount == 1
    return f"{_plain(amount, lang, decimals)} {singular if one else plural}"


def _duration(days: float, lang: str) -> str:
    """Length of time from a day count, sign dropped: "34 ans", "4,2 ans", "18 mois", "12 jours"."""
    days = abs(days)
    years = days / DAYS_PER_YEAR
    if years >= 10:  # whole years, as for an age
        return _unit(math.floor(years), "year", lang)
    if years >= 2:
        return _unit(years, "year", lang, decimals=1)
    if days >= DAYS_PER_MONTH:
        return _unit(round(days / DAYS_PER_MONTH), "month", lang)
    return _unit(round(days), "day", lang)


def format_value(spec: FeatureSpec, value: float | None, lang: str = "fr") -> str:
    """Feature value in human units (years, money, percent, score...); "inconnu"/"unknown" when missing."""
    _check(lang)
    words = WORDS[lang]
    if _missing(value):
        return words["unknown"]
    kind = _kind(spec)
    if kind == "days":
        return words["na"] if value >= DAYS_NOT_APPLICABLE else _duration(value, lang)
    if kind == "daycount":
        return _unit(round(value), "day", lang)
    if kind == "months":
        return _duration(abs(value) * DAYS_PER_MONTH, lang)
    if kind == "years":
        return _duration(abs(value) * DAYS_PER_YEAR, lang)
    if kind == "flag":
        return words["yes"] if value >= 0.5 else words["no"]
    formats = {"money": _money, "percent": _percent, "score": _score}
    return formats.get(kind, _plain)(value, lang)


def _effect(contribution: float, lang: str) -> str:
    words = WORDS[lang]
    return words["up"] if contribution > 0 else words["down"] if contribution < 0 else words["none"]


def _qualifier(spec: FeatureSpec, label: str, value: float | None, reference: float | None, lang: str) -> str:
    """' bas', ' élevée', ' high'... from the value against the reference (elapsed times by length), or ''."""
    if _missing(value) or _missing(reference) or value == reference or _kind(spec) == "flag":
        return ""
    if _kind(spec) == "days" and value >= DAYS_NOT_APPLICABLE:
        return ""
    sign = -1 if BACKWARD.match(spec.column) and spec.agg not in ("var", "std", "count", "nunique") else 1
    low, high = QUALIFIERS[_gender(label) if lang == "fr" else "en"]
    return f" {high if sign * value > sign * reference else low}"


def _category_reason(spec: FeatureSpec, value: float | None, lang: str) -> str:
    """Subject of a one-hot reason: "Type de revenu « Retraité »" or "... autre que « Retraité »"."""
    words = WORDS[lang]
    column = column_label(spec.table, spec.column, lang)
    level = level_label(spec.column, spec.level or "", lang)
    quoted = _quote(level, lang)
    if _missing(value):
        return f"{column} {quoted} ({words['unknown']})"
    return f"{column} {quoted}" if value >= 0.5 else f"{column} {words['other']} {quoted}"


def reason(
    spec: FeatureSpec,
    value: float | None,
    contribution: float,
    lang: str = "fr",
    reference: float | None = None,
) -> str:
    """One sentence on a feature's effect: "Score externe n°3 bas (0,21) : augmente le risque".

    ``contribution`` > 0 raises the probability of default, < 0 lowers it. ``reference`` (e.g. the
    median of the training clients) adds "bas"/"élevé" ("low"/"high"); without it, the value alone is given.
    """
    _check(lang)
    sep, effect = WORDS[lang]["sep"], _effect(contribution, lang)
    if spec.level is not None and spec.agg is None:
        return f"{_category_reason(spec, value, lang)}{sep}{effect}"
    label = feature_label(spec, lang)
    qualifier = _qualifier(spec, label, value, reference, lang)
    return f"{label}{qualifier} ({format_value(spec, value, lang)}){sep}{effect}"
