"""Grow the real Home Credit extract to any size, for benchmarks.

Clients are drawn **with replacement** from the real extract (train copies from
``application_train``, test copies from ``application_test``). Each copy keeps its
client's whole history and gets fresh keys, so copies never share a credit:

* ``SK_ID_CURR``: dense from :data:`CURR_ID0`, train copies first, then test copies;
* ``SK_ID_BUREAU``: dense from :data:`BUREAU_ID0`; copy *c* of a client with *k* bureau
  credits owns the block ``BUREAU_ID0 + base(c) + [0, k)`` (credits in source-id order),
  and its ``bureau_balance`` rows follow their credit;
* ``SK_ID_PREV``: same scheme from :data:`PREV_ID0`, over the union of the client's
  ``SK_ID_PREV`` in previous_application, POS_CASH_balance, credit_card_balance and
  installments_payments (the extract has POS/card rows whose previous application is absent).

Every other value is copied unchanged. Tables are written chunk by chunk
(:data:`CHUNK_COPIES` copies at a time) so memory stays flat whatever the size.

``installments_payments`` is absent from the extract; unless ``source`` holds it, it is
synthesised once on the source clients (:func:`synthesise_installments`) and then resampled
like the other tables.
"""

from __future__ import annotations

import logging
import os
import time
import zipfile
from collections.abc import Iterable, Iterator
from pathlib import Path

import numpy as np
import polars as pl
import pyarrow.parquet as pq

from engine.constants import DAYS_NOT_APPLICABLE
from engine.input_problems import InputError, Problem

log = logging.getLogger(__name__)

FULL_SIZE = dict(train_clients=307_511, test_clients=48_744)  # the Kaggle sizes
CURR_ID0 = 100_001
BUREAU_ID0 = 5_000_000
PREV_ID0 = 1_000_000
CHUNK_COPIES = 25_000
SCHEDULE_STEP_DAYS = 30  # spacing of DAYS_FIRST_DUE .. DAYS_LAST_DUE_1ST_VERSION in the data

HISTORY = (
    "bureau",
    "bureau_balance",
    "previous_application",
    "POS_CASH_balance",
    "credit_card_balance",
    "installments_payments",
)
PREV_TABLES = ("previous_application", "POS_CASH_balance", "credit_card_balance", "installments_payments")
FORMATS = ("csv", "parquet")
#: Where the real extract's folder is, when not beside the source tree.
SHARED_DATA_ENV = "CREDITSCORE_SHARED_DATA"


def default_source() -> Path:
    """The real extract: ``$CREDITSCORE_SHARED_DATA/home-credit``, else ``shared/data/home-credit`` beside
    the source tree (``../shared`` seen from the repository), whatever the current folder."""
    root = Path(__file__).resolve().parent.parent
    return Path(os.environ.get(SHARED_DATA_ENV, root.parent / "shared" / "data")) / "home-credit"


def _typed(frame: pl.DataFrame) -> pl.DataFrame:
    """Give each text column the narrowest type all its values parse as: Int64, Float64 or String.

    Same result as polars' full-length schema inference, several times faster; it keeps the
    values' text intact when written back (``0`` stays ``0``, ``12.0`` stays ``12.0``).
    """
    casts = {}
    for name in frame.columns:
        column = frame[name]
        for dtype in (pl.Int64, pl.Float64):
            parsed = column.cast(dtype, strict=False)
            if parsed.null_count() == column.null_count():
                casts[name] = parsed
                break
    return frame.with_columns(**casts)


def read_table(source: Path, name: str) -> pl.DataFrame | None:
    """Read ``name`` from ``source`` as ``name.csv`` or a Kaggle ``name.zip``; None if neither exists."""
    csv, archive = source / f"{name}.csv", source / f"{name}.zip"
    if csv.exists():
        return _typed(pl.read_csv(csv, infer_schema=False))
    if archive.exists():
        with zipfile.ZipFile(archive) as zf:
            return _typed(pl.read_csv(zf.read(f"{name}.csv"), infer_schema=False))
    return None


