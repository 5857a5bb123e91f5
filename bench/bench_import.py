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

The child samples its RSS every :data:`SAMPLE_SECONDS` in a thread and marks the import's phases on
that timeline (the progress calls, and the importer's and writer's debug log: history sorted, each
chunk scored and stored, blobs encoded, committed): the JSON says where the peak is (the phase it
falls in) and the RSS at each phase's end; ``--timeline FILE`` writes every sample and mark (JSON).
"""

from __future__ import annotations

import argparse
import cProfile
import json
import logging
import os
import platform
import resource
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Self

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from engine.resources import default_bundle

#: The benchmark data generator's command (``creditscore scale-data``).
SCALE_DATA = [sys.executable, "-m", "desktop", "scale-data"]
#: The one application file the import reads (train and test copies joined).
APPLICATION_FILE = "clients.csv"
#: Clients whose tables are read back after the import (the client page's read, timed).
CLIENT_READS = 200
#: Seconds between two RSS samples of the memory timeline.
SAMPLE_SECONDS = 0.05
#: The loggers whose debug messages mark the timeline's phases.
MARKING_LOGGERS = ("storage.importer", "storage.writer")


class Timeline(logging.Handler):
    """The process's RSS sampled in a thread, with the import's phases marked (progress and log)."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.start = time.perf_counter()
        self.samples: list[tuple[float, int]] = []
        self.marks: list[tuple[float, str]] = []
        self._page = os.sysconf("SC_PAGE_SIZE")
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, name="rss", daemon=True)

    def __enter__(self) -> Self:
        for name in MARKING_LOGGERS:
            logger = logging.getLogger(name)
            logger.setLevel(logging.DEBUG)
            logger.addHandler(self)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        for name in MARKING_LOGGERS:
            logging.getLogger(name).removeHandler(self)

    def _now(self) -> float:
        return time.perf_counter() - self.start

    def _rss(self) -> int:
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[1]) * self._page

    def _sample(self) -> None:
        while not self._stop.is_set():
            self.samples.append((self._now(), self._rss()))
            self._stop.wait(SAMPLE_SECONDS)

    def mark(self, label: str) -> None:
        self.marks.append((self._now(), label))
        self.samples.append((self._now(), self._rss()))

    def emit(self, record: logging.LogRecord) -> None:
        self.mark(record.getMessage())

    def summary(self) -> dict:
        """The peak (when, how much, the phase it falls in) and each phase's RSS at its end and highest."""
        samples = sorted(self.samples)
        at, peak = max(samples, key=lambda s: s[1])
        phases, begin = [], 0.0
        for end, label in [*self.marks, (samples[-1][0], "end")]:
            within = [rss for t, rss in samples if begin <= t <= end] or [0]
            phases.append({"until": label, "at": round(end, 2), "max_mb": _mb(max(within)), "end_mb": _mb(within[-1])})
            begin = end
        phase = next((p["until"] for p in phases if p["at"] >= at), "end")
        return {"peak_mb": _mb(peak), "peak_at": round(at, 2), "peak_before": phase, "phases": phases}

    def dump(self, path: Path) -> None:
        path.write_text(json.dumps({"samples": [(round(t, 3), _mb(r)) for t, r in sorted(self.samples)],
                                    "marks": [(round(t, 3), label) for t, label in self.marks]}))


def _mb(size: int) -> int:
    return round(size / 2**20)


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


def child(home: Path, bundle: Path, files: list[str], profile: Path | None, timeline_file: Path | None) -> None:
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
    timeline = Timeline()

    def progress(stage: str, done: int, total: int) -> None:
        timeline.mark(f"{stage} {done}/{total}")  # validated once, then a mark per chunk scored and stored
        if done == total:
            stages[stage] = round(time.perf_counter() - loaded, 2)

    cpu = time.process_time()
    profiler = cProfile.Profile(time.process_time) if profile else None
    if profiler:
        profiler.enable()
    with timeline:
        result = import_files(store, files, scorer, progress=progress)
        timeline.mark("committed")
    if profiler:
        profiler.disable()
        profiler.dump_stats(profile)
    seconds = time.perf_counter() - loaded
    scores = store.db.execute("SELECT COUNT(*), SUM(LENGTH(reasons)) FROM scores").fetchone()
    store.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    reads = client_reads(store, result.batch_id)
    if timeline_file:
        timeline.dump(timeline_file)
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
                "memory": timeline.summary(),
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
    parser.add_argument("--timeline", type=Path, help="write the import's RSS samples and phase marks (JSON) to this file")
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        home, *files = args.child
        return child(Path(home), args.bundle, files, args.profile, args.timeline)

    folder = dataset(args.data, args.clients)
    files = [folder / APPLICATION_FILE] if args.application_only else sorted(folder.glob("*.csv"))
    load_before = machine()
    with tempfile.TemporaryDirectory(prefix="bench_import_") as home:
        command = [sys.executable, __file__, "--bundle", str(args.bundle), "--child", home, *map(str, files)]
        for option, value in (("--profile", args.profile), ("--timeline", args.timeline)):
            if value:
                command[2:2] = [option, str(value.resolve())]
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
