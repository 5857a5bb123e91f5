"""The app's self-check at launch (``creditscore app --smoke FILE``), for CI and the packaged app.

Once the first page is interactive and the client list shows rows, it scores a demo client through
the local API, waits for the demo clients' seeding (if any), runs the drift of the latest batch
(which writes its HTML report) and writes what it saw and how long each step took to FILE as JSON. Times count from the launch of
the process when the launcher gives it in ``CREDITSCORE_SMOKE_LAUNCHED_AT`` (seconds since the
epoch), else from the start of the window code. If the window opens on the page
explaining why the app cannot start, the check records the problem and, when the page offers to
keep a copy of a damaged store and start a new one, presses that button as a user would; the app's
first page then calls the functions that page exposed, as any page of the window could, and records
which calls the window refused (all of them, or the check fails).
"""

from __future__ import annotations

import json
import logging
import os
import threading
import time
import urllib.request
from pathlib import Path

log = logging.getLogger(__name__)

LIST_SHOWN_JS = "document.querySelector('#clients-table') !== null"  # the first page lists the stored clients
LIST_ROWS_JS = "document.querySelector('#clients-table tbody tr') !== null"
LIST_TIMEOUT_S = 60
KEEP_COPY_JS = "document.querySelector('#keep-copy').click()"
#: The problem page's functions called from an app page, straight through pywebview's bridge.
BRIDGE_FROM_APP_JS = ("window.pywebview._jsApiCallback('keep_copy_and_start_new', ['a guess'], 'smoke-1');"
                      "window.pywebview._jsApiCallback('quit', [], 'smoke-2'); true")
BRIDGE_WAIT_S = 10
SEED_TIMEOUT_S = 600
LAUNCHED_AT_ENV = "CREDITSCORE_SMOKE_LAUNCHED_AT"
CLOSE_WAIT_S = 10


class SmokeCheck:
    """Times the window, checks the first page, one API score and one drift run, then closes the window."""

    def __init__(self, launch, out: Path, started: float) -> None:
        """``started``: when the window code started (``time.time()``)."""
        launched = os.environ.get(LAUNCHED_AT_ENV)
        self.launch, self.out, self.started = launch, Path(out), float(launched) if launched else started
        self.timings: dict[str, float] = {}
        self.result: dict = {"ok": False, "timed_from": "launch" if launched else "window code"}
        self._checked = threading.Event()

    def attach(self) -> None:
        window = self.launch.window
        window.events.shown += lambda: self._mark("window_visible_s")
        window.events.loaded += lambda: threading.Thread(target=self._on_loaded, name="smoke", daemon=True).start()

    def _mark(self, name: str) -> None:
        self.timings.setdefault(name, round(time.time() - self.started, 3))

    def _on_loaded(self) -> None:
        if self._checked.is_set() or self.launch.opening:
            return
        problem = self.launch.problem
        if problem is not None:
            self.result["startup_problem"] = {"code": problem.code, "detail": problem.detail}
            if problem.store_can_be_replaced and "kept_copy" not in self.result:
                self.result["kept_copy"] = True
                self.launch.window.evaluate_js(KEEP_COPY_JS)  # the app then loads: this runs again
                return
            self._finish()
            return
        self._checked.set()
        try:
            self._check_app()
            self.result["ok"] = True
        except Exception as exc:
            log.exception("smoke check failed")
            self.result["error"] = str(exc)
        self._finish()

    def _check_app(self) -> None:
        ctx = self.launch.ctx
        if not self.launch.wait_for_page(30):
            raise TimeoutError("the first page did not become interactive within 30 s")
        self._mark("first_page_interactive_s")
        if self.result.get("kept_copy"):
            self.result["bridge_refused"] = self._bridge_from_app_page()
        if self.launch.wait_for_page(LIST_TIMEOUT_S, LIST_ROWS_JS):
            self._mark("list_rows_s")  # the client list usable: the first start's target
        import polars as pl

        from engine.resources import demo_batch

        row = pl.read_parquet(demo_batch() / "application_test.parquet").row(0, named=True)
        application = {k: v for k, v in row.items() if v is not None}
        started = time.perf_counter()
        scored = self._api("/api/v1/score", {"application": application})
        self.result.update(
            api_score={"SK_ID_CURR": scored["SK_ID_CURR"], "PD": scored["PD"]},
            api_score_s=round(time.perf_counter() - started, 3),
            health=self._api("/api/v1/health"),
            store=self._wait_for_store(ctx),
            drift=self._drift_of_latest_batch(ctx),
        )

    def _bridge_from_app_page(self) -> list[str]:
        """The calls of the problem page's functions from the app's first page that the window refused."""
        self.launch.window.evaluate_js(BRIDGE_FROM_APP_JS)
        deadline = time.monotonic() + BRIDGE_WAIT_S
        while len(self.launch.refused) < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
        if len(self.launch.refused) < 2:
            raise RuntimeError(f"the app page's calls of the bridge were not all refused: {self.launch.refused}")
        return sorted(self.launch.refused)

    def _api(self, path: str, body: dict | None = None) -> dict:
        ctx, server = self.launch.ctx, self.launch.server
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(server.url + path, data=data, method="POST" if data else "GET")
        request.add_header("Authorization", f"Bearer {ctx.token}")
        request.add_header("Content-Type", "application/json")
        with urllib.request.urlopen(request, timeout=60) as response:
            return json.loads(response.read())

    def _wait_for_store(self, ctx) -> dict:
        """Wait for the demo clients' seeding, if any (when the pre-built demo store does not fit the
        model); the officer's store's home, the store shown (demonstration or not) and its batches."""
        store, started = ctx.store, time.perf_counter()
        while store.is_empty():
            seed = ctx.jobs.latest("seed")
            if seed is not None and seed.state == "failed":
                raise RuntimeError(f"seeding the demo batch failed: {seed.error}")
            if time.perf_counter() - started > SEED_TIMEOUT_S:
                raise TimeoutError(f"the demo batch was not stored within {SEED_TIMEOUT_S} s")
            time.sleep(0.2)
        seeded_now = ctx.jobs.latest("seed") is not None
        if seeded_now:
            self._mark("seeded_s")
        if not self.launch.wait_for_page(15, LIST_SHOWN_JS):
            raise TimeoutError("the client list did not show the stored clients within 15 s")
        batches = store.batches()
        return {"home": str(ctx.real_store.home), "shown": str(store.home), "demo": ctx.demo, "seeded_now": seeded_now,
                "batches": batches.height, "clients": int(batches["CLIENTS"].sum())}

    def _drift_of_latest_batch(self, ctx) -> dict:
        from storage.drift_runs import reports_dir, run_batch_drift

        store = ctx.store
        batch_id = int(store.batches()["BATCH"].max())
        started = time.perf_counter()
        run = run_batch_drift(store, ctx.scorer.bundle, batch_id)
        self.timings["drift_s"] = round(time.perf_counter() - started, 3)  # a duration, not since launch
        report = reports_dir(store) / run.report_name
        return {"batch": batch_id, "run": run.id, "report": str(report), "report_bytes": report.stat().st_size,
                "n_drifted": run.summary["n_drifted"], "n_compared": run.summary["n_compared"]}

    def _finish(self) -> None:
        """Write the result, wait for ``<FILE>.close`` (or a few seconds) for a screenshot, close the window."""
        self.result["timings"] = self.timings
        self.out.write_text(json.dumps(self.result, indent=1), "utf-8")
        close_signal = self.out.with_name(self.out.name + ".close")
        deadline = time.monotonic() + CLOSE_WAIT_S
        while not close_signal.exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        self.launch.window.destroy()
