"""Which model made a score, in words (French and English): the tables it rests on, its expected
AUC, and the tables a batch supplied that this model does not use.

The bundle holds one model per coverage (``engine.coverage``): a batch is scored by the largest
coverage whose tables it supplied, so an officer must read, next to the PD, that a score made on
the application alone is less accurate than one made with the client's history.
"""

from __future__ import annotations

from collections.abc import Iterable

from engine.bundle import Bundle
from engine.coverage import COVERAGES
from engine.formats import number
from engine.schema import TABLE_NAMES
from engine.vocabulary import TABLES

#: The model of the largest coverage (every table): the most accurate.
FULL = COVERAGES[-1].name

#: What each coverage's model rests on and how accurate it is: French, English.
BASIS: dict[str, tuple[str, str]] = {
    "application": (
        "Score établi sur la demande seule : moins précis",
        "Scored on the application alone: less accurate",
    ),
    "bureau": (
        "Score établi sur la demande et les crédits déclarés au bureau, sans l'historique chez nous : "
        "précision intermédiaire",
        "Scored on the application and the credit bureau records, without the history with us: "
        "intermediate accuracy",
    ),
    "full": (
        "Score établi sur la demande et tout l'historique du client",
        "Scored on the application and the client's full history",
    ),
}
UNKNOWN_MODEL = ("Score établi par le modèle « {name} »", "Scored by the model “{name}”")
AUC = ("AUC attendue {auc}", "expected AUC {auc}")
IGNORED = (
    "Tables fournies mais non utilisées par ce modèle : {tables}.",
    "Tables supplied but not used by this model: {tables}.",
)


def _pick(pair: tuple[str, str], lang: str) -> str:
    return pair[0] if lang == "fr" else pair[1]


def expected_auc(bundle: Bundle, model: str) -> float | None:
    """The model's out-of-fold ROC AUC (mean over the fold seeds), None if the bundle has no such model."""
    found = bundle.models.get(model)
    return None if found is None else found.metrics["roc_auc_mean"]


def ignored_tables(bundle: Bundle, model: str, supplied: Iterable[str]) -> list[str]:
    """Tables of ``supplied`` the model does not use (outside its coverage or never trained on)."""
    found = bundle.models.get(model)
    used = (found.tables if found is not None else frozenset()) & bundle.trained_tables
    given = set(supplied)
    return [name for name in TABLE_NAMES if name in given and name not in used]


def table_words(names: Iterable[str], lang: str) -> str:
    """Table names as an officer reads them: "demandes précédentes, prêts POS/espèces"."""
    return ", ".join(getattr(TABLES[name], lang).format(s="") if name in TABLES else name for name in names)


def model_sentence(model: str, auc: float | None, lang: str) -> str:
    """«Score établi sur la demande seule : moins précis (AUC attendue 0,75)»."""
    basis = BASIS.get(model)
    text = _pick(basis, lang) if basis else _pick(UNKNOWN_MODEL, lang).format(name=model)
    if auc is None:
        return text
    return f"{text} ({_pick(AUC, lang).format(auc=number(auc, lang, 2))})"


def scored_with(
    bundle: Bundle, model: str, supplied: Iterable[str], lang: str, bundle_id: str | None = None
) -> str:
    """The model sentence with its expected AUC, then the supplied tables it ignored, if any.

    ``bundle_id``: the bundle that made a stored score; the AUC is only stated when it is ``bundle``.
    """
    auc = expected_auc(bundle, model) if bundle_id in (None, bundle.id) else None
    ignored = ignored_tables(bundle, model, supplied)
    text = model_sentence(model, auc, lang)
    return f"{text}. {_pick(IGNORED, lang).format(tables=table_words(ignored, lang))}" if ignored else text
