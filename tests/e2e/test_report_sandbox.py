"""Issue 12, finding 1: a drift report is built from client data, so nothing in a client file may
run as the app. A batch whose ORGANIZATION_TYPE closes Evidently's inline script and opens one of
its own is imported, its drift run from the page; the script must not run, nothing may be posted
back to the app and no decision stored. The report itself is served sandboxed and under a
policy that forbids every request, and every page carries a Content-Security-Policy."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from desktop.csp import HEADER
from engine.resources import demo_batch
from storage.drift_runs import reports_dir
from storage.importer import import_files

pytestmark = pytest.mark.opens_its_page  # each test goes to its page first

MARKER = "data-xss"
PAYLOAD = (
    f"</script><script>document.documentElement.setAttribute('{MARKER}','ran');"
    "fetch('/_dash-update-component',{method:'POST',headers:{'Content-Type':'application/json'},body:'{}'});"
    "</script><script>"
)
PROBE = """<!doctype html><html><head><title>probe</title></head><body><p id="probe">report</p><script>
var cookie; try { cookie = document.cookie; } catch (e) { cookie = "blocked"; }
document.getElementById("probe").textContent = "ran; cookie=" + cookie;
fetch("/api/v1/health").then(function () { document.title = "fetched"; }, function () {});
</script></body></html>"""


def _hostile_batch(folder: Path, clients: int = 300) -> Path:
    frame = pl.read_parquet(demo_batch() / "application_test.parquet").head(clients)
    frame = frame.with_columns(pl.col("SK_ID_CURR") + 90_000_000, pl.lit(PAYLOAD).alias("ORGANIZATION_TYPE"))
    path = folder / "application_test.csv"
    frame.write_csv(path)
    return path


def _decisions(store) -> int:
    return store.db.conn.execute("SELECT count(*) FROM decisions").fetchone()[0]


def test_script_in_a_client_file_never_runs(page, running_app, requests_seen, tmp_path):
    ctx, server = running_app
    batch = import_files(ctx.store, [_hostile_batch(tmp_path)], ctx.scorer).batch_id
    decisions = _decisions(ctx.store)
    posts = []
    page.on("request", lambda r: posts.append(r.frame.url) if r.method == "POST" else None)
    page.goto(f"{server.url}/drift?batch={batch}")
    page.locator("#drift-run").click()
    page.locator("#drift-psi-table").wait_for(timeout=180_000)
    frame = page.locator("#drift-report")
    assert frame.get_attribute("sandbox") == "allow-scripts"
    report = page.frame_locator("#drift-report")
    report.locator("text=Dérive des données du lot").wait_for(timeout=30_000)  # our header, in the page's language
    report.locator("text=ORGANIZATION_TYPE").first.wait_for(timeout=60_000)  # Evidently's script ran and drew
    assert report.locator(f"[{MARKER}]").count() == 0 and page.locator(f"[{MARKER}]").count() == 0
    assert all("/reports/" not in url for url in posts), posts  # nothing posted from the report
    assert _decisions(ctx.store) == decisions


def test_a_report_runs_sandboxed_without_requests(page, running_app, requests_seen, csp_refused):
    ctx, server = running_app
    (reports_dir(ctx.store) / "drift-0-probe.html").write_text(PROBE, "utf-8")
    response = page.goto(f"{server.url}/reports/drift-0-probe.html")  # as the "open in a tab" link does
    policy = response.headers[HEADER.lower()]
    assert "sandbox allow-scripts" in policy and "connect-src 'none'" in policy and "allow-same-origin" not in policy
    page.locator("#probe").wait_for()
    page.wait_for_function("document.getElementById('probe').textContent.startsWith('ran')")
    assert page.locator("#probe").inner_text() == "ran; cookie=blocked"  # an origin of its own: no app cookie
    page.wait_for_timeout(500)
    assert page.title() == "probe"  # the fetch was refused
    assert not any(url.endswith("/api/v1/health") for url in requests_seen)
    assert any("connect-src" in message for message in csp_refused), csp_refused
    csp_refused.clear()  # refused as it must be


def test_every_page_has_a_policy_without_inline_script(page, running_app):
    _, server = running_app
    for path in ("/", "/drift", "/import", "/model", "/interpretation", "/_dash-layout", "/assets/app.css",
                 "/api/v1/health", "/nothing-here"):
        response = page.request.get(server.url + path)
        policy = response.headers.get(HEADER.lower(), "")
        scripts = next(d for d in policy.split("; ") if d.startswith("script-src"))
        assert "'unsafe-inline'" not in scripts and "'sha256-" in scripts, (path, scripts)
        assert "default-src 'self'" in policy and "object-src 'none'" in policy, path
