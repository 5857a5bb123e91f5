"""Word tables of :mod:`engine.labels`: derived columns, source tables, aggregations, category values.

Column labels of the raw tables live in ``tables.json``; this module holds the words the labels are
composed with. French entries carry the grammatical gender (``m``/``f``) needed for agreement.
"""

from __future__ import annotations

import re
from typing import NamedTuple

#: Derived columns: (French label, English label, kind of value; see ``labels._kind``).
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
    "MONTHS_BALANCE_MIN": ("Ancienneté de l'historique", "Length of history", "months"),
    "MONTHS_BALANCE_MAX": (
        "Ancienneté du dernier relevé mensuel",
        "Time since last monthly record",
        "months",
    ),
    "MONTHS_BALANCE_SIZE": ("Nombre de mois d'historique", "Months of history", "number"),
    "APP_CREDIT_PERC": ("Ratio demandé / accordé", "Requested to granted ratio", "percent"),
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
#: Dates relative to the application, before or after it ("il y a 3 mois", "dans 2 ans").
SIGNED = re.compile(
    r"^DAYS_(CREDIT_ENDDATE|FIRST_DRAWING|FIRST_DUE|LAST_DUE_1ST_VERSION|LAST_DUE|TERMINATION)$"
)
#: Aggregation as read on an elapsed time.
BACKWARD_AGG = {"min": "max", "max": "min"}

#: What the date of a history column marks: (French noun, gender, English noun); ``None`` for the row
#: itself (a bureau credit is dated by its opening, a previous application by its decision).
EVENTS: dict[str, tuple[str, str, str] | None] = {
    "DAYS_CREDIT": None,
    "DAYS_DECISION": None,
    "MONTHS_BALANCE": ("relevé mensuel", "m", "monthly record"),
    "DAYS_ENDDATE_FACT": ("clôture", "f", "closure"),
    "DAYS_CREDIT_UPDATE": ("mise à jour", "f", "update"),
    "DAYS_INSTALMENT": ("échéance prévue", "f", "due date"),
    "DAYS_ENTRY_PAYMENT": ("paiement", "m", "payment"),
    "DAYS_CREDIT_ENDDATE": ("fin prévue", "f", "expected end"),
    "DAYS_FIRST_DRAWING": ("décaissement", "m", "drawing"),
    "DAYS_FIRST_DUE": ("début des remboursements", "m", "repayment start"),
    "DAYS_LAST_DUE_1ST_VERSION": ("fin prévue initiale", "f", "originally planned end"),
    "DAYS_LAST_DUE": ("fin prévue", "f", "planned end"),
    "DAYS_TERMINATION": ("fin de contrat", "f", "contract end"),
}
#: The earliest (min) and the latest (max) of dated rows: French (masculine, feminine), English.
ORDINALS: dict[str, tuple[str, str, str]] = {
    "min": ("Premier", "Première", "First"),
    "max": ("Dernier", "Dernière", "Last"),
}


class Rows(NamedTuple):
    """The rows of a history table in words; ``{s}`` takes the scope adjective."""

    fr: str  # plural, without article
    gender: str
    en: str
    fr_one: str | None = None  # singular, for tables whose rows are dated events
    en_one: str | None = None
    counted: tuple[str, str] | None = None  # what a row count counts (French, English), if not the rows


TABLES: dict[str, Rows] = {
    "bureau": Rows(
        "crédits{s} au bureau", "m", "{s}bureau credits", "crédit{s} au bureau", "{s}bureau credit"
    ),
    "bureau_balance": Rows(
        "mois d'historique des crédits{s} au bureau", "m", "monthly history of {s}bureau credits"
    ),
    "previous_application": Rows(
        "demandes précédentes{s}",
        "f",
        "{s}previous applications",
        "demande précédente{s}",
        "{s}previous application",
    ),
    "POS_CASH_balance": Rows(
        "prêts POS/espèces", "m", "POS/cash loans", counted=("mois d'historique", "months of history")
    ),
    "installments_payments": Rows("échéances des crédits précédents", "f", "instalments of previous credits"),
    "credit_card_balance": Rows(
        "cartes de crédit", "f", "credit cards", counted=("mois d'historique", "months of history")
    ),
}

#: Scope adjective: French (masculine singular and plural, feminine singular and plural), English.
SCOPES: dict[str, tuple[str, str, str, str, str]] = {
    "active": ("actif", "actifs", "active", "actives", "active"),
    "closed": ("clos", "clos", "close", "closes", "closed"),
    "approved": ("accepté", "acceptés", "acceptée", "acceptées", "approved"),
    "refused": ("refusé", "refusés", "refusée", "refusées", "refused"),
}

