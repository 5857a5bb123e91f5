"""Feature building per chunk of the import: the demo batch's features, 2,500 clients at a time.

    python bench/bench_features.py                                     # this checkout
    PYTHONPATH=/tmp/base python bench/bench_features.py --root /tmp/base   # another checkout, for "before"

Fits the feature pipeline on the extract's labelled clients, then builds the features of the demo
batch (5,000 clients with their history) by chunks of ``storage.importer.SCORE_CHUNK`` clients, as the
import does (each chunk's history rows taken out first, not timed). Reports the wall and CPU seconds
per chunk (best of ``--repeats`` passes) and the number of features. Prints one JSON line.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

from cpu import checkout_parser, cpu_seconds

CHUNK = 2_500


def main(argv: list[str] | None = None) -> None:
    parser = checkout_parser(__doc__)
    parser.add_argument("--data", type=Path, default=Path(__file__).resolve().parents[2] / "shared/data/home-credit")
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args(argv)
    sys.path.insert(0, str(args.root))
    import polars as pl

    from engine.features import FeaturePipeline
    from engine.readers import read_tables
    from engine.resources import demo_batch

    pipeline = FeaturePipeline().fit(read_tables(args.data, application="train").frames)
    demo = {name: frame for name, frame in read_tables(demo_batch()).frames.items() if frame is not None}
    ids = demo["application"]["SK_ID_CURR"].sort()
    credits = demo["bureau"].select("SK_ID_CURR", "SK_ID_BUREAU")
    chunks = []
    for start in range(0, len(ids), CHUNK):
        part = ids.slice(start, CHUNK).implode()
        tables = {n: f.filter(pl.col("SK_ID_CURR").is_in(part)) for n, f in demo.items() if n != "bureau_balance"}
        own = credits.filter(pl.col("SK_ID_CURR").is_in(part))["SK_ID_BUREAU"].implode()
        tables["bureau_balance"] = demo["bureau_balance"].filter(pl.col("SK_ID_BUREAU").is_in(own))
        chunks.append(tables)
    walls, cpus = [], []
    for _ in range(args.repeats):
        for tables in chunks:
            cpu, started = cpu_seconds(), time.perf_counter()
            pipeline.transform(tables)
            walls.append(time.perf_counter() - started)
            cpus.append(cpu_seconds() - cpu)
    print(json.dumps({
        "benchmark": "features", "root": str(args.root), "clients_per_chunk": CHUNK, "chunks": len(chunks),
        "n_features": len(pipeline.feature_names), "wall_seconds_best": round(min(walls), 3),
        "wall_seconds_median": round(sorted(walls)[len(walls) // 2], 3), "cpu_seconds_best": round(min(cpus), 3),
        "cpu_seconds_median": round(sorted(cpus)[len(cpus) // 2], 3), "load_1min": round(os.getloadavg()[0], 2),
    }))


if __name__ == "__main__":
    main()
