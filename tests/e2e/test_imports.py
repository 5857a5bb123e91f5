"""Import in browser mode: upload, validation report before anything is stored, import, summary."""

from __future__ import annotations

import polars as pl
import pytest

from engine.resources import demo_batch
from e2e.conftest import screenshot

NEW_IDS = [990_001, 990_002, 990_003]


@pytest.fixture
def three_clients() -> pl.DataFrame:
    frame = pl.read_parquet(demo_batch() / "application_test.parquet").head(3)
    return frame.with_columns(SK_ID_CURR=pl.Series(NEW_IDS, dtype=pl.Int64))


def _upload(page, server, path) -> None:
    page.goto(f"{server.url}/import")
    page.locator("#import-upload input[type=file]").set_input_files(str(path))
    page.locator("#import-verdict").wait_for(timeout=30_000)


def test_upload_validate_import_and_summary(page, running_app, three_clients, tmp_path):
    ctx, server = running_app
    path = tmp_path / "clients agence nov.csv"  # any name: the application table by its columns (issue 11)
    three_clients.write_csv(path)
    before = ctx.store.batches().height
    _upload(page, server, path)
    assert "3 clients prêts" in page.locator("#import-verdict").inner_text()
    assert "clients agence nov.csv" in page.locator("#import-report").inner_text()
    assert ctx.store.batches().height == before  # validated, nothing stored yet
    button = page.locator("#import-start")
    assert button.is_enabled()
    button.click()
    summary = page.locator("#import-summary")
    summary.wait_for(timeout=60_000)
    assert "3 clients" in summary.inner_text()
    links = summary.locator(".client-links a")
    assert links.count() == 3
    assert links.first.get_attribute("href") == f"/?client={NEW_IDS[0]}"
    batch = ctx.store.batches()["BATCH"].max()
    assert page.locator("#import-drift-link").get_attribute("href") == f"/drift?batch={batch}"
    screenshot(page, "import-summary")
    # The same rows again: found by content when storing, reported as a duplicate, not imported.
    _upload(page, server, path)
    page.locator("#import-verdict").wait_for()
    page.locator("#import-start").click()
    page.get_by_text("déjà été importé").wait_for(timeout=60_000)
    assert "lot " + str(batch) in page.locator("#import-summary").inner_text()
    assert ctx.store.batches().height == before + 1


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
