"""Printing the credit memo from the native window (issue 11 item 2): the Qt window saves it as an A4 PDF."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import unicodedata
from datetime import date
from pathlib import Path

import pytest
from needs import require, require_module

from desktop.memo_print import default_name, memo_client

ROOT = Path(__file__).resolve().parent.parent
DRIVER = ROOT / "tests" / "memo_print_window.py"
DRIVER_TIMEOUT_S = 300
sys.path.insert(0, str(ROOT / "build"))
from smoke import xvfb_display  # build/ is not a package
ORIGIN = "http://127.0.0.1:8765"


@pytest.mark.parametrize("url, client", [
    (f"{ORIGIN}/memo/100002", 100002),
    (f"{ORIGIN}/memo/100002?AMT_CREDIT=250000", 100002),  # the memo with its what-if prints as shown
])
def test_a_memo_page_of_the_app_may_print(url, client):
    assert memo_client(url, ORIGIN) == client


@pytest.mark.parametrize("url", [
    f"{ORIGIN}/",  # the app's pages
    f"{ORIGIN}/interpretation?client=100002",
    f"{ORIGIN}/drift/report/3",
    f"{ORIGIN}/memo/",
    f"{ORIGIN}/memo/abc",
    f"{ORIGIN}/memo/100002/print",
    f"{ORIGIN}/x/memo/100002",
    "http://127.0.0.1:8766/memo/100002",  # another server on this machine
    "http://localhost:8765/memo/100002",
    "https://127.0.0.1:8765/memo/100002",
    "http://evil.example/memo/100002",
    "file:///memo/100002",
    "data:text/html,<script>print()</script>",
    "about:blank",
    "",
])
def test_no_other_page_may_print_through_the_window(url):
    assert memo_client(url, ORIGIN) is None


def test_the_proposed_file_names_the_client_and_the_day():
    assert default_name(100002, date(2026, 11, 28)) == "memo-100002-2026-11-28.pdf"


@pytest.mark.window
@pytest.mark.slow
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the Qt window test runs on Linux")
def test_the_window_saves_the_memo_as_an_a4_pdf_with_its_text(tmp_path):
    """The officer clicks the memo's print button in the real window, chooses a file in the native save
    dialog and gets a one-to-two page A4 PDF with the client number, PD and decisions; where the file
    cannot be written, the officer is told so in the memo's language. An app page cannot print."""
    require(bool(shutil.which("Xvfb")), "Xvfb is not installed (apt-get install xvfb)")
    require_module("PyQt6.QtWebEngineWidgets", "pywebview's Qt backend (PyQt6-WebEngine) is not installed")
    pypdf = require_module("pypdf", "pypdf (the test extra) is not installed")
    from desktop.i18n import percent, t
    from storage.paths import demo_home
    from storage.store import ClientStore

    home, out = tmp_path / "home", tmp_path / "result.json"
    unwritable, pdf = Path("/proc/creditscore-memo.pdf"), tmp_path / "saved" / "memo.pdf"  # even root cannot write in /proc
    pdf.parent.mkdir()
    with xvfb_display() as display:
        env = {**os.environ, "DISPLAY": display, "QT_QPA_PLATFORM": "xcb", "PYTHONPATH": str(ROOT)}
        run = subprocess.run([sys.executable, str(DRIVER), str(home), str(unwritable), str(pdf), str(out)], env=env, check=False,
                             capture_output=True, text=True, timeout=DRIVER_TIMEOUT_S)
    assert out.exists(), run.stderr[-3000:]
    result = json.loads(out.read_text("utf-8"))
    assert "error" not in result, (result.get("error"), result.get("dialogs"), result.get("messages"), run.stderr[-3000:])
    client, log = result["client"], result["log"]

    # An app page asking to print is refused before any dialog.
    assert result["dialogs_before_memo"] == 0
    assert any(line.startswith("print request refused: http://127.0.0.1:") for line in log), log
    # One save dialog per click, in the memo's language, proposing memo-<client>-<date>.pdf for PDF files.
    assert [(d["title"], d["filters"]) for d in result["dialogs"]] == [
        (t("memo.save_title", lang), [t("memo.pdf_files", lang)]) for lang in ("en", "fr")]
    assert {Path(d["proposed"][0]).name for d in result["dialogs"]} == {default_name(client, date.today())}
    # The officer is told where the memo went, or why it did not; the log says it too.
    assert result["messages"] == [
        {"title": t("memo.save_failed_title", "en"),
         "text": t("memo.save_failed", "en", path=unwritable, button=t("memo.print", "en"))},
        {"title": t("memo.saved_title", "fr"), "text": t("memo.saved", "fr", path=pdf)},
    ]
    assert any(line.startswith(f"memo of client {client} could not be written to {unwritable}: ") for line in log)
    assert any(line.startswith(f"memo of client {client} saved to {pdf} ") for line in log)
    assert not unwritable.exists()

    reader = pypdf.PdfReader(pdf)
    assert 1 <= len(reader.pages) <= 2
    for page in reader.pages:  # A4: 210 × 297 mm = 595 × 842 pt
        assert (round(float(page.mediabox.width)), round(float(page.mediabox.height))) == (595, 842)
    text = _plain(" ".join(page.extract_text() for page in reader.pages))
    record = ClientStore(demo_home(home)).client(client)
    for printed in (t("memo.heading", "fr", id=client), percent(record.score.pd, "fr"),
                    _word(record.score.decision),  # the model's decision
                    _word(record.decision.decision), t("memo.override", "fr"), record.decision.override_reason,
                    t("memo.whatif", "fr"), t("memo.footer", "fr")):
        assert _plain(printed) in text, printed
    assert _plain(t("memo.no_whatif", "fr")) not in text and _plain(t("memo.print", "fr")) not in text  # no button


def _word(decision: str) -> str:
    """The decision's word as the memo prints it in French, without its icon (a glyph the PDF's text may lack)."""
    from desktop.widgets import decision_word

    return decision_word(decision, "fr").split(" ", 1)[1]


def _plain(text: str) -> str:
    """``text`` as compared with a PDF's: ligatures and narrow spaces folded (NFKC), whitespace runs as one space."""
    return " ".join(unicodedata.normalize("NFKC", text).split())
