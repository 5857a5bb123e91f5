"""Reasons: their size in the store, batch scoring with reasons, and the interpretation page of one client.

    python bench/bench_reasons.py                     # this checkout
    PYTHONPATH=/tmp/base python bench/bench_reasons.py --root /tmp/base   # another checkout, for "before"

Imports the demo batch (5,000 clients with their history) into an empty store and reports the
bytes of the stored reasons per score and the store's size per client; times ``Scorer.score`` on
the demo features (wall and CPU, best of ``--repeats``); then the server time of the
interpretation page (``layout``) for 30 clients, p50/p95, after the once-per-process warm-up. Prints
one JSON line.
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

from cpu import checkout_parser, cpu_seconds


def main(argv: list[str] | None = None) -> None:
    parser = checkout_parser(__doc__)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args(argv)
    sys.path.insert(0, str(args.root))

    import dash

    from desktop.context import AppContext, set_context
    from engine.readers import read_tables
    from engine.resources import default_bundle, demo_batch
    from storage.importer import seed_demo

    with tempfile.TemporaryDirectory() as home:
        ctx = AppContext(home=Path(home), bundle_path=default_bundle(), token="bench")
        set_context(ctx)
        store, scorer = ctx.store, ctx.scorer
        seed_demo(store, scorer)
        reasons_bytes, scores = store.db.execute("SELECT SUM(LENGTH(CAST(reasons AS BLOB))), COUNT(*) FROM scores").fetchone()
        store.db.execute("VACUUM")
        store_bytes = (Path(home) / "clients.sqlite").stat().st_size

        features = scorer.features(read_tables(demo_batch()).frames)
        runs = []
        for _ in range(args.repeats):
            wall, cpu = time.perf_counter(), cpu_seconds()
            scorer.score(features)
            runs.append((time.perf_counter() - wall, cpu_seconds() - cpu))
        wall, cpu = min(runs)

        dash.Dash(__name__, use_pages=True, pages_folder=str(args.root / "desktop" / "pages"))
        interpretation = next(sys.modules[p["module"]] for p in dash.page_registry.values() if p["path"] == "/interpretation")
        ids = store.find_clients(limit=31)["SK_ID_CURR"].to_list()
        interpretation.layout(str(ids.pop()))  # the first view loads what every later one reuses
        ms = []
        for sk_id in ids:
            started = time.perf_counter()
            interpretation.layout(str(sk_id))
            ms.append((time.perf_counter() - started) * 1000)
        ms.sort()
    print(json.dumps({
        "root": str(args.root),
        "scores": scores,
        "reasons_bytes_per_score": round(reasons_bytes / scores),
        "store_bytes_per_client": round(store_bytes / scores),
        "score_with_reasons_clients_per_s": round(features.height / wall),
        "score_with_reasons_clients_per_cpu_s": round(features.height / cpu),
        "interpretation_layout_ms": {"p50": round(statistics.median(ms)), "p95": round(ms[int(0.95 * (len(ms) - 1))])},
        "load_1min": round(os.getloadavg()[0], 1),
    }))


if __name__ == "__main__":
    main()
