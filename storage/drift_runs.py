"""Drift of stored batches against the model's reference, kept in the store.

:func:`run_batch_drift` rebuilds a batch's features from its imported rows
(:mod:`storage.batch_tables`), compares them with the bundle's reference sample
(:func:`engine.drift.run_drift`, told which tables the batch supplied and given the PD the import
stored: the engine uses it when this bundle's model made it, else scores the batch once), writes
the HTML report to ``<store home>/reports/drift-<batch>-<UTC time>.html`` and records the run in
``drift_runs``: a ``running`` row first, then ``done`` (or ``failed`` with the reason: a code and its values,
:func:`failure`, worded when shown by :meth:`DriftRun.error_sentence`; runs failed before hold an English
sentence, shown as stored). The row's
``report`` column holds JSON: the engine's summary (its warnings and reasons as codes and values,
worded in the reader's language when shown: :func:`engine.drift.describe`; runs recorded before
hold English sentences, shown as stored), the PSI per feature, the engine's PD histograms of the
reference and the batch, and the report's file name (relative to ``reports/``).
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import polars as pl

from engine.bundle import Bundle
from engine.catalogues import text
from engine.constants import Progress
from engine.drift import KEY, DriftConfig, DriftError, describe, drift_frame, run_drift
from storage.batch_tables import batch_exists, batch_pd, batch_supplied, batch_tables
from storage.paths import StoreError
from storage.store import ClientStore, now

log = logging.getLogger(__name__)

REPORTS_DIR = "reports"
RUNNING, DONE, FAILED = "running", "done", "failed"
STEPS = ("read", "features", "compare", "render", "save")


@dataclass(frozen=True)
class DriftRun:
    """One drift run of a batch (``summary`` is :func:`engine.drift.run_drift`'s)."""

    id: int
    batch_id: int
    bundle_id: str
    started: str
    finished: str | None
    status: str
    summary: dict = field(default_factory=dict)
    psi: dict[str, float] = field(default_factory=dict)  # PSI per top feature
    histogram: dict = field(default_factory=dict)  # edges, reference and current shares of the PD
    report_name: str | None = None  # file name in reports/
    error: dict | str | None = None  # why a failed run failed (:func:`failure`; older runs: an English sentence)

    def error_sentence(self, lang: str) -> str | None:
        """Why the run failed, in ``lang``; None if it did not."""
        return None if self.error is None else failure_sentence(self.error, lang)


def failure(exc: BaseException) -> dict:
    """Why a run failed, as stored: the drift's note (``DriftError``), the store's refusal or fault
    (``StoreError``, under ``store``), else ``run_failed`` with the technical detail."""
    if isinstance(exc, DriftError):
        return {"code": exc.code, **exc.params}
    if isinstance(exc, StoreError):
        return {"store": exc.code, **exc.params}
    return {"code": "run_failed", "detail": f"{type(exc).__name__}: {exc}"}


def failure_sentence(error: dict | str, lang: str) -> str:
    """A stored :func:`failure` in ``lang``; an older run's sentence as it is."""
    if isinstance(error, dict) and "store" in error:
        return text(f"store.{error['store']}", lang, **{k: v for k, v in error.items() if k != "store"})
    return describe(error, lang)


def reports_dir(store: ClientStore) -> Path:
    """``<store home>/reports`` (created)."""
    folder = store.home / REPORTS_DIR
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _silent(stage: str, done: int, total: int) -> None:
    log.debug("drift %s %d/%d", stage, done, total)


def run_batch_drift(
    store: ClientStore,
    bundle: Bundle,
    batch_id: int,
    progress: Progress | None = None,
    config: DriftConfig = DriftConfig(),
    lang: str = "en",
) -> DriftRun:
    """Compare a stored batch with the bundle's reference and record the run (see the module doc); the
    report's header in ``lang``.

    Raises ``StoreError`` for a batch the store does not hold and ``engine.drift.DriftError`` for
    one that cannot be compared; a failed run is recorded as such.
    """
    progress = progress or _silent
    if not batch_exists(store, batch_id):
        raise StoreError("no_batch_to_compare", batch=batch_id)
    conn = store.db.conn
    with store.db.atomic():
        run_id = conn.execute(
            "INSERT INTO drift_runs (batch_id, bundle_id, started, status) VALUES (?, ?, ?, ?)",
            (batch_id, bundle.id, now(), RUNNING),
        ).lastrowid
    try:
        body = _compare(store, bundle, batch_id, progress, config, lang)
    except Exception as exc:
        with store.db.atomic():
            conn.execute(
                "UPDATE drift_runs SET finished = ?, status = ?, report = ? WHERE id = ?",
                (now(), FAILED, json.dumps({"error": failure(exc)}, ensure_ascii=False), run_id),
            )
        raise
    with store.db.atomic():
        conn.execute(
            "UPDATE drift_runs SET finished = ?, status = ?, report = ? WHERE id = ?",
            (now(), DONE, json.dumps(body, ensure_ascii=False), run_id),
        )
    progress(STEPS[-1], len(STEPS), len(STEPS))
    log.info("drift of batch %d recorded as run %d (%s)", batch_id, run_id, body["report_name"])
    return drift_run(store, run_id)


def _compare(
    store: ClientStore, bundle: Bundle, batch_id: int, progress: Progress, config: DriftConfig, lang: str
) -> dict:
    total = len(STEPS)
    progress(STEPS[0], 0, total)
    frames, supplied = batch_tables(store, batch_id), batch_supplied(store, batch_id)
    progress(STEPS[1], 1, total)
    current = drift_frame(bundle, frames).sort(KEY)
    steps = iter(STEPS[2:4])

    def engine_progress(message: str) -> None:
        log.info("drift of batch %d: %s", batch_id, message)
        stage = next(steps, STEPS[3])
        progress(stage, STEPS.index(stage), total)

    result = run_drift(bundle, current, config=config, progress=engine_progress, supplied=supplied,
                       stored=batch_pd(store, batch_id), lang=lang, batch=batch_id)
    name = f"drift-{batch_id}-{datetime.now(timezone.utc).strftime('%Y%m%dT%H%M%S%fZ')}.html"
    result.write_html(reports_dir(store) / name)
    return {
        "summary": result.summary,
        "psi": {item["feature"]: item["psi"] for item in result.summary["psi"]["features"]},
        "histogram": result.histogram,
        "report_name": name,
    }


def _run(row: tuple) -> DriftRun:
    run_id, batch_id, bundle_id, started, finished, status, report = row
    body = json.loads(report) if report else {}
    return DriftRun(
        run_id, batch_id, bundle_id, started, finished, status,
        summary=body.get("summary", {}), psi=body.get("psi", {}), histogram=body.get("histogram", {}),
        report_name=body.get("report_name"), error=body.get("error"),
    )


_COLUMNS = "id, batch_id, bundle_id, started, finished, status, report"


def drift_run(store: ClientStore, run_id: int) -> DriftRun | None:
    """One run by its id, whatever its status; None if there is no such run."""
    row = store.db.conn.execute(f"SELECT {_COLUMNS} FROM drift_runs WHERE id = ?", (run_id,)).fetchone()
    return None if row is None else _run(row)


def latest_drift(store: ClientStore, batch_id: int | None = None) -> DriftRun | None:
    """The latest finished run of the batch (of any batch when None), None if there is none."""
    where, params = ("AND batch_id = ?", (DONE, batch_id)) if batch_id is not None else ("", (DONE,))
    row = store.db.conn.execute(
        f"SELECT {_COLUMNS} FROM drift_runs WHERE status = ? {where} ORDER BY id DESC LIMIT 1", params
    ).fetchone()
    return None if row is None else _run(row)


def latest_failure(store: ClientStore, batch_id: int) -> DriftRun | None:
    """The batch's latest run if it failed (a run finished since clears it), None otherwise."""
    row = store.db.conn.execute(
        f"SELECT {_COLUMNS} FROM drift_runs WHERE batch_id = ? AND status != ? ORDER BY id DESC LIMIT 1",
        (batch_id, RUNNING),
    ).fetchone()
    run = None if row is None else _run(row)
    return run if run is not None and run.status == FAILED else None


_HISTORY = {
    "RUN": pl.Int64, "BATCH": pl.Int64, "FINISHED": pl.String, "BUNDLE": pl.String, "CLIENTS": pl.Int64,
    "N_COMPARED": pl.Int64, "N_DRIFTED": pl.Int64, "DRIFT_SHARE": pl.Float64, "DATASET_DRIFT": pl.Boolean,
    "PSI_PD": pl.Float64, "APPROVAL_REFERENCE": pl.Float64, "APPROVAL_CURRENT": pl.Float64,
}
#: Prefix of the per-feature PSI columns of :func:`drift_history`.
PSI_PREFIX = "PSI:"


def drift_history(store: ClientStore) -> pl.DataFrame:
    """One row per finished run, oldest first: the verdict, the PD's PSI and approval rates, then
    one ``PSI:<feature>`` column per feature compared (null where a run did not compare it)."""
    rows = store.db.conn.execute(f"SELECT {_COLUMNS} FROM drift_runs WHERE status = ? ORDER BY id", (DONE,))
    records, features = [], {}
    for run in map(_run, rows):
        s, score = run.summary, run.summary.get("score", {})
        rate = score.get("approval_rate", {})
        records.append((
            run.id, run.batch_id, run.finished, run.bundle_id, s["rows"]["current"], s["n_compared"],
            s["n_drifted"], s["drift_share"], s["dataset_drift"], score.get("psi"), rate.get("reference"),
            rate.get("current"),
        ))
        for feature, value in run.psi.items():
            features.setdefault(PSI_PREFIX + feature, [None] * (len(records) - 1))
        for column, values in features.items():
            values.append(run.psi.get(column.removeprefix(PSI_PREFIX)))
    base = pl.DataFrame(records, schema=_HISTORY, orient="row")
    return base.with_columns(pl.Series(c, v, dtype=pl.Float64) for c, v in features.items())
