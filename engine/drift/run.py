"""A drift run: the batch compared with the bundle's reference, as one JSON-ready summary and one page.

The batch is scored by the bundle's model matching the tables it **supplied** (``engine.coverage``):
features of the tables it did not supply are unknown, not drifted. They are listed under
``not_supplied``, left out of Evidently's tests (so of the drift share) and given the band
``not supplied`` instead of a PSI; the score's PSI and the approval rate compare the batch with the
reference PD of that model, at that model's threshold. Other columns absent from the batch, or
missing in every row of it, are not tested by Evidently either: they are listed under
``not_compared`` with their code (their PSI, when they are top features, puts all-missing columns
in the "act" band). Notes (``warnings``, ``not_compared``, an unavailable score) are codes and
values, worded when shown (:mod:`engine.drift.notes`).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
import polars as pl

from engine.bundle import Bundle
from engine.catalogues import catalogue
from engine.drift.evidently_report import column_tests, dataset_drift, page, snapshot
from engine.drift.figures import NOT_SUPPLIED, feature_psi, pd_histogram, score_shift
from engine.drift.inputs import (
    PD,
    TOP_FEATURE,
    DriftConfig,
    DriftError,
    aligned,
    batch_pd,
    column_table,
    drift_columns,
    kind,
    reference_rows,
    reference_sample,
    split_columns,
)
from engine.drift.notes import describe, warnings
from engine.formats import fill, number, percent, timestamp
from engine.psi import ACT_ABOVE, MONITOR_FROM
from engine.schema import TABLE_NAMES
from engine.templates import render

log = logging.getLogger(__name__)


@dataclass
class DriftResult:
    """The JSON-ready summary, the self-contained HTML page (Evidently report + PSI header) and the
    PD histograms of the reference and the batch (:func:`pd_histogram`; empty without a PD)."""

    summary: dict
    html: str
    histogram: dict = field(default_factory=dict)

    def json(self) -> str:
        return json.dumps(self.summary, ensure_ascii=False)

    def write_html(self, path: Path | str) -> Path:
        path = Path(path)
        path.write_text(self.html, "utf-8")
        return path


def run_drift(
    bundle: Bundle,
    current: pl.DataFrame,
    current_pd: np.ndarray | None = None,
    config: DriftConfig = DriftConfig(),
    progress: Callable[[str], None] = log.info,
    supplied: Iterable[str] | None = None,
    stored: pl.DataFrame | None = None,
    lang: str = "en",
    batch: int | str | None = None,
) -> DriftResult:
    """Drift of a batch (``SK_ID_CURR``, the model's features and the raw application text columns,
    as the pipeline and the reader give them) against the bundle's reference sample.

    ``supplied``: the tables the batch supplied (default: every table); the columns of the others are
    reported as not supplied, and the PD is compared with the reference of the model that scores such
    a batch. ``current_pd``: the batch's calibrated PD in row order; when omitted, :func:`batch_pd`
    gives it (the PD ``stored`` with the batch if this bundle's model made all of it, else scored here,
    once). ``lang``: the language of the page's header (ours; Evidently's part is its own); ``batch``:
    the batch's number, or what it is (file names). Raises :class:`DriftError` (a code and its values,
    worded in any language) for a batch that cannot be compared (no client, none of the compared
    columns, a column that does not convert, PD of another length).
    """
    if current.height == 0:
        raise DriftError("no_clients")
    supplied = frozenset(TABLE_NAMES if supplied is None else supplied)
    model = bundle.model_for(supplied)
    sources = drift_columns(bundle, config)
    absent = [c for c in sources if column_table(bundle, c) not in supplied]
    columns = [c for c in sources if c not in absent]
    reference = reference_sample(bundle, [*columns, model.reference_pd], config).rename({model.reference_pd: PD})
    compared, not_compared = split_columns(reference, current, columns)
    if not compared:
        raise DriftError("no_compared_columns", n=len(columns), example=", ".join(columns[:3]))
    typed = aligned(current, reference, compared)
    if current_pd is None:
        current_pd = batch_pd(bundle, current, supplied, stored)
    score = score_shift(bundle, model, reference, current, current_pd, config.psi_bins)
    progress(f"comparing {len(compared)} columns of {current.height:,} clients with {reference.height:,}")
    found_snapshot = snapshot(reference, typed, compared, config.drift_share)
    found = found_snapshot.dict()
    tests = column_tests(found)
    top = [c for c, source in sources.items() if source == TOP_FEATURE and c in current.columns and c not in absent]
    summary = {
        "bundle_id": bundle.id,
        "model": model.name,
        "supplied": [name for name in TABLE_NAMES if name in supplied],
        "config": asdict(config),
        "rows": {
            "current": current.height,
            "reference": reference.height,
            "reference_available": reference_rows(bundle),
        },
        "columns": [
            {"column": c, "source": sources[c], "kind": kind(reference, c), **tests[c]} for c in compared
        ],
        "not_supplied": absent,
        "not_compared": not_compared,
        **dataset_drift(found, tests, config.drift_share),
        "psi": {
            "bins": config.psi_bins,
            "bands": {"stable_below": MONITOR_FROM, "act_above": ACT_ABOVE},
            "features": feature_psi(reference, current, top, config.psi_bins)
            + [{"feature": c, "psi": None, "band": NOT_SUPPLIED} for c in absent if sources[c] == TOP_FEATURE],
        },
        "score": score,
        "warnings": warnings(current.height),
    }
    progress("rendering the drift report")
    histogram = {} if current_pd is None else pd_histogram(reference[PD].to_numpy(), np.asarray(current_pd, float))
    when = datetime.now(timezone.utc).isoformat(timespec="seconds")
    return DriftResult(summary, page(found_snapshot, header(summary, lang, batch, when)), histogram)


def header(summary: dict, lang: str = "en", batch: int | str | None = None, when: str | None = None) -> str:
    """Plain HTML block in ``lang`` (words of ``engine/drift_report.json``): the batch, when, the
    reference, what was compared and not supplied, the verdict, the PD shift and the PSI table."""
    words = catalogue("drift_report")

    def w(key: str, **values: object) -> str:
        return fill(words[key][lang], lang, **values)

    label = w("batch_number", batch=batch) if isinstance(batch, int) else batch or "–"
    return render("drift_summary.html.j2", summary=summary, lang=lang, batch=label, date=timestamp(when, lang),
                  w=w, num=lambda value, decimals=0: number(value, lang, decimals),
                  pct=lambda value, decimals=1: percent(value, lang, decimals), band=words["band"][lang].get,
                  describe=describe, monitor_from=MONITOR_FROM, act_above=ACT_ABOVE)
