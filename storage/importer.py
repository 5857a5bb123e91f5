"""Import client files: validate, build features, score and explain, then store in one transaction.

Files are read and validated ONCE (``storage.validation.validate``); the :class:`Validated` result is
what ``import_validated`` scores and stores (the app validates in one job, shows the report, and hands
that result to the import job). ``import_files`` does both in one call (CLI, rebuild).
``progress(stage, done, total)`` is called as rows are validated, clients scored and rows stored, so
the CLI and the app can show it. The batch is scored in chunks, each stored as it is scored, all in
one transaction under the write lock (``storage.writer``: a failure anywhere leaves nothing), which
looks for a re-import once before the first chunk is stored.
``summarise`` gives what the end of an import shows: counts by decision and grade, the first clients.
"""

from __future__ import annotations

import logging
import time
from collections import Counter, deque
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import polars as pl

from engine.constants import Progress
from engine.resources import demo_batch
from engine.score_record import reasons_json
from engine.scoring import Explained, Scorer
from storage import history
from storage.content import table_digest
from storage.history import Chunk, chunk_bounds, split, take
from storage.store import ClientStore, now
from storage.validation import Validated, ValidationReport, validate
from storage.writer import BatchOrigin, BatchRows, ScoredChunk, write_batch

log = logging.getLogger(__name__)

#: Clients scored at once (bounds the memory of the features and of the SHAP contribution matrix),
#: rounded up to whole blobs (``storage.history.CHUNK_CLIENTS``).
SCORE_CHUNK = 2_500


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
    clock of the validation when it belongs to the same job. The history tables are taken out of
    ``validated`` as they are scored and stored (let go, not held twice): a validation imports once.
    Raises as :func:`import_files`."""
    progress = progress or _silent
    started, clock = started or (now(), time.perf_counter())
    report, frames = validated.report, validated.frames
    if set(frames) != set(report.rows):
        raise ValueError("these validated tables were imported already: validate the files again")
    model = scorer.bundle.model_for(frozenset(frames))
    stored = {name: frame.height for name, frame in frames.items()}
    scored_at = restoring.scored_at if restoring else now()
    # The digests in a thread from the start: beside the history's split, then the first chunks.
    with ThreadPoolExecutor(1, thread_name_prefix="digests") as pool:
        digesting = pool.submit(_digests, dict(frames))  # the tables as validated (the same frames: not copies)
        with scoring(scorer, frames, scored_at) as chunks:
            rows = BatchRows(kind, restoring.started if restoring else started, scorer.bundle.id, stored, report,
                             digesting.result(), scored_at, validated.application, restoring)
            batch_id = write_batch(store, rows, chunks, progress)
    new = store.db.conn.execute("SELECT new_clients FROM batches WHERE id = ?", (batch_id,)).fetchone()[0]
    seconds = time.perf_counter() - clock
    log.info("batch %d: %d clients (%d new) imported in %.1f s", batch_id, stored["application"], new, seconds)
    return ImportResult(batch_id, stored["application"], new, stored, report, seconds, model.name)


def _digests(frames: dict[str, pl.DataFrame]) -> dict[str, str]:
    """Each table's digest (``storage.content``), the frames let go as they are digested."""
    digests = {name: table_digest(name, frames.pop(name)) for name in list(frames)}
    log.debug("digests computed")
    return digests


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


@contextmanager
def scoring(scorer: Scorer, frames: dict[str, pl.DataFrame], scored_at: str) -> Iterator[Iterator[ScoredChunk]]:
    """The batch scored and made into what the store keeps, :data:`SCORE_CHUNK` clients at a time (whole
    blobs of ``storage.history.CHUNK_CLIENTS``), in client order; each chunk comes with an equal share
    of the application rows to store, in file order. The history tables are taken out of ``frames``
    (let go after the last chunk); a chunk's rows are copied out of them, by client, only while its
    blobs are encoded and its features built. A thread does that and runs TreeSHAP (without the GIL)
    from the start, while the caller goes on (digests, write lock), and then at most one chunk ahead
    of the chunk whose reasons become rows and are stored."""
    supplied = frozenset(frames)
    application = frames["application"]
    ids = application["SK_ID_CURR"]
    order = ids.arg_sort()
    bounds = chunk_bounds(ids)
    step = max(1, -(-SCORE_CHUNK // history.CHUNK_CLIENTS))  # blobs per chunk
    runs = split(frames, bounds[::step, 0])
    log.debug("history split by chunk")
    starts = np.searchsorted(ids.gather(order).to_numpy(), bounds[::step, 0]).tolist()
    ends = [*starts[1:], application.height]
    shares = [application.height * i // len(ends) for i in range(len(ends) + 1)]  # application rows stored per chunk

    def explained(i: int) -> tuple[list[Chunk], Explained]:
        part = application[order.slice(starts[i], ends[i] - starts[i])]
        tables, blobs = take(runs, i, bounds[i * step : (i + 1) * step])
        return blobs, scorer.explain(scorer.features({"application": part, **tables}), supplied)

    def chunks() -> Iterator[ScoredChunk]:
        for i in range(len(ends)):
            blobs, chunk = pending.popleft().result()
            if i + 2 < len(ends):
                pending.append(pool.submit(explained, i + 2))
            scores = scorer.judge(chunk)
            reasons = pl.Series([reasons_json(against, favour) for against, favour in scores.reasons], dtype=pl.String)
            share = application.slice(shares[i], shares[i + 1] - shares[i])
            yield ScoredChunk(share, blobs, scores.frame().with_columns(reasons=reasons, scored_at=pl.lit(scored_at)))
            log.debug("chunk %d scored", i + 1)

    with ThreadPoolExecutor(1, thread_name_prefix="scoring") as pool:
        pending = deque(pool.submit(explained, i) for i in range(min(2, len(ends))))
        try:
            yield chunks()
        finally:
            for future in pending:  # after a failure: what was not started is not
                future.cancel()
