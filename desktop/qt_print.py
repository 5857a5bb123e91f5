"""The Qt window's answer to ``window.print()`` on a credit memo: a save dialog, then an A4 PDF
(:mod:`desktop.memo_print` says why and when it is used)."""

from __future__ import annotations

import logging
from datetime import date
from pathlib import Path

from qtpy.QtCore import QCoreApplication, QMarginsF, QObject, Slot
from qtpy.QtGui import QPageLayout, QPageSize
from qtpy.QtWebEngineCore import QWebEngineScript
from qtpy.QtWidgets import QFileDialog, QMessageBox

from desktop.i18n import DEFAULT_LANG, LANGS, t
from desktop.memo_print import default_folder, default_name, memo_client

log = logging.getLogger(__name__)

#: A4 portrait with the margins of the memo's ``@page`` rule (top, bottom 16 mm; sides 15 mm), which
#: Qt WebEngine does not apply when it is given a page layout.
A4 = QPageLayout(QPageSize(QPageSize.PageSizeId.A4), QPageLayout.Orientation.Portrait,
                 QMarginsF(15, 16, 15, 16), QPageLayout.Unit.Millimeter)
LANG_JS = "document.documentElement.lang"


class QtMemoPrinter(QObject):
    """Answers the window page's ``printRequested`` on the GUI thread: refuses any page but a memo
    of the app, asks where to save, writes the PDF and tells the officer how it went."""

    def __init__(self, window, origin: str) -> None:
        super().__init__()
        self.moveToThread(QCoreApplication.instance().thread())  # its slots run on the GUI thread
        self.window, self.origin, self.folder = window, origin, default_folder()
        self.busy = False  # a dialog is open or a PDF is being written: other requests are ignored
        self.client: int | None = None
        self.lang = DEFAULT_LANG
        self.page = window.native.webview.page()
        self.page.printRequested.connect(self.requested)
        self.page.pdfPrintingFinished.connect(self.finished)
        log.info("memo printing: the window saves memos as PDF (Qt WebEngine printToPdf)")

    @Slot()
    def requested(self) -> None:
        url = self.page.url().toString()
        client = memo_client(url, self.origin)
        if client is None:
            log.warning("print request refused: %s is not a credit memo of this app", url)
            return
        if self.busy:
            log.info("print request of the memo of client %s ignored: the previous one is not done", client)
            return
        self.busy, self.client = True, client
        # The memo's language, read in a world of its own: the page's scripts cannot answer in its place.
        self.page.runJavaScript(LANG_JS, QWebEngineScript.ScriptWorldId.ApplicationWorld.value, self.save)

    def save(self, lang: object) -> None:
        self.lang = lang if lang in LANGS else DEFAULT_LANG
        path = self.ask_path()
        if path is None:
            log.info("memo of client %s: saving cancelled", self.client)
            self.busy = False
            return
        self.folder = path.parent
        log.info("memo of client %s: writing %s", self.client, path)
        self.page.printToPdf(str(path), A4)

    def ask_path(self) -> Path | None:
        """The file the officer chooses in the save dialog (None if cancelled)."""
        dialog = QFileDialog(self.window.native, t("memo.save_title", self.lang), str(self.folder),
                             t("memo.pdf_files", self.lang))
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dialog.setDefaultSuffix("pdf")
        dialog.selectFile(default_name(self.client, date.today()))
        if not dialog.exec():
            return None
        return Path(dialog.selectedFiles()[0])

    @Slot(str, bool)
    def finished(self, path: str, ok: bool) -> None:
        self.busy = False
        if ok:
            log.info("memo of client %s saved to %s", self.client, path)
            QMessageBox.information(self.window.native, t("memo.saved_title", self.lang),
                                    t("memo.saved", self.lang, path=path))
            return
        log.error("memo of client %s could not be written to %s", self.client, path)
        QMessageBox.warning(self.window.native, t("memo.save_failed_title", self.lang),
                            t("memo.save_failed", self.lang, path=path, button=t("memo.print", self.lang)))
