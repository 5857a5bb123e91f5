"""Server time of the what-if with its searches (largest credit, shortest term), for clients with history.

    python bench/bench_whatif.py         # seeds bench/out/whatif_store with the demo batch once, then times

Three figures, p50/p95 over the demo clients with the most history (POS, previous applications, bureau):
``whatif.simulate`` (the score with reasons alone, for comparison), ``whatif.answer`` (the client's tables from the store, the score with reasons, its waterfall and both
searches) and the Interprétation page's callback (the same, put into the page: what the server does
when the officer changes a field). Target: ≤ 500 ms p95.
"""

from __future__ import annotations

from pathlib import Path

from bench_app import _ms, _report

OUT = Path(__file__).resolve().parent / "out" / "whatif_store"
CLIENTS = 60


def page_whatif(interpretation, store, sk_id: int, factor: float = 3.0):
    """The page's what-if callback with the income multiplied by ``factor``, the other fields as the client's."""
    from engine.whatif_edits import FIELDS, start_values

    start = {name: interpretation._typed(value, "fr") for name, value in start_values(store.client(sk_id).application).items()}
    fields = [start[f.name] for f in FIELDS]
    fields[0] = str(round(float(fields[0].replace(",", ".")) * factor))
    return interpretation._whatif(*fields, start, sk_id)


def _with_history(store, n: int) -> list[int]:
    """The ``n`` clients with the most rows of history."""
    from storage.history import batch_history

    rows = batch_history(store.db.conn, 1, "POS_CASH_balance")["SK_ID_CURR"].value_counts(sort=True)
    return rows["SK_ID_CURR"].head(n).to_list()


def main() -> None:
    import dash

    from desktop.context import AppContext, set_context
    from engine.resources import default_bundle

    ctx = AppContext(home=OUT, bundle_path=default_bundle(), token="bench")
    set_context(ctx)
    if ctx.store.is_empty():
        from storage.importer import seed_demo

        seed_demo(ctx.store, ctx.scorer)
    dash.Dash(__name__, use_pages=True, pages_folder=str(Path(__file__).resolve().parent.parent / "desktop" / "pages"))
    import sys

    interpretation = next(sys.modules[p["module"]] for p in dash.page_registry.values() if p["path"] == "/interpretation")
    from desktop import whatif

    store, scorer = ctx.store, ctx.scorer
    ids = _with_history(store, CLIENTS)
    whatif.answer(store, scorer, ids[0], {})  # warm: the model, the reference's ranges
    _report("what-if alone, no search (simulate)", [_ms(whatif.simulate, store, scorer, i, {"AMT_CREDIT": 150000.0}) for i in ids])
    _report("what-if + searches (engine)", [_ms(whatif.answer, store, scorer, i, {"AMT_CREDIT": "150000"}) for i in ids])
    _report("what-if + searches (page callback)", [_ms(page_whatif, interpretation, store, i) for i in ids])


if __name__ == "__main__":
    main()
