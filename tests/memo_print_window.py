"""Drives the real app window to print a credit memo, as an officer would (run by tests/test_memo_print.py).

    python tests/memo_print_window.py HOME UNWRITABLE.pdf SAVED.pdf OUT.json

Opens the app's window (``desktop.window.Launch``, as ``creditscore app`` does) on a new data
folder and asks the app page for ``window.print()`` (which must be refused: not a memo). Then it
opens the memo of the first listed client (with a decision against the model and a what-if: the
memo at its longest) and clicks its print button twice: in English, saving where no file can be
written, then in French, saving to SAVED.pdf. A Qt timer plays the officer at the native dialogs:
it types the path in the save dialog and closes the message that follows, noting both. Writes what
it saw to OUT.json, then closes the window.
"""

from __future__ import annotations

import json
import logging
import sys
import threading
import time
from pathlib import Path

import webview
from qtpy.QtCore import QCoreApplication, QObject, QTimer, Signal, Slot
from qtpy.QtWidgets import QApplication, QFileDialog, QLineEdit, QMessageBox

from desktop.window import Launch
from desktop.window_probe import prepare_qt
from engine.resources import default_bundle
from engine.score_record import ACCEPT, REFUSE

PAGE_S = 120
PRINT_S = 60
MEMO_READY_JS = "location.pathname === '/memo/{id}' && document.readyState === 'complete' && !!document.getElementById('print')"
CLICK_PRINT_JS = "document.getElementById('print').click()"  # the button, and so its own script
LIST_ROWS_JS = "document.querySelector('#clients-table tbody tr') !== null"
OTHER = {ACCEPT: REFUSE, REFUSE: ACCEPT}
OFFICER = "Camille Martin"
REASON = "Garant solvable et apport personnel confirmés par les pièces du dossier"


class Officer(QObject):
    """Answers the window's modal dialogs from the GUI thread: each save dialog with the next of ``paths``,
    any message with OK."""

    begin = Signal()

    def __init__(self, paths: list[Path]) -> None:
        super().__init__()
        self.paths, self.dialogs, self.messages = list(paths), [], []
        self.moveToThread(QCoreApplication.instance().thread())
        self.begin.connect(self._begin)
        self.begin.emit()

    @Slot()
    def _begin(self) -> None:
        self.timer = QTimer(self)
        self.timer.timeout.connect(self._answer)
        self.timer.start(100)

    @Slot()
    def _answer(self) -> None:
        shown = QApplication.activeModalWidget()
        if isinstance(shown, QFileDialog):
            self.dialogs.append({"title": shown.windowTitle(), "proposed": shown.selectedFiles(),
                                 "filters": shown.nameFilters(), "folder": shown.directory().absolutePath()})
            shown.findChild(QLineEdit, "fileNameEdit").setText(str(self.paths.pop(0)))  # types the path, as an officer would
            shown.accept()
        elif isinstance(shown, QMessageBox):
            self.messages.append({"title": shown.windowTitle(), "text": shown.text()})
            shown.accept()


class Recorded(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage())


def drive(launch: Launch, paths: list[Path], out: Path, lines: list[str]) -> None:
    result: dict = {}
    officer = None
    try:
        launch.start()
        window, url = launch.window, launch.server.url  # the launch token is a cookie once the first page is up
        officer = Officer(paths)
        if not launch.wait_for_page(PAGE_S, LIST_ROWS_JS):
            raise TimeoutError("the client list did not show")
        window.evaluate_js("window.print()")  # an app page: refused, no dialog
        time.sleep(1)
        result["dialogs_before_memo"] = len(officer.dialogs)
        store = launch.ctx.store
        client = int(store.find_clients(limit=1)["SK_ID_CURR"][0])
        record = store.client(client)
        # The memo at its longest: a decision against the model, with its reason, and a what-if.
        store.record_decision(client, OTHER[record.score.decision], officer=OFFICER, override_reason=REASON)
        credit = round(float(record.application["AMT_CREDIT"]) * 0.8)
        result.update(client=client, credit=credit)
        for lang in ("en", "fr"):
            window.load_url(f"{url}/lang/{lang}")
            wait(lambda: launch.wait_for_page(1), f"the app did not switch to {lang}")
            window.load_url(f"{url}/memo/{client}?AMT_CREDIT={credit}")
            wait(lambda: window.run_js(MEMO_READY_JS.format(id=client)) is True, "the memo did not open")
            answered = len(officer.messages)
            window.run_js(CLICK_PRINT_JS)
            wait(lambda seen=answered: len(officer.messages) > seen, "no message after saving the memo", PRINT_S)
    except Exception as exc:  # noqa: BLE001 - reported to the test
        result["error"] = f"{type(exc).__name__}: {exc}"
    if officer is not None:
        result.update(dialogs=officer.dialogs, messages=officer.messages)
    result["log"] = lines
    out.write_text(json.dumps(result, ensure_ascii=False), "utf-8")
    launch.window.destroy()


def wait(condition, what: str, seconds: float = PAGE_S) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError(what)
        time.sleep(0.1)


def main(home: Path, unwritable: Path, pdf: Path, out: Path) -> int:
    recorded = Recorded()
    logging.basicConfig(level=logging.INFO)
    logging.getLogger().addHandler(recorded)
    prepare_qt()
    launch = Launch(home, default_bundle())
    launch.begin()
    launch.open()
    threading.Thread(target=drive, args=(launch, [unwritable, pdf], out, recorded.lines), name="officer", daemon=True).start()
    try:
        webview.start(gui="qt", private_mode=True)
    finally:
        launch.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main(*(Path(arg) for arg in sys.argv[1:5])))
