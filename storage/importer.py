"""Import client files: validate, build features, score and explain, then store in one transaction.

Files are read and validated ONCE (``storage.validation.validate``); the :class:`Validated` result is
what ``import_validated`` scores and stores (the app validates in one job, shows the report, and hands
that result to the import job). ``import_files`` does both in one call (CLI, rebuild).
``progress(stage, done, total)`` is called as rows are validated, clients scored and rows stored, so
the CLI and the app can show it. Nothing is written before validation and scoring have succeeded; the
write is atomic and looks for a re-import once, under the write lock (``storage.writer``).
``summarise`` gives what the end of an import shows: counts by decision and grade, the first clients.
"""

from __future__ import annotations

import json
import logging
import time
from collections import Counter, deque
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from itertools import islice
from pathlib import Path

import numpy as np
import polars as pl

from engine.constants import Progress
from engine.resources import demo_batch
from engine.score_record import SCORE_FIELDS, ClientScore, store_schema
from engine.scoring import Scorer
from storage.content import table_digest
from storage.history import Chunk, by_chunk, by_client, chunk_bounds, encode
from storage.store import ClientStore, now
from storage.validation import Validated, ValidationReport, validate
from storage.writer import BatchOrigin, BatchRows, write_batch

log = logging.getLogger(__name__)

#: Clients scored at once (bounds the memory of the features and of the SHAP contribution matrix).
SCORE_CHUNK = 2_500

#: The columns of the store's ``scores`` table an import fills (``scored_at`` is added).
_SCORES_SCHEMA = store_schema(*SCORE_FIELDS, "REASONS")


@dataclass(frozen=True)
class ImportResult:
    batch_id: int
    clients: int
    new_clients: int
    rows: dict[str, int]  # rows stored per table
    report: ValidationReport
    seconds: float
    model: str  # the bundle's model that scored the batch (the coverage of the tables it supplied)

    @property
    def supplied(self) -> tuple[str, ...]:
        """The tables the import supplied (read, with rows or not)."""
        return tuple(self.report.rows)


def _silent(stage: str, done: int, total: int) -> None:
    log.debug("%s %d/%d", stage, done, total)


def import_files(
    store: ClientStore,
    sources: Sequence[str | Path],
    scorer: Scorer,
    *,
    application: str | None = None,
    progress: Progress | None = None,
    kind: str = "import",
    restoring: BatchOrigin | None = None,
) -> ImportResult:
    """Import the application table alone or with history tables (files, folders, .zip).

    Raises ``ImportRefused`` (bad files, with the validation report), ``DuplicateImport``
    (application rows already imported: checked once, when storing) or ``StoreFault`` (the store
    is damaged, full or held too long); in every case the store is unchanged. ``restoring`` (a
    rebuild) keeps the batch's id, start, user and scoring time.
    """
    progress = progress or _silent
    started, clock = now(), time.perf_counter()
    validated = validate(sources, application=application)
    read = sum(validated.report.rows.values())
    progress("validated", read, read)
    return import_validated(store, validated, scorer, progress=progress, kind=kind, restoring=restoring,
                            started=(started, clock))


def import_validated(
    store: ClientStore,
    validated: Validated,
    scorer: Scorer,
    *,
    progress: Progress | None = None,
    kind: str = "import",
    restoring: BatchOrigin | None = None,
    started: tuple[str, float] | None = None,
) -> ImportResult:
    """Score and store what one validation read (nothing is read again). ``started`` is the time and
    clock of the validation when it belongs to the same job. The history tables of ``validated`` end
    sorted by client (``storage.history.by_client``: not held twice). Raises as :func:`import_files`."""
    progress = progress or _silent
    started, clock = started or (now(), time.perf_counter())
    report, frames = validated.report, validated.frames
    digests = {name: table_digest(name, frame) for name, frame in frames.items()}
    log.debug("digests computed")
    history = by_client(frames)
    log.debug("history sorted by client")
    with ThreadPoolExecutor(1, thread_name_prefix="history") as pool:  # Polars encodes without the GIL
        encoding = pool.submit(_encode, history, chunk_bounds(frames["application"]["SK_ID_CURR"]))
        scores = score_frames(scorer, frames["application"], history, progress)
        chunks = encoding.result()
    del history  # the blobs hold the history now
    if restoring is not None:
        started = restoring.started
        scores = scores.with_columns(scored_at=pl.lit(restoring.scored_at))
    rows = BatchRows(kind, started, scorer.bundle.id, frames, scores, report, digests, chunks,
                     validated.application, restoring)
    batch_id = write_batch(store, rows, progress)
    new = store.db.conn.execute("SELECT new_clients FROM batches WHERE id = ?", (batch_id,)).fetchone()[0]
    seconds = time.perf_counter() - clock
    log.info("batch %d: %d clients (%d new) imported in %.1f s", batch_id, scores.height, new, seconds)
    stored = {name: frame.height for name, frame in validated.frames.items()}
    model = scorer.bundle.model_for(frozenset(validated.frames)).name
    return ImportResult(batch_id, scores.height, new, stored, report, seconds, model)


