"""Benchmark of an import into the client store: validate + features + score + explain + store.

Targets (issue 3): 100,000 clients, application table only ≤ 60 s; 10,000 clients with every
history table at Kaggle proportions ≤ 30 s; peak RSS ≤ 3 GB.

    python bench/bench_import.py --clients 100000 --application-only
    python bench/bench_import.py --clients 10000

Data: ``tools.scaling.scale_data`` grows the real extract to N clients as CSV (once, kept in
``--data``). The import then runs in a fresh child process into an empty store, so that its
peak RSS (``ru_maxrss`` of the child) is the import's alone. Prints one JSON line.
"""

from __future__ import annotations

import argparse
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
from tools.scaling import default_source, scale_data  # noqa: E402


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
    """The scaled extract for ``clients`` clients (made once)."""
    folder = data / f"clients_{clients}"
    if not (folder / "DONE").exists():
        scale_data(default_source(), folder, train_clients=clients, test_clients=0)
        (folder / "DONE").touch()
    return folder


def child(home: Path, bundle: Path, files: list[str]) -> None:
    """The timed import (run in its own process); prints its measurements as JSON."""
    from engine.bundle import load_bundle
    from engine.scoring import Scorer
    from storage.importer import import_files
    from storage.store import ClientStore

    started = time.perf_counter()
    stages: dict[str, float] = {}

    def progress(stage: str, done: int, total: int) -> None:
        if done == total:
            stages[stage] = round(time.perf_counter() - started, 2)

    scorer = Scorer(load_bundle(bundle))
    store = ClientStore(home)
    result = import_files(store, files, scorer, progress=progress)
    seconds = time.perf_counter() - started
    print(
        json.dumps(
            {
                "clients": result.clients,
                "rows": result.rows,
                "seconds": round(seconds, 2),
                "stages_at": stages,
                "cpu_seconds": round(time.process_time(), 1),
                "store_mb": round(store.path.stat().st_size / 2**20),
            }
        )
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=10_000)
    parser.add_argument("--application-only", action="store_true", help="import the application table alone")
    parser.add_argument("--data", type=Path, default=ROOT / "bench" / "out" / "import_data")
    parser.add_argument("--bundle", type=Path, default=default_bundle())
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        home, *files = args.child
        return child(Path(home), args.bundle, files)

    folder = dataset(args.data, args.clients)
    files = [folder / "application_train.csv"] if args.application_only else sorted(folder.glob("*.csv"))
    with tempfile.TemporaryDirectory(prefix="bench_import_") as home:
        command = [sys.executable, __file__, "--bundle", str(args.bundle), "--child", home, *map(str, files)]
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
                "machine": machine(),
            }
        )
    )


if __name__ == "__main__":
    main()