#: Aggregations shown as an adjective of the French noun: (masculine, feminine), English word.
AGG_ADJECTIVES: dict[str, tuple[str, str, str]] = {
    "min": ("minimal", "minimale", "Minimum"),
    "max": ("maximal", "maximale", "Maximum"),
    "mean": ("moyen", "moyenne", "Average"),
    "sum": ("total", "totale", "Total"),
}

#: Aggregations shown as a noun before the label: French (noun, gender), English.
AGG_NOUNS: dict[str, tuple[str, str, str]] = {
    "var": ("Variance", "f", "Variance of"),
    "std": ("Écart-type", "m", "Standard deviation of"),
    "nunique": ("Nombre de valeurs distinctes", "m", "Number of distinct values of"),
}

#: French words that open a noun's complement: the aggregation adjective goes right before the first
#: one ("Montant moyen du crédit", "Retard moyen hors tolérance"), else at the end.
COMPLEMENT = re.compile(r"^(de|du|des|à|au|aux|en|sur|hors|par|pour)$|^(d'|\()")

#: First words of French labels that are feminine (the rest are taken as masculine).
FEMININE = frozenset(
    "Adresse Ancienneté Assurance Avance Catégorie Clôture Combinaison Densité Dernière Dette Devise "
    "Dispersion Durée Échéance Fin Heure Mensualité Mise Moyenne Note Part Première Profession Situation "
    "Somme Surface Variance Version Zone".split()
)

#: First words of French labels that are plural: the qualifier takes an "s" ("Logements ... : élevés").
PLURAL = frozenset({"Logements", "Locaux"})

#: Category values that mean "not provided".
MISSING_LEVELS = frozenset({"<missing>", "XNA"})
#: Category values of yes/no columns: True for yes.
YES_NO: dict[str, bool] = {"Y": True, "Yes": True, "N": False, "No": False}

#: Negative form of yes/no columns whose label cannot take a plain "non"/"not": French, English.
NEGATIONS: dict[str, tuple[str, str]] = {
    "FLAG_OWN_CAR": ("Ne possède pas de voiture", "Does not own a car"),
    "FLAG_OWN_REALTY": ("N'est pas propriétaire de son logement", "Does not own a home"),
    "REG_REGION_NOT_LIVE_REGION": (
        "Adresse officielle et de contact dans la même région",
        "Permanent and contact address in the same region",
    ),
    "REG_REGION_NOT_WORK_REGION": (
        "Adresse officielle et lieu de travail dans la même région",
        "Permanent address and workplace in the same region",
    ),
    "LIVE_REGION_NOT_WORK_REGION": (
        "Adresse de contact et lieu de travail dans la même région",
        "Contact address and workplace in the same region",
    ),
    "REG_CITY_NOT_LIVE_CITY": (
        "Adresse officielle et de contact dans la même ville",
        "Permanent and contact address in the same city",
    ),
    "REG_CITY_NOT_WORK_CITY": (
        "Adresse officielle et lieu de travail dans la même ville",
        "Permanent address and workplace in the same city",
    ),
    "LIVE_CITY_NOT_WORK_CITY": (
        "Adresse de contact et lieu de travail dans la même ville",
        "Contact address and workplace in the same city",
    ),
}

WORDS: dict[str, dict[str, str]] = {
    "fr": {
        "unknown": "inconnu",
        "yes": "oui",
        "no": "non",
        "not": "non",
        "na": "sans objet",
        "share": "Part",
        "count": "Nombre",
        "with": "avec",
        "other": "autre que",
        "ago": "il y a {}",
        "in": "dans {}",
        "now": "à la date de la demande",
        "up": "augmente le risque",
        "down": "réduit le risque",
        "none": "sans effet sur le risque",
        "sep": " : ",
        "dash": " — ",
    },
    "en": {
        "unknown": "unknown",
        "yes": "yes",
        "no": "no",
        "not": "not",
        "na": "not applicable",
        "share": "Share",
        "count": "Number",
        "with": "with",
        "other": "other than",
        "ago": "{} ago",
        "in": "in {}",
        "now": "at application date",
        "up": "raises the risk",
        "down": "lowers the risk",
        "none": "no effect on the risk",
        "sep": ": ",
        "dash": " — ",
    },
}

#: A category value not provided, or provided: French (masculine, feminine), English.
PROVIDED: dict[bool, tuple[str, str, str]] = {
    False: ("non renseigné", "non renseignée", "not provided"),
    True: ("renseigné", "renseignée", "provided"),
}

#: (singular, plural) units of durations.
UNITS: dict[str, dict[str, tuple[str, str]]] = {
    "fr": {"year": ("an", "ans"), "month": ("mois", "mois"), "day": ("jour", "jours")},
    "en": {"year": ("year", "years"), "month": ("month", "months"), "day": ("day", "days")},
}

