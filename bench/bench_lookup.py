"""Benchmark of a client lookup (latest score and reasons) in a store of 300,000 clients.

Target (issue 3): ``ClientStore.client(id)`` ≤ 10 ms.

    python bench/bench_lookup.py [--clients 300000] [--lookups 2000]

The store is built once in ``--out``: 1,000 real demo clients imported and scored with the
bundle, then copied in SQL under new ids up to ``--clients`` (application rows, clients and
scores with their real reasons), and every client scored a second time in a third batch so
that "latest" has a choice to make. The lookups are the real API call, timed one by one on a
freshly opened store. Prints one JSON line.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench_import import machine  # noqa: E402
from engine.bundle import load_bundle  # noqa: E402
from engine.readers import read_tables  # noqa: E402
from engine.resources import default_bundle, demo_batch  # noqa: E402
from engine.schema import tables  # noqa: E402
from engine.scoring import Scorer  # noqa: E402
from storage.importer import import_files  # noqa: E402
from storage.migrations import quote  # noqa: E402
from storage.store import ClientStore, now, os_user  # noqa: E402

REAL = 1_000
COPY_ID0 = 10_000_000


def build(home: Path, clients: int, bundle: Path) -> None:
    """A store of ``clients`` clients with two scores each (see the module docstring)."""
    source = home / "real" / "application_test.csv"
    source.parent.mkdir(parents=True, exist_ok=True)
    read_tables(demo_batch()).frames["application"].head(REAL).write_csv(source)
    store = ClientStore(home / "store")
    import_files(store, [source], Scorer(load_bundle(bundle)))
    fields = ", ".join(quote(c) for c in tables()["application"].columns if c != "SK_ID_CURR")
    copies = clients - REAL
    conn = store.db.conn
    conn.execute("BEGIN IMMEDIATE")
    for batch in (2, 3):
        conn.execute(
            "INSERT INTO batches VALUES (?, 'import', 'imported', ?, ?, ?, 'synthetic', ?, ?, '{}', '{}')",
            (batch, now(), now(), os_user(), clients if batch == 3 else copies, copies if batch == 2 else 0),
        )
    numbers = f"WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < {copies - 1})"
    source_rows = (
        '(SELECT *, row_number() OVER (ORDER BY "SK_ID_CURR") - 1 AS k FROM {} WHERE batch_id = 1) src'
    )
    score_columns = "bundle_id, pd, decision, grade, points, reasons, scored_at"
    conn.execute(f"{numbers} INSERT INTO clients SELECT {COPY_ID0} + i, 2, 2, 0 FROM n")
    conn.execute(f"""{numbers} INSERT INTO application (batch_id, "SK_ID_CURR", {fields})
        SELECT 2, {COPY_ID0} + i, {fields}
        FROM n JOIN {source_rows.format("application")} ON src.k = n.i % {REAL}""")
    conn.execute(f"""{numbers} INSERT INTO scores ("SK_ID_CURR", batch_id, {score_columns})
        SELECT {COPY_ID0} + i, 2, {score_columns}
        FROM n JOIN {source_rows.format("scores")} ON src.k = n.i % {REAL}""")
    conn.execute(f"""INSERT INTO scores ("SK_ID_CURR", batch_id, {score_columns})
        SELECT "SK_ID_CURR", 3, {score_columns} FROM scores ORDER BY id""")
    conn.execute("""UPDATE clients SET last_batch_id = 3,
        latest_score_id = (SELECT MAX(id) FROM scores s WHERE s."SK_ID_CURR" = clients."SK_ID_CURR")""")
    conn.execute("COMMIT")
    store.close()


def timed(call, *args, **kwargs) -> float:
    started = time.perf_counter()
    call(*args, **kwargs)
    return (time.perf_counter() - started) * 1000


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=300_000)
    parser.add_argument("--lookups", type=int, default=2_000)
    parser.add_argument("--bundle", type=Path, default=default_bundle())
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "out" / "lookup")
    args = parser.parse_args(argv)
    home = args.out / f"clients_{args.clients}"
    started = time.perf_counter()
    if not (home / "store" / "clients.sqlite").exists():
        build(home, args.clients, args.bundle)
    built = time.perf_counter() - started

    opened = time.perf_counter()
    store = ClientStore(home / "store")
    open_ms = (time.perf_counter() - opened) * 1000
    ids = [row[0] for row in store.db.execute('SELECT "SK_ID_CURR" FROM clients')]
    assert len(ids) == args.clients, f"store holds {len(ids)} clients"
    picked = random.Random(0).sample(ids, args.lookups)
    first_ms = timed(store.client, picked[0])
    record = store.client(picked[0])
    assert record.score.batch_id == 3 and record.score.against and record.application
    times = sorted(timed(store.client, sk_id) for sk_id in picked)
    print(
        json.dumps(
            {
                "benchmark": "lookup",
                "clients": len(ids),
                "scores": store.db.execute("SELECT COUNT(*) FROM scores").fetchone()[0],
                "store_mb": round(store.path.stat().st_size / 2**20),
                "build_seconds": round(built, 1),
                "open_ms": round(open_ms, 2),
                "first_lookup_ms": round(first_ms, 2),
                "lookups": len(times),
                "median_ms": round(statistics.median(times), 3),
                "p95_ms": round(times[int(0.95 * len(times))], 3),
                "max_ms": round(times[-1], 3),
                "find_grade_E_50_ms": round(timed(store.find_clients, grade="E", limit=50), 1),
                "find_batch_refused_50_ms": round(
                    timed(store.find_clients, batch=3, decision="refuse", limit=50), 1
                ),
                "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
                "machine": machine(),
            }
        )
    )


if __name__ == "__main__":
    main()
