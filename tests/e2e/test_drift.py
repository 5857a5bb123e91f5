"""The drift page: run the analysis of the demo batch, see the verdict, the PSI table and the report."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from e2e.conftest import screenshot
from storage.drift_runs import latest_drift
from storage.importer import import_files

pytestmark = pytest.mark.opens_its_page  # each test goes to its page first


def test_run_drift_on_the_demo_batch(page, running_app, requests_seen):
    _, server = running_app
    page.goto(f"{server.url}/drift?batch=1")
    page.locator("#drift-run").click()
    page.locator("#drift-progress-box").wait_for(state="visible")
    table = page.locator("#drift-psi-table")
    table.wait_for(timeout=180_000)
    assert page.locator("#drift-card-columns").inner_text().count("/") == 1
    assert page.locator("#drift-card-dataset").inner_text()
    rows = table.locator("tbody tr")
    assert rows.count() >= 10
    words = {"stable", "à surveiller", "agir"}
    assert all(any(w in rows.nth(i).inner_text() for w in words) for i in range(rows.count()))  # never colour alone
    frame = page.locator("#drift-report")
    src = frame.get_attribute("src")
    assert src.startswith("/reports/drift-1-")
    report = page.frame_locator("#drift-report")  # our header in the page's language, above Evidently's own part
    report.locator("text=Dérive des données du lot par rapport").wait_for(timeout=30_000)
    assert "Lot : n° 1." in report.locator("section[lang=fr]").inner_text()
    report_requests = [u for u in requests_seen if "/reports/" in u]
    assert report_requests and all(urlsplit(u).hostname == "127.0.0.1" for u in report_requests)
    page.locator("#drift-history .main-svg").first.wait_for()
    assert page.title().startswith("Dérive des données")
    screenshot(page, "drift")


def test_report_route_serves_only_reports(page, running_app):
    _, server = running_app
    for path in ("/reports/clients.sqlite", "/reports/drift-x.txt", "/reports/drift-none.html"):
        assert page.request.get(server.url + path).status == 404
    # A slash in the name never reaches the report route (Dash answers with its page, not the file).
    escaped = page.request.get(server.url + "/reports/..%2Fclients.sqlite")
    assert not escaped.body().startswith(b"SQLite format")


def test_drift_of_an_application_only_batch_says_not_supplied(page, running_app, demo_tables, tmp_path):
    ctx, server = running_app
    application = demo_tables["application"].head(400).reverse()  # other bytes than the demo file
    application.write_csv(tmp_path / "application_test.csv")
    batch = import_files(ctx.store, [tmp_path / "application_test.csv"], ctx.scorer).batch_id
    page.goto(f"{server.url}/drift?batch={batch}")
    page.locator("#drift-run").click()
    page.locator("#drift-psi-table").wait_for(timeout=180_000)
    card = page.locator("#drift-card-not-supplied").inner_text()
    assert "Variables non fournies" in card and "crédits au bureau" in card
    run = latest_drift(ctx.store, batch)
    assert run.summary["not_supplied"] and not set(run.summary["not_supplied"]) & set(run.summary["drifted_columns"])
    table = page.locator("#drift-psi-table").inner_text()
    assert "non fourni" in table
    screenshot(page, "drift-application-only")