@dataclass(frozen=True)
class ImportSummary:
    """The end of an import as shown to the officer: counts by decision and grade, the first clients."""

    result: ImportResult
    decisions: dict[str, int]
    grades: dict[str, int]
    ids: list[int]  # the batch's first clients, in client order


def summarise(store: ClientStore, result: ImportResult, listed: int) -> ImportSummary:
    """The summary of a stored import, with its first ``listed`` clients."""
    clients = store.find_clients(batch=result.batch_id)
    return ImportSummary(result, dict(Counter(clients["DECISION"].to_list())),
                         dict(sorted(Counter(clients["GRADE"].to_list()).items())),
                         clients["SK_ID_CURR"].head(listed).to_list())


def seed_demo(store: ClientStore, scorer: Scorer, progress: Progress | None = None) -> ImportResult | None:
    """On first start, fill an empty store with the bundled demo batch; None if it holds batches."""
    if not store.is_empty():
        return None
    log.info("empty store: importing the demo batch (5,000 clients and their history)")
    return import_files(store, [demo_batch()], scorer, progress=progress, kind="demo")


def _encode(history: dict[str, pl.DataFrame], bounds: np.ndarray) -> list[Chunk]:
    chunks = [chunk for name, frame in history.items() for chunk in encode(name, frame, bounds)]
    log.debug("blobs encoded")
    return chunks


def score_frames(
    scorer: Scorer, application: pl.DataFrame, history: dict[str, pl.DataFrame], progress: Progress
) -> pl.DataFrame:
    """One row per client, in client order: PD, decision, grade, points, the model that scored it (the
    one matching the tables supplied) and the reasons (JSON: group, feature, value, contribution; put
    into words when shown). ``history`` is sorted by client (``storage.history.by_client``). Features
    are built and scored :data:`SCORE_CHUNK` clients at a time (a client's features are its rows'), in
    a thread: while TreeSHAP runs on a chunk (without the GIL), the previous one becomes rows here."""
    supplied = frozenset(["application", *history])

    def scored(tables: dict[str, pl.DataFrame]) -> list[ClientScore]:
        return scorer.score(scorer.features(tables), supplied=supplied)

    parts = [pl.DataFrame(schema=_SCORES_SCHEMA)]  # a frame per chunk: no Python row held for long
    chunks = by_chunk(application, history, SCORE_CHUNK)
    with ThreadPoolExecutor(1, thread_name_prefix="scoring") as pool:
        pending = deque(pool.submit(scored, tables) for tables in islice(chunks, 2))  # one ahead
        try:
            while pending:
                done = pending.popleft().result()
                pending.extend(pool.submit(scored, tables) for tables in islice(chunks, 1))
                parts.append(pl.DataFrame(list(map(_score_row, done)), schema=_SCORES_SCHEMA, orient="row"))
                progress("scored", sum(part.height for part in parts), application.height)
        finally:
            for future in pending:  # after a failure: what was not started is not
                future.cancel()
    return pl.concat(parts).with_columns(scored_at=pl.lit(now()))


def _score_row(score: ClientScore) -> tuple:
    return (*score.fields().values(), json.dumps(score.reasons(), ensure_ascii=False, separators=(",", ":")))
