"""Server time per interaction of the desktop app, on a store grown to 300,000 clients.

    python bench/bench_app.py            # builds bench/out/app_store once (demo batch × 60), then times
    python bench/bench_app.py --model    # the model card alone (it reads the bundle, not the store)

The page callbacks are called directly (what the server does for one interaction, without the
browser); p50/p95 over clients. Window timings come from the app's own smoke check:

    xvfb-run -a creditscore --home /tmp/smokehome app --smoke /tmp/smoke.json
"""

from __future__ import annotations

import argparse
import sqlite3
import statistics
import tempfile
import time
from pathlib import Path

from cpu import cpu_seconds

OUT = Path(__file__).resolve().parent / "out" / "app_store"
COPIES = 60  # 5,000 demo clients × 60 = 300,000


def _build_store() -> None:
    """Seed a store with the demo batch, then copy its clients and scores under new ids."""
    from engine.bundle import load_bundle
    from engine.resources import default_bundle
    from engine.scoring import Scorer
    from storage.importer import seed_demo
    from storage.store import ClientStore

    store = ClientStore(OUT)
    seed_demo(store, Scorer(load_bundle(default_bundle())))
    store.close()
    conn = sqlite3.connect(OUT / "clients.sqlite")
    for k in range(1, COPIES):
        offset, base = k * 1_000_000, conn.execute("SELECT MAX(id) FROM scores").fetchone()[0]
        conn.execute(
            'INSERT INTO scores (id, "SK_ID_CURR", batch_id, bundle_id, pd, decision, grade, points, reasons, scored_at) '
            f'SELECT id + {base}, "SK_ID_CURR" + {offset}, batch_id, bundle_id, pd, decision, grade, points, reasons, '
            "scored_at FROM scores WHERE id <= 5000"
        )
        conn.execute(
            f'INSERT INTO clients SELECT "SK_ID_CURR" + {offset}, first_batch_id, last_batch_id, latest_score_id + {base} '
            'FROM clients WHERE "SK_ID_CURR" < 1000000'
        )
    # One client in 100 decided by an officer, one decision in three against the model.
    conn.execute(
        """INSERT INTO decisions ("SK_ID_CURR", score_id, decision, override_reason, officer, decided_at, pd, grade,
           points, model_decision, bundle_id, model, reasons, overrides)
        SELECT "SK_ID_CURR", id, CASE WHEN id % 300 = 0 THEN IIF(decision = 'accept', 'refuse', 'accept') ELSE decision END,
           IIF(id % 300 = 0, 'bench', NULL), 'bench', scored_at, pd, grade, points, decision, bundle_id, model, reasons,
           id % 300 = 0
        FROM scores WHERE id % 100 = 0"""
    )
    conn.commit()
    conn.close()


def _ms(fn, *args) -> float:
    started = time.perf_counter()
    fn(*args)
    return (time.perf_counter() - started) * 1000


def _report(name: str, ms: list[float]) -> None:
    ms = sorted(ms)
    print(f"{name:46s} n={len(ms):3d}  p50={statistics.median(ms):6.0f} ms  p95={ms[int(0.95 * (len(ms) - 1))]:6.0f} ms")


def _pages(home: Path) -> dict:
    """The app's page modules by path, with the context on ``home`` and the shipped bundle."""
    import sys

    import dash

    from desktop.context import AppContext, set_context
    from engine.resources import default_bundle

    set_context(AppContext(home=home, bundle_path=default_bundle(), token="bench"))
    dash.Dash(__name__, use_pages=True, pages_folder="")  # the pages imported below, as desktop.app does
    from desktop.pages import clients, drift, imports, interpretation, model  # noqa: F401 - each registers its page

    return {p["path"]: sys.modules[p["module"]] for p in dash.page_registry.values()}


