"""Words: every page rendered in French shows no English and every page in English no French (the
language switch, marked with its own ``lang``, and the Evidently report's frame aside); the switch keeps
the page's state."""

from __future__ import annotations

import re

import polars as pl
import pytest

from e2e.test_accessibility import PAGES, drift_results, first_client, open_page
from engine.resources import demo_batch

pytestmark = pytest.mark.opens_its_page  # each test goes to its page first

# Tell-tale words of the other language (and the leftovers the issue found: « Loading... », « client(s) »).
OTHER = {
    "fr": re.compile(r"\b(the|and|of|with|only|not|to|for|Loading|Grade|Threshold|research use)\b|\(s\)|\(es\)"),
    "en": re.compile(r"\b(le|la|les|des|du|et|avec|pour|sur|aucun|Chargement|Note|seuil)\b|\(s\)|\(x\)|[éèàùç]", re.IGNORECASE),
}
# Raw column codes (AMT_INCOME_TOTAL): the interface names columns by their labels. The model page's tables
# (file names, the excluded CODE_GENDER the law requires naming) are the exception.
CODE = re.compile(r"\b(AMT|DAYS|CNT|NAME|FLAG|EXT)_[A-Z_]+\b")

# What the scan reads: the visible text, without the parts marked as another language, without frames, without
# what the officer typed (``data-user-text``: a name, a reason, in the officer's own words) and without the
# features' codes the drift table shows beside their labels (``<code>``, for analysts).
VISIBLE_TEXT = """lang => {
    const foreign = [...document.querySelectorAll('[lang], [data-user-text], code')]
        .filter(e => e !== document.documentElement && e.lang !== lang);
    foreign.forEach(e => e.dataset.scanDisplay = e.style.display);
    foreign.forEach(e => e.style.display = 'none');
    const text = document.body.innerText;
    foreign.forEach(e => e.style.display = e.dataset.scanDisplay);
    return text;
}"""


def _scan(page, lang: str, where: str, codes: bool = True) -> None:
    text = page.evaluate(VISIBLE_TEXT, lang)
    found = sorted({m.group(0) for m in OTHER[lang].finditer(text)})
    print(where, lang, "other-language words:", found)
    assert not found, f"{where} in {lang} shows {found}"
    if codes:
        raw = sorted({m.group(0) for m in CODE.finditer(text)})
        assert not raw, f"{where} in {lang} shows column codes {raw}"


@pytest.mark.parametrize("lang", ["fr", "en"])
@pytest.mark.parametrize("path", PAGES)
def test_page_speaks_one_language(page, running_app, path, lang):
    open_page(page, running_app, path, lang)
    _scan(page, lang, path, codes=not path.startswith("/model"))


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_drift_results_speak_one_language(page, running_app, small_batch, lang):
    drift_results(page, running_app, small_batch, lang)
    assert page.locator(".alert-warning").first.inner_text().startswith("Seulement 80 clients" if lang == "fr" else "Only 80 clients")
    _scan(page, lang, "/drift (results)", codes=False)  # the PSI table names the model's features by their codes


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_import_report_speaks_one_language_and_names_columns_by_label(page, running_app, lang, tmp_path):
    frame = pl.read_parquet(demo_batch() / "application_test.parquet").head(3)
    bad = frame.with_columns(AMT_INCOME_TOTAL=pl.Series(["beaucoup", "1000", "2000"]), SK_ID_CURR=pl.Series([990_101, 990_102, 990_103]))
    path = tmp_path / "application_test.csv"
    bad.write_csv(path)
    open_page(page, running_app, "/import", lang)
    page.locator("#import-upload input[type=file]").set_input_files(str(path))
    page.locator("#import-errors").wait_for(timeout=30_000)
    assert ("Revenu total" if lang == "fr" else "Total income") in page.locator("#import-errors").inner_text()
    _scan(page, lang, "/import (errors)")


def test_language_switch_keeps_the_filters(page, running_app):
    open_page(page, running_app, "/", "fr")
    page.select_option("#clients-grade", "C")
    page.fill("#clients-search", "1000")
    page.wait_for_load_state("networkidle")
    page.wait_for_timeout(500)  # the search box's debounce
    page.click("#language-switch")
    page.wait_for_selector("html[lang=en]")
    page.wait_for_load_state("networkidle")
    assert page.input_value("#clients-grade") == "C" and page.input_value("#clients-search") == "1000"
    assert page.locator("#clients-table caption").inner_text().startswith("Clients")
    grades = page.locator("#clients-table tbody td:nth-child(5)").all_inner_texts()
    assert grades and set(grades) == {"C"}  # the list itself is filtered, not only the controls


def test_language_switch_keeps_the_what_if_edits(page, running_app):
    client = first_client(running_app)
    open_page(page, running_app, "/interpretation?client={client}", "fr")
    field = page.locator("#whatif-AMT_CREDIT")
    field.fill("123000")
    field.press("Tab")
    page.locator("#whatif-pd").wait_for(timeout=30_000)
    page.click("#language-switch")
    page.wait_for_selector("html[lang=en]")
    page.wait_for_load_state("networkidle")
    assert page.url.endswith(f"?client={client}")
    assert page.input_value("#whatif-AMT_CREDIT") == "123000"