# --- installments synthesis -------------------------------------------------------------


def _not_sentinel(column: str) -> pl.Expr:
    return pl.when(pl.col(column) < DAYS_NOT_APPLICABLE).then(pl.col(column))


def _loan_schedule(previous: pl.DataFrame) -> pl.DataFrame:
    """One row per instalment already due on each approved loan with a real schedule.

    Instalment *k* falls due on ``DAYS_FIRST_DUE + 30 (k - 1)`` for ``AMT_ANNUITY``; the schedule
    stops at ``CNT_PAYMENT``, at the loan's (first-version or actual) last due day, or yesterday.
    """
    end = pl.min_horizontal(
        _not_sentinel("DAYS_LAST_DUE_1ST_VERSION"), _not_sentinel("DAYS_LAST_DUE"), pl.lit(-1.0)
    )
    due = ((end - pl.col("DAYS_FIRST_DUE")) // SCHEDULE_STEP_DAYS + 1).cast(pl.Int64)
    return (
        previous.filter(
            (pl.col("NAME_CONTRACT_STATUS") == "Approved")
            & (pl.col("CNT_PAYMENT") > 0)
            & (pl.col("AMT_ANNUITY") > 0)
            & (pl.col("DAYS_FIRST_DUE") < DAYS_NOT_APPLICABLE)
        )
        .select(
            "SK_ID_PREV",
            "SK_ID_CURR",
            "DAYS_FIRST_DUE",
            AMT_INSTALMENT=pl.col("AMT_ANNUITY"),
            N=pl.min_horizontal(pl.col("CNT_PAYMENT").cast(pl.Int64), due),
        )
        .filter(pl.col("N") >= 1)
        .with_columns(NUM_INSTALMENT_NUMBER=pl.int_ranges(1, pl.col("N") + 1))
        .explode("NUM_INSTALMENT_NUMBER")
        .select(
            "SK_ID_PREV",
            "SK_ID_CURR",
            "NUM_INSTALMENT_NUMBER",
            "AMT_INSTALMENT",
            NUM_INSTALMENT_VERSION=pl.lit(1.0),
            DAYS_INSTALMENT=pl.col("DAYS_FIRST_DUE")
            + SCHEDULE_STEP_DAYS * (pl.col("NUM_INSTALMENT_NUMBER") - 1),
        )
    )


def _card_payments(credit_card: pl.DataFrame) -> pl.DataFrame:
    """One version-0 instalment per credit-card month with a payment: the amount paid that month."""
    return (
        credit_card.filter(pl.col("AMT_PAYMENT_TOTAL_CURRENT") > 0)
        .sort("SK_ID_PREV", "MONTHS_BALANCE")
        .select(
            "SK_ID_PREV",
            "SK_ID_CURR",
            NUM_INSTALMENT_NUMBER=pl.int_range(1, pl.len() + 1).over("SK_ID_PREV"),
            AMT_INSTALMENT=pl.col("AMT_PAYMENT_TOTAL_CURRENT"),
            NUM_INSTALMENT_VERSION=pl.lit(0.0),
            DAYS_INSTALMENT=SCHEDULE_STEP_DAYS * pl.col("MONTHS_BALANCE"),
        )
    )


def _perturb(rows: pl.DataFrame, pool: pl.DataFrame, rng: np.random.Generator) -> pl.DataFrame:
    """Draw (payment ratio, payment delay) pairs from the real ``pool`` rows to fill in the payments."""
    pick = rng.integers(0, pool.height, rows.height)
    return rows.with_columns(RATIO=pool["RATIO"].gather(pick), DELAY=pool["DELAY"].gather(pick)).with_columns(
        AMT_PAYMENT=(pl.col("AMT_INSTALMENT") * pl.col("RATIO")).round(3),
        DAYS_ENTRY_PAYMENT=pl.min_horizontal(pl.col("DAYS_INSTALMENT") + pl.col("DELAY"), pl.lit(-1.0)),
    )


def synthesise_installments(
    previous: pl.DataFrame, credit_card: pl.DataFrame, sample: pl.DataFrame, rng: np.random.Generator
) -> pl.DataFrame:
    """Synthesise installments_payments from the real schedules, perturbed like the real ``sample`` rows.

    Due instalments come from each approved loan's schedule in previous_application
    (:func:`_loan_schedule`, version 1) and from each credit-card month with a payment
    (:func:`_card_payments`, version 0). ``AMT_PAYMENT / AMT_INSTALMENT`` and
    ``DAYS_ENTRY_PAYMENT - DAYS_INSTALMENT`` are drawn jointly from the real sample rows
    of the same kind (version 0 for cards, 1+ for loans); entry days are capped at -1.
    """
    pool = (
        sample.filter(pl.col("AMT_INSTALMENT") > 0)
        .with_columns(
            RATIO=pl.col("AMT_PAYMENT") / pl.col("AMT_INSTALMENT"),
            DELAY=pl.col("DAYS_ENTRY_PAYMENT") - pl.col("DAYS_INSTALMENT"),
            CARD=pl.col("NUM_INSTALMENT_VERSION") == 0,
        )
        .drop_nulls(["RATIO", "DELAY"])
    )
    parts = [
        _perturb(_loan_schedule(previous), pool.filter(~pl.col("CARD")), rng),
        _perturb(_card_payments(credit_card), pool.filter(pl.col("CARD")), rng),
    ]
    return (
        pl.concat(parts, how="diagonal_relaxed")
        .select(sample.columns)
        .cast(sample.schema)
        .sort("SK_ID_CURR", "SK_ID_PREV", "NUM_INSTALMENT_VERSION", "NUM_INSTALMENT_NUMBER")
    )


# --- source preparation -----------------------------------------------------------------


def _local_rank(keys: pl.DataFrame, key: str, name: str) -> pl.DataFrame:
    """``(SK_ID_CURR, key, name)``: each key's 0-based rank among its client's keys."""
    return (
        keys.select("SK_ID_CURR", key)
        .unique()
        .sort("SK_ID_CURR", key)
        .with_columns(pl.int_range(pl.len()).over("SK_ID_CURR").alias(name))
    )


def _prepare_history(tables: dict[str, pl.DataFrame]) -> tuple[dict[str, pl.DataFrame], pl.DataFrame]:
    """Attach SK_ID_CURR and local key ranks to every history table; also return keys per client."""
    bureau_rank = _local_rank(tables["bureau"], "SK_ID_BUREAU", "LOCAL_BUREAU")
    prev_rank = _local_rank(
        pl.concat([tables[name].select("SK_ID_CURR", "SK_ID_PREV") for name in PREV_TABLES]),
        "SK_ID_PREV",
        "LOCAL_PREV",
    )
    prepared = {
        "bureau": tables["bureau"].join(
            bureau_rank, on=["SK_ID_CURR", "SK_ID_BUREAU"], maintain_order="left"
        ),
        "bureau_balance": tables["bureau_balance"].join(
            bureau_rank, on="SK_ID_BUREAU", maintain_order="left"
        ),
    }
    prepared |= {
        name: tables[name].join(prev_rank, on=["SK_ID_CURR", "SK_ID_PREV"], maintain_order="left")
        for name in PREV_TABLES
    }
    dropped = tables["bureau_balance"].height - prepared["bureau_balance"].height
    if dropped:
        log.warning("dropping %d bureau_balance rows whose credit is not in bureau", dropped)
    counts = (
        bureau_rank.group_by("SK_ID_CURR")
        .len("N_BUREAU")
        .join(prev_rank.group_by("SK_ID_CURR").len("N_PREV"), on="SK_ID_CURR", how="full", coalesce=True)
        .fill_null(0)
        .cast({"N_BUREAU": pl.Int64, "N_PREV": pl.Int64})
    )
    return prepared, counts


def _copies(
    train_ids: pl.Series,
    test_ids: pl.Series,
    train_clients: int,
    test_clients: int,
    counts: pl.DataFrame,
    rng: np.random.Generator,
) -> pl.DataFrame:
    """One row per copy: source client, new SK_ID_CURR and the offsets of its bureau/prev id blocks."""
    src = pl.concat(
        [
            train_ids.gather(rng.integers(0, train_ids.len(), train_clients)),
            test_ids.gather(rng.integers(0, test_ids.len(), test_clients)),
        ]
    )
    return (
        pl.DataFrame({"SRC_CURR": src, "TEST": np.arange(src.len()) >= train_clients})
        .join(counts, left_on="SRC_CURR", right_on="SK_ID_CURR", how="left", maintain_order="left")
        .fill_null(0)
        .with_columns(
            NEW_CURR=CURR_ID0 + pl.int_range(pl.len(), dtype=pl.Int64),
            BUREAU_BASE=pl.col("N_BUREAU").cum_sum() - pl.col("N_BUREAU"),
            PREV_BASE=pl.col("N_PREV").cum_sum() - pl.col("N_PREV"),
        )
    )


# --- chunked output ---------------------------------------------------------------------


def _slices(frame: pl.DataFrame) -> Iterator[pl.DataFrame]:
    """``frame`` in slices of :data:`CHUNK_COPIES` rows (at least one slice)."""
    yield from (frame.slice(start, CHUNK_COPIES) for start in range(0, max(frame.height, 1), CHUNK_COPIES))


def _rekeyed_chunks(
    prepared: pl.DataFrame, columns: list[str], copies: pl.DataFrame
) -> Iterator[pl.DataFrame]:
    """The copies' rows of one table (by their source SK_ID_CURR), re-keyed, in ``columns`` order."""
    new_keys = {
        "SK_ID_CURR": pl.col("NEW_CURR"),
        "SK_ID_BUREAU": BUREAU_ID0 + pl.col("BUREAU_BASE") + pl.col("LOCAL_BUREAU"),
        "SK_ID_PREV": PREV_ID0 + pl.col("PREV_BASE") + pl.col("LOCAL_PREV"),
    }
    rekey = {name: expr for name, expr in new_keys.items() if name in columns}
    for part in _slices(copies):
        joined = part.join(prepared, left_on="SRC_CURR", right_on="SK_ID_CURR", maintain_order="left_right")
        yield joined.with_columns(**rekey).select(columns)


def _write_chunks(chunks: Iterable[pl.DataFrame], path: Path, fmt: str) -> int:
    """Write ``chunks`` one after another to a single CSV or Parquet file; return the row count."""
    rows = 0
    if fmt == "csv":
        with path.open("wb") as fh:
            for i, chunk in enumerate(chunks):
                chunk.write_csv(fh, include_header=i == 0)
                rows += chunk.height
        return rows
    writer: pq.ParquetWriter | None = None
    try:
        for chunk in chunks:
            table = chunk.to_arrow()
            writer = writer or pq.ParquetWriter(path, table.schema)
            writer.write_table(table)
            rows += chunk.height
    finally:
        if writer is not None:
            writer.close()
    return rows


# --- entry points -----------------------------------------------------------------------


def _not_the_extract(source: Path, why: str) -> InputError:
    return InputError([Problem(
        str(source), f"not the real extract ({why}): give its folder with --source or set {SHARED_DATA_ENV}"
    )])


def _load_source(
    source: Path, installments_sample: Path, rng: np.random.Generator
) -> dict[str, pl.DataFrame]:
    """All source tables; installments_payments synthesised when ``source`` lacks it."""
    if not source.is_dir():
        raise _not_the_extract(source, "no such folder")
    names = ("application_train", "application_test", *HISTORY)
    tables = {name: table for name in names if (table := read_table(source, name)) is not None}
    missing = {"application_train", *HISTORY} - {"installments_payments"} - set(tables)
    if missing:
        raise _not_the_extract(source, f"no {', '.join(sorted(missing))} in it, as .csv or .zip")
    if "installments_payments" not in tables:
        if not installments_sample.exists():
            raise _not_the_extract(source, f"no installments_payments in it and no sample at {installments_sample}")
        sample = pl.read_csv(installments_sample, infer_schema_length=None)
        tables["installments_payments"] = synthesise_installments(
            tables["previous_application"], tables["credit_card_balance"], sample, rng
        )
        log.info(
            "synthesised %d installments rows for the source clients", tables["installments_payments"].height
        )
    return tables


def scale_data(
    source: Path,
    out: Path,
    *,
    train_clients: int,
    test_clients: int = 0,
    seed: int = 0,
    fmt: str = "csv",
    installments_sample: Path | None = None,
) -> dict[str, int]:
    """Write a resampled copy of the extract in ``source`` with the given client counts to ``out``.

    ``installments_sample`` (real installments rows, default
    ``source/../home-credit-fragments/installments_payments_sample.csv``) drives the synthesis
    of installments_payments when ``source`` lacks that table. Returns rows per written file.
    """
    if fmt not in FORMATS:
        raise ValueError(f"fmt must be one of {FORMATS}, not {fmt!r}")
    if train_clients < 1 or test_clients < 0:
        raise ValueError("need train_clients >= 1 and test_clients >= 0")
    sample_rng, synth_rng = np.random.default_rng(seed).spawn(2)
    sample_path = (
        installments_sample or source.parent / "home-credit-fragments" / "installments_payments_sample.csv"
    )
    tables = _load_source(source, sample_path, synth_rng)
    if test_clients and "application_test" not in tables:
        raise _not_the_extract(source, "no application_test in it")
    prepared, counts = _prepare_history(tables)
    test_ids = tables["application_test"]["SK_ID_CURR"] if test_clients else pl.Series([], dtype=pl.Int64)
    copies = _copies(
        tables["application_train"]["SK_ID_CURR"], test_ids, train_clients, test_clients, counts, sample_rng
    )
    out.mkdir(parents=True, exist_ok=True)
    parts = {
        "application_train": copies.filter(~pl.col("TEST")),
        "application_test": copies.filter(pl.col("TEST")),
    }
    jobs = {
        name: _rekeyed_chunks(tables[name], tables[name].columns, part)
        for name, part in parts.items()
        if not part.is_empty()
    }
    jobs |= {name: _rekeyed_chunks(prepared[name], tables[name].columns, copies) for name in HISTORY}
    rows = {}
    for name, chunks in jobs.items():
        started, path = time.perf_counter(), out / f"{name}.{fmt}"
        rows[path.name] = _write_chunks(chunks, path, fmt)
        log.info("%s: %d rows in %.1f s", path.name, rows[path.name], time.perf_counter() - started)
    return rows


def split_clients(clients: int) -> tuple[int, int]:
    """Split a total client count between train and test in the Kaggle proportion (307,511 : 48,744)."""
    if clients < 1:
        raise ValueError(f"need at least one client, not {clients}")
    train, test = FULL_SIZE["train_clients"], FULL_SIZE["test_clients"]
    n_train = max(1, round(clients * train / (train + test)))
    return n_train, clients - n_train


def scale_data_cli(
    clients: int, out: Path, *, seed: int = 0, fmt: str = "csv", source: Path | None = None
) -> dict[str, int]:
    """``creditscore scale-data --clients N --out DIR``: N clients split as in Kaggle, from ``source``."""
    train, test = split_clients(clients)
    return scale_data(
        source or default_source(), out, train_clients=train, test_clients=test, seed=seed, fmt=fmt
    )