#: Qualifier of a value against a reference, by reading: (below, above) for French masculine, feminine
#: and English. Elapsed times read as recent/old, dates as early/late, the rest as low/high.
QUALIFIERS: dict[str, dict[str, tuple[str, str]]] = {
    "level": {"m": ("faible", "élevé"), "f": ("faible", "élevée"), "en": ("low", "high")},
    "elapsed": {"m": ("récent", "ancien"), "f": ("récente", "ancienne"), "en": ("recent", "old")},
    "date": {"m": ("précoce", "tardif"), "f": ("précoce", "tardive"), "en": ("early", "late")},
}


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
REASON_GROUPS: tuple[ReasonGroup, ...] = (
    ReasonGroup("external", "Scores externes", "External scores", columns=r"^EXT_SOURCE"),
    ReasonGroup(
        "bureau", "Crédits auprès d'autres établissements", "Credit with other lenders",
        tables=("bureau", "bureau_balance"), columns=r"^AMT_REQ_CREDIT_BUREAU_",
    ),
    ReasonGroup(
        "previous", "Demandes de crédit précédentes chez nous", "Previous applications with us",
        tables=("previous_application",),
    ),
    ReasonGroup(
        "repayments", "Remboursements des prêts chez nous", "Repayments of loans with us",
        tables=("installments_payments", "POS_CASH_balance"),
    ),
    ReasonGroup("cards", "Cartes de crédit chez nous", "Credit cards with us", tables=("credit_card_balance",)),
    ReasonGroup(
        "burden", "Revenu et taux d'effort", "Income and debt burden",
        columns=r"^(AMT_INCOME_TOTAL|ANNUITY_INCOME_PERC|INCOME_CREDIT_PERC|INCOME_PER_PERSON)$",
    ),
    ReasonGroup(
        "credit", "Montant et durée du crédit", "Amount and term of the credit",
        columns=r"^(AMT_CREDIT|AMT_ANNUITY|AMT_GOODS_PRICE|PAYMENT_RATE|CREDIT_GOODS_(PERC|DIFF)"
        r"|ANNUITY_GOODS_PERC|NAME_CONTRACT_TYPE)$",
    ),
    ReasonGroup(
        "employment", "Emploi et source de revenu", "Employment and source of income",
        columns=r"^(DAYS_EMPLOYED(_PERC)?|EMPLOYED_YEARS|NAME_INCOME_TYPE|OCCUPATION_TYPE|ORGANIZATION_TYPE)$",
    ),
    ReasonGroup("education", "Niveau d'études", "Education", columns=r"^NAME_EDUCATION_TYPE$"),
    ReasonGroup("age", "Âge", "Age", columns=r"^(DAYS_BIRTH|AGE_YEARS)$"),
    ReasonGroup(
        "housing", "Logement et biens", "Housing and assets",
        columns=r"^(FLAG_OWN_CAR|FLAG_OWN_REALTY|OWN_CAR_AGE|CAR_AGE_PERC|NAME_HOUSING_TYPE)$|_(AVG|MEDI|MODE)$",
    ),
    ReasonGroup(
        "family", "Situation familiale", "Family situation",
        columns=r"^(CNT_CHILDREN|CNT_FAM_MEMBERS|CHILDREN_PERC|NAME_FAMILY_STATUS)$",
    ),
    ReasonGroup("social", "Défauts dans l'entourage", "Defaults in the social circle", columns=r"_SOCIAL_CIRCLE$"),
    ReasonGroup("region", "Région et lieux de vie et de travail", "Region, home and workplace",
                columns=r"^(REGION_|REG_|LIVE_)"),
    ReasonGroup(
        "application", "Jour, heure et accompagnement de la demande", "Day, hour and company of the application",
        columns=r"^(WEEKDAY_APPR_PROCESS_START|HOUR_APPR_PROCESS_START|NAME_TYPE_SUITE)$",
    ),
    ReasonGroup(
        "documents", "Documents, pièce d'identité et coordonnées", "Documents, identity and contact details",
        columns=r"^(FLAG_DOCUMENT_\d+|DOCUMENT_COUNT|FLAG_(MOBIL|EMP_PHONE|WORK_PHONE|CONT_MOBILE|PHONE|EMAIL)"
        r"|DAYS_(LAST_PHONE_CHANGE|ID_PUBLISH|REGISTRATION)|(PHONE_CHANGE|ID_PUBLISH|REGISTRATION)_PERC)$",
    ),
    ReasonGroup("sex", "Sexe", "Sex", columns=r"^CODE_GENDER$"),
    ReasonGroup("other", "Autres éléments du dossier", "Other items of the file", columns=r""),
)
