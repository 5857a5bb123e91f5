"""Import in browser mode: upload, validation report before anything is stored, import, summary."""

from __future__ import annotations

import polars as pl
import pytest

from desktop.i18n import number
from engine.resources import demo_batch
from e2e.conftest import screenshot

pytestmark = pytest.mark.opens_its_page  # each test goes to its page first

NEW_IDS = [990_001, 990_002, 990_003]
DEMO_CLIENTS = 5_000


@pytest.fixture
def three_clients() -> pl.DataFrame:
    frame = pl.read_parquet(demo_batch() / "application_test.parquet").head(3)
    return frame.with_columns(SK_ID_CURR=pl.Series(NEW_IDS, dtype=pl.Int64))


def _upload(page, server, path) -> None:
    page.goto(f"{server.url}/import")
    page.locator("#import-upload input[type=file]").set_input_files(str(path))
    page.locator("#import-verdict").wait_for(timeout=30_000)


def test_upload_validate_import_and_summary(first_start, page, three_clients, tmp_path):
    """A new user meets the demo clients under the « Démonstration » banner; the first import through the page
    ends it: no banner, the list holds the imported clients only, and the demo store is as it was."""
    ctx, server = first_start
    page.goto(f"{server.url}/")
    assert "Démonstration" in page.locator("#demo-mode").inner_text()
    page.wait_for_selector(f"#clients-table caption:has-text('sur {number(DEMO_CLIENTS, 'fr')}')", timeout=30_000)
    path = tmp_path / "clients agence nov.csv"  # any name: the application table by its columns (issue 11)
    three_clients.write_csv(path)
    _upload(page, server, path)
    assert "3 clients prêts" in page.locator("#import-verdict").inner_text()
    assert "clients agence nov.csv" in page.locator("#import-report").inner_text()
    assert ctx.real_store.is_empty()  # validated, nothing stored yet
    button = page.locator("#import-start")
    assert button.is_enabled()
    button.click()
    summary = page.locator("#import-summary")
    summary.wait_for(timeout=60_000)
    assert "3 clients" in summary.inner_text()
    links = summary.locator(".client-links a")
    assert links.count() == 3
    assert links.first.get_attribute("href") == f"/?client={NEW_IDS[0]}"
    batch = ctx.real_store.batches()["BATCH"].max()
    assert page.locator("#import-drift-link").get_attribute("href") == f"/drift?batch={batch}"
    screenshot(page, "import-summary")
    # The same rows again: found by content when storing, reported as a duplicate, not imported.
    _upload(page, server, path)
    page.locator("#import-verdict").wait_for()
    page.locator("#import-start").click()
    page.get_by_text("déjà été importé").wait_for(timeout=60_000)
    assert "lot " + str(batch) in page.locator("#import-summary").inner_text()
    assert ctx.real_store.batches().height == 1
    # The demonstration is over: no banner, the list holds the imported clients only, the demo store is untouched.
    page.goto(f"{server.url}/")
    page.wait_for_selector("#clients-table caption:has-text('sur 3')", timeout=30_000)
    assert page.locator("#demo-mode").count() == 0
    assert ctx.store is ctx.real_store and ctx.store.find_clients(limit=None)["SK_ID_CURR"].sort().to_list() == NEW_IDS
    assert ctx.demo_store.find_clients(limit=None).height == DEMO_CLIENTS


def test_bad_file_shows_column_and_line_and_blocks_the_import(page, running_app, three_clients, tmp_path):
    _, server = running_app
    bad = three_clients.with_columns(
        AMT_CREDIT=pl.when(pl.int_range(pl.len()) == 1).then(pl.lit("beaucoup")).otherwise(pl.col("AMT_CREDIT").cast(pl.String))
    )
    path = tmp_path / "application_test.csv"
    bad.write_csv(path)
    _upload(page, server, path)
    errors = page.locator("#import-errors")
    errors.wait_for()
    row = errors.locator("tbody tr").first.inner_text()
    assert "Montant du crédit" in row and "AMT_CREDIT" not in row and "3" in row and "beaucoup" in row  # column by its label, line (header = 1), value
    assert page.locator("#import-start").is_disabled()
    screenshot(page, "import-errors")
