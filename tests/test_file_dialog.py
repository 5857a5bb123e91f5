"""The window's native file dialog on the Import page (pywebview's create_file_dialog, stubbed:
a Qt dialog cannot be clicked here) hands the chosen paths to the validation step."""

from __future__ import annotations

import sys

import dash
import pytest
from needs import require_module


class DialogWindow:
    """Stands for the pywebview window: records the request, answers with chosen files."""

    def __init__(self, chosen: tuple[str, ...] | None) -> None:
        self.chosen = chosen
        self.asked: dict = {}

    def create_file_dialog(self, dialog_type, allow_multiple=False, file_types=()):
        self.asked = {"type": dialog_type, "multiple": allow_multiple, "types": file_types}
        return self.chosen


@pytest.fixture
def import_page(running_app):
    ctx, _ = running_app
    page = next(p for p in dash.page_registry.values() if p["path"] == "/import")
    yield ctx, sys.modules[page["module"]]
    ctx.window = None


def test_dialog_asks_for_several_table_files_and_returns_their_paths(import_page, tmp_path):
    webview = require_module("webview", "pywebview is a runtime dependency")
    ctx, module = import_page
    files = (str(tmp_path / "application_test.csv"), str(tmp_path / "bureau.zip"))
    ctx.window = DialogWindow(files)
    assert module.picked(1) == list(files)
    asked = ctx.window.asked
    assert asked["type"] == webview.FileDialog.OPEN and asked["multiple"] is True
    assert any("*.csv" in kind and "*.zip" in kind for kind in asked["types"])


def test_cancelled_dialog_changes_nothing(import_page):
    require_module("webview", "pywebview is a runtime dependency")
    ctx, module = import_page
    ctx.window = DialogWindow(None)
    assert module.picked(1) is dash.no_update
