"""The app's self-check at launch (``creditscore app --smoke FILE``), for CI and the packaged app."""

from __future__ import annotations

import json
import logging
import threading
import time
import urllib.request
from pathlib import Path

log = logging.getLogger(__name__)

PAGE_READY_JS = "document.querySelector('#main') !== null && document.querySelector('._dash-loading') === null"


class SmokeCheck:
    """Times the window, checks the first page and one API score, then closes the window."""

    def __init__(self, ctx, server, window, out: Path, started: float) -> None:
        self.ctx, self.server, self.window, self.out, self.started = ctx, server, window, Path(out), started
        self.timings: dict[str, float] = {}

    def attach(self) -> None:
        self.window.events.shown += lambda: self._mark("window_visible_s")
        self.window.events.loaded += lambda: threading.Thread(target=self._run, name="smoke", daemon=True).start()

    def _mark(self, name: str) -> None:
        self.timings.setdefault(name, round(time.perf_counter() - self.started, 3))

    def _api(self, path: str, body: dict | None = None) -> dict:
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.server.url + path, data=data, method="POST" if data else "GET")
        request.add_header("Authorization", f"Bearer {self.ctx.token}")
        request.add_header("Content-Type", "application/json")
        with urllib.request.urlopen(request, timeout=60) as response:
            return json.loads(response.read())

    def _run(self) -> None:
        result: dict = {"ok": False}
        try:
            deadline = time.monotonic() + 30
            while not self.window.evaluate_js(PAGE_READY_JS):
                if time.monotonic() > deadline:
                    raise TimeoutError("the first page did not become interactive within 30 s")
                time.sleep(0.05)
            self._mark("first_page_interactive_s")
            import polars as pl

            from engine.resources import demo_batch

            row = pl.read_parquet(demo_batch() / "application_test.parquet").row(0, named=True)
            application = {k: v for k, v in row.items() if v is not None}
            started = time.perf_counter()
            scored = self._api("/api/v1/score", {"application": application})
            result.update(ok=True, api_score={"SK_ID_CURR": scored["SK_ID_CURR"], "PD": scored["PD"]},
                          api_score_s=round(time.perf_counter() - started, 3), health=self._api("/api/v1/health"))
        except Exception as exc:  # noqa: BLE001 - the smoke result records any failure
            log.exception("smoke check failed")
            result["error"] = str(exc)
        result["timings"] = self.timings
        self.out.write_text(json.dumps(result, indent=1), "utf-8")
        close_signal = self.out.with_name(self.out.name + ".close")
        deadline = time.monotonic() + 10
        while not close_signal.exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        self.window.destroy()
