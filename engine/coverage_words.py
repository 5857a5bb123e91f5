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
from engine.formats import fill, number
from engine.schema import TABLE_NAMES
from engine.vocabulary import COVERAGE, TABLES

#: The model of the largest coverage (every table): the most accurate.
FULL = COVERAGES[-1].name


def expected_auc(bundle: Bundle, model: str) -> float | None:
    """The model's out-of-fold ROC AUC (mean over the fold seeds), None if the bundle has no such model."""
    found = bundle.models.get(model)
    return None if found is None else found.metrics.roc_auc_mean


def ignored_tables(bundle: Bundle, model: str, supplied: Iterable[str]) -> list[str]:
    """Tables of ``supplied`` the model does not use (outside its coverage or never trained on)."""
    found = bundle.models.get(model)
    used = (found.tables if found is not None else frozenset()) & bundle.trained_tables
    given = set(supplied)
    return [name for name in TABLE_NAMES if name in given and name not in used]


def table_words(names: Iterable[str], lang: str) -> str:
    """Table names as an officer reads them: "demandes précédentes, prêts POS/espèces"."""
    return ", ".join(fill(getattr(TABLES[name], lang), lang, s="") if name in TABLES else name for name in names)


def model_sentence(model: str, auc: float | None, lang: str) -> str:
    """«Score établi sur la demande seule : moins précis (AUC attendue 0,75)»."""
    basis = COVERAGE["basis"].get(model)
    text = basis[lang] if basis else fill(COVERAGE["unknown_model"][lang], lang, name=model)
    if auc is None:
        return text
    return f"{text} ({fill(COVERAGE['auc'][lang], lang, auc=number(auc, lang, 2))})"


def scored_with(
    bundle: Bundle, model: str, supplied: Iterable[str], lang: str, bundle_id: str | None = None
) -> str:
    """The model sentence with its expected AUC, then the supplied tables it ignored, if any.

    ``bundle_id``: the bundle that made a stored score; the AUC is only stated when it is ``bundle``.
    """
    auc = expected_auc(bundle, model) if bundle_id in (None, bundle.id) else None
    ignored = ignored_tables(bundle, model, supplied)
    text = model_sentence(model, auc, lang)
    return f"{text}. {fill(COVERAGE['ignored'][lang], lang, tables=table_words(ignored, lang))}" if ignored else text