def model_card(model) -> None:
    """The model card: its layout, then its importance chart's callback (the global importance computed
    once before, as the app does in the background at start)."""
    from desktop import explain
    from desktop.context import context

    clock = time.perf_counter()
    explain.global_importance(context().scorer)
    print(f"global importance (once per process): {time.perf_counter() - clock:.1f} s")

    def view() -> None:
        model.layout()
        model._importance(None)

    def first_view() -> None:
        model._card.cache_clear()
        model._importance_chart.cache_clear()
        view()

    _report("model: first view in a language (built)", [_ms(first_view) for _ in range(10)])
    _report("model: page (layout + importance chart)", [_ms(view) for _ in range(20)])
    clock = cpu_seconds()
    for _ in range(10):
        first_view()
    print(f"model: first view, CPU time per view: {(cpu_seconds() - clock) * 100:.0f} ms")
    built_ahead(model)


def built_ahead(model) -> None:
    """As the app starts: both languages' cards built ahead in the background (``model.build_ahead``),
    then the officer's first view in each language (layout + importance chart, in a request in that language)."""
    from flask import Flask

    from desktop.i18n import LANG_COOKIE, LANGS

    ahead, first, cpu = [], {lang: [] for lang in LANGS}, 0.0
    for _ in range(10):
        model._card.cache_clear()
        model._importance_chart.cache_clear()
        clock = cpu_seconds()
        ahead.append(_ms(model.build_ahead))
        cpu += cpu_seconds() - clock
        for lang in LANGS:
            with Flask(__name__).test_request_context(headers={"Cookie": f"{LANG_COOKIE}={lang}"}):
                first[lang].append(_ms(lambda: (model.layout(), model._importance(None))))
    _report("model: built ahead, both languages (at start)", ahead)
    print(f"model: built ahead, CPU time per build of both languages: {cpu * 100:.0f} ms")
    for lang in LANGS:
        _report(f"model: first view after the start ({lang})", first[lang])
        print(f"model: first view after the start ({lang}), slowest: {max(first[lang]):.2f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", action="store_true", help="time the model card only")
    if parser.parse_args().model:
        with tempfile.TemporaryDirectory() as home:
            model_card(_pages(Path(home))["/model"])
        return
    if not (OUT / "clients.sqlite").exists():
        _build_store()
    pages = _pages(OUT)
    interpretation = pages["/interpretation"]
    from desktop.pages.clients import listing
    from desktop.pages.clients.detail import _show
    from desktop import explain
    from desktop.context import context

    ctx = context()
    from storage.client_query import ClientQuery

    store = ctx.store
    print("clients in the store:", store.db.conn.execute("SELECT COUNT(*) FROM clients").fetchone()[0])
    for name, filters, offset in [
        ("list: page 1", ClientQuery(), 0), ("list: page 10,000", ClientQuery(), 150_000),
        ("list: refused, grade E", ClientQuery(decision="refuse", grade="E"), 0),
        ("list: id prefix 1000", ClientQuery(id_prefix="1000"), 0), ("list: sorted by PD", ClientQuery(sort=("PD", True)), 0),
        ("list: awaiting decision", ClientQuery(status="awaiting"), 0), ("list: decided", ClientQuery(status="decided"), 0),
        ("list: against the model", ClientQuery(status="override"), 0),
        ("list: awaiting, refused, grade E", ClientQuery(status="awaiting", decision="refuse", grade="E"), 0),
    ]:
        _report(name, [_ms(lambda: listing._table(*filters.page(store, 15, offset)[:2], offset, None, "fr")) for _ in range(10)])
    ids = store.find_clients(limit=40)["SK_ID_CURR"].to_list()
    _report("clients: switch client", [_ms(_show, i) for i in ids])
    explain.global_importance(ctx.scorer)  # once per process, in the background in the app
    _report("interpretation: new client", [_ms(interpretation.layout, str(i)) for i in ids[:30]])
    _report("interpretation: distribution", [_ms(interpretation._distribution, "EXT_SOURCES_MEAN", i) for i in ids[:30]])
    _report("interpretation: scatter", [_ms(interpretation._scatter, "EXT_SOURCES_MEAN", "DAYS_BIRTH", i) for i in ids[:30]])
    from bench_whatif import page_whatif

    _report("what-if change (with the searches)", [_ms(page_whatif, interpretation, store, i) for i in ids[:30]])
    model_card(pages["/model"])


if __name__ == "__main__":
    main()
