"""The fairness figures in words, French and English: the one reading of the model card and the training
report (wording in ``resources/i18n/model.json``, keys ``model.fairness_*``).

Per attribute (sex, age band): the group approved least, its ratio to the most approved group against
the four-fifths benchmark; whether the attribute is a model input; and each group's observed default
rate, overall and among the accepted — when the accepted of the least approved group default less than
those of the most approved, the group may be held to a stricter bar than its risk asks (a gap to
examine); otherwise the gap in approval follows the observed risk.
"""

from __future__ import annotations

from collections.abc import Collection

from engine.catalogues import text
from engine.formats import number, percent, quote
from engine.manifest import Fairness, GroupFairness

#: The application column each attribute is read from: it is a model input unless excluded.
SOURCES = {"sex": "CODE_GENDER", "age": "DAYS_BIRTH"}
ATTRIBUTES = tuple(SOURCES)


def group_name(group: str, lang: str) -> str:
    """A group in words: « Femmes », "Under 30"."""
    return text(f"model.group_{group}", lang)


def ratio_cell(row: GroupFairness, fairness: Fairness, lang: str) -> str:
    """The group's ratio to the most approved group, or why it has none (too small to compare)."""
    if row.approval_ratio is None and row.clients < fairness.min_clients:
        return text("model.fairness_too_small", lang, n=fairness.min_clients)
    return number(row.approval_ratio, lang, 2)


def minimum_sentence(fairness: Fairness, lang: str) -> str | None:
    """That a group under the minimum size is not compared, when the figures apply one (None for manifests
    written before they did: they compared every group)."""
    return text("model.fairness_min", lang, n=fairness.min_clients) if fairness.min_clients > 1 else None


def default_rate(row: GroupFairness) -> float:
    """The group's observed default rate, from its accepted and its refused."""
    shares = ((row.approval_rate, row.default_rate_accepted), (1 - row.approval_rate, row.default_rate_refused))
    return sum(share * rate for share, rate in shares if rate is not None)


def reading(fairness: Fairness, attribute: str, exclude: Collection[str], lang: str) -> str:
    """The reading of one attribute's table: the ratio, whether it is an input, the default rates compared."""
    label = text(f"model.attribute_{attribute}", lang)
    low = fairness.lowest.get(attribute)
    if low is None:
        return text("model.fairness_no_ratio", lang, attribute=label, n=fairness.min_clients)
    rows = {row.group: row for row in fairness.groups(attribute)}
    group, best = rows[low.group], rows[low.best]
    verdict = "above" if low.ratio >= fairness.four_fifths else "below"
    sentences = [
        text("model.fairness_reading", lang, attribute=label, group=group_name(low.group, lang),
             best=group_name(low.best, lang), ratio=number(low.ratio, lang, 2), verdict=text(f"model.verdict_{verdict}", lang)),
        text(f"model.fairness_input_{attribute}_{'no' if SOURCES[attribute] in exclude else 'yes'}", lang),
    ]
    if group is not best and None not in (group.default_rate_accepted, best.default_rate_accepted):
        sentences.append(text(
            "model.fairness_rates", lang, group=quote(group_name(low.group, lang), lang),
            best=quote(group_name(low.best, lang), lang), rate=percent(default_rate(group), lang),
            best_rate=percent(default_rate(best), lang), accepted=percent(group.default_rate_accepted, lang),
            best_accepted=percent(best.default_rate_accepted, lang)))
        stricter = group.default_rate_accepted < best.default_rate_accepted
        sentences.append(text("model.fairness_stricter" if stricter else "model.fairness_follows", lang))
    return " ".join(sentences)
