"""Benchmark of an import into the client store: validate + features + score + explain + store.

Targets (issue 13): 100,000 clients with their history ≤ 60 s on 2 cores; 10,000 ≤ 8 s; peak RSS
≤ 1.5 GB; the store's bytes per score at least halved (bench/RESULTS-storage.md, before).

    python bench/bench_import.py --clients 100000
    python bench/bench_import.py --clients 10000 [--application-only] [--profile FILE]

Data: ``creditscore scale-data`` (called through its command, so that moving the generator changes
only :data:`SCALE_DATA`) grows the real extract to N clients with every history table at Kaggle
proportions, once, kept in ``--data``; its train and test application files are joined into one
file named « clients.csv » (an import takes one application table; the name is no table's).
The import then runs in a fresh child process into an empty store, so that its peak RSS
(``ru_maxrss`` of the child) is the import's alone; then 200 random clients' tables are read back
(what the client page and the what-if read), timed. ``--profile`` writes the child's cProfile
(CPU time, all threads) to FILE. Prints one JSON line, with the load average before and after.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import platform
import resource
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from engine.resources import default_bundle  # noqa: E402

#: The benchmark data generator's command (``creditscore scale-data``).
SCALE_DATA = [sys.executable, "-m", "desktop", "scale-data"]
#: The one application file the import reads (train and test copies joined).
APPLICATION_FILE = "clients.csv"
#: Clients whose tables are read back after the import (the client page's read, timed).
CLIENT_READS = 200


def machine() -> str:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    return (
        f"{cpu}, {os.cpu_count()} cores, {memory:.0f} GB RAM, {platform.system()} {platform.release()}, "
        f"Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}, load average {load}"
    )


def dataset(data: Path, clients: int) -> Path:
    """The scaled extract for ``clients`` clients (made once): one application file and the history."""
    folder = data / f"clients_{clients}"
    if not (folder / "DONE").exists():
        source = Path(os.environ.get("CREDITSCORE_SHARED_DATA", ROOT.parent / "shared" / "data")) / "home-credit"
        subprocess.run([*SCALE_DATA, "--clients", str(clients), "--out", str(folder), "--source", str(source)],
                       check=True, cwd=ROOT, stdout=subprocess.DEVNULL)
        import polars as pl

        parts = [pl.read_csv(folder / f"application_{part}.csv", infer_schema=False) for part in ("train", "test")
                 if (folder / f"application_{part}.csv").exists()]
        pl.concat(parts, how="diagonal").drop("TARGET", strict=False).write_csv(folder / APPLICATION_FILE)
        for part in ("train", "test"):
            (folder / f"application_{part}.csv").unlink(missing_ok=True)
        (folder / "DONE").touch()
    return folder


def client_reads(store, batch_id: int, n: int = CLIENT_READS) -> dict[str, float]:
    """Milliseconds to read one client's tables back (``storage.client_tables``: the client page, the
    what-if), for ``n`` clients drawn at random from the batch: median, 95th percentile, maximum."""
    import numpy as np

    from storage.client_tables import client_tables

    ids = [row[0] for row in store.db.execute(
        'SELECT "SK_ID_CURR" FROM scores WHERE batch_id = ? ORDER BY random() LIMIT ?', (batch_id, n))]
    times = []
    for sk_id in ids:
        started = time.perf_counter()
        client_tables(store, sk_id)
        times.append((time.perf_counter() - started) * 1000)
    p50, p95 = np.percentile(times, [50, 95])
    return {"clients": len(ids), "p50": round(p50, 1), "p95": round(p95, 1), "max": round(max(times), 1)}


def child(home: Path, bundle: Path, files: list[str], profile: Path | None) -> None:
    """The timed import (run in its own process); prints its measurements as JSON."""
    started = time.perf_counter()
    from engine.bundle import load_bundle
    from engine.scoring import Scorer
    from storage.importer import import_files
    from storage.store import ClientStore

    scorer = Scorer(load_bundle(bundle))
    store = ClientStore(home)
    loaded = time.perf_counter()
    stages: dict[str, float] = {}

    def progress(stage: str, done: int, total: int) -> None:
        if done == total:
            stages[stage] = round(time.perf_counter() - loaded, 2)

    cpu = time.process_time()
    profiler = cProfile.Profile(time.process_time) if profile else None
    if profiler:
        profiler.enable()
    result = import_files(store, files, scorer, progress=progress)
    if profiler:
        profiler.disable()
        profiler.dump_stats(profile)
    seconds = time.perf_counter() - loaded
    scores = store.db.execute("SELECT COUNT(*), SUM(LENGTH(reasons)) FROM scores").fetchone()
    store.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    reads = client_reads(store, result.batch_id)
    print(
        json.dumps(
            {
                "clients": result.clients,
                "rows": result.rows,
                "import_seconds": round(seconds, 2),
                "stages_at": stages,
                "import_cpu_seconds": round(time.process_time() - cpu, 1),
                "load_seconds": round(loaded - started, 2),
                "store_mb": round(store.path.stat().st_size / 2**20),
                "store_bytes_per_client": round(store.path.stat().st_size / result.clients),
                "reasons_bytes_per_score": round(scores[1] / scores[0]),
                "client_tables_ms": reads,
            }
        )
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=10_000)
    parser.add_argument("--application-only", action="store_true", help="import the application table alone")
    parser.add_argument("--data", type=Path, default=ROOT / "bench" / "out" / "import_data")
    parser.add_argument("--bundle", type=Path, default=default_bundle())
    parser.add_argument("--profile", type=Path, help="write the import's cProfile (CPU time) to this file")
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        home, *files = args.child
        return child(Path(home), args.bundle, files, args.profile)

    folder = dataset(args.data, args.clients)
    files = [folder / APPLICATION_FILE] if args.application_only else sorted(folder.glob("*.csv"))
    load_before = machine()
    with tempfile.TemporaryDirectory(prefix="bench_import_") as home:
        command = [sys.executable, __file__, "--bundle", str(args.bundle), "--child", home, *map(str, files)]
        if args.profile:
            command[2:2] = ["--profile", str(args.profile)]
        started = time.perf_counter()
        done = subprocess.run(command, check=True, capture_output=True, text=True)
        wall = time.perf_counter() - started
    measured = json.loads(done.stdout.strip().splitlines()[-1])
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024  # kB on Linux
    print(
        json.dumps(
            {
                "benchmark": "import",
                "application_only": args.application_only,
                **measured,
                "process_wall_seconds": round(wall, 2),
                "peak_rss_mb": round(peak),
                "machine_before": load_before,
                "machine": machine(),
            }
        )
    )


if __name__ == "__main__":
    main()
