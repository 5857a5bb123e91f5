"""The Qt window's answer to ``window.print()`` on a credit memo: a save dialog, then an A4 PDF
(:mod:`desktop.memo_print` says why and when it is used)."""

from __future__ import annotations

import logging
from datetime import date
from pathlib import Path

from qtpy.QtCore import QCoreApplication, QMarginsF, QObject, Qt, Slot
from qtpy.QtGui import QPageLayout, QPageSize
from qtpy.QtWidgets import QFileDialog, QMessageBox

from desktop.i18n import DEFAULT_LANG, LANGS, t
from desktop.memo_print import default_folder, default_name, memo_client

log = logging.getLogger(__name__)

#: A4 portrait with the margins of the memo's ``@page`` rule (top, bottom 16 mm; sides 15 mm), which
#: Qt WebEngine does not apply when it is given a page layout.
A4 = QPageLayout(QPageSize(QPageSize.PageSizeId.A4), QPageLayout.Orientation.Portrait,
                 QMarginsF(15, 16, 15, 16), QPageLayout.Unit.Millimeter)


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
        # The memo's language: the one whose title it shows.
        self.lang = next((lang for lang in LANGS if self.page.title() == t("memo.title", lang, id=client)), DEFAULT_LANG)
        dialog = QFileDialog(self.window.native, t("memo.save_title", self.lang), str(self.folder),
                             t("memo.pdf_files", self.lang))
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dialog.setDefaultSuffix("pdf")
        dialog.selectFile(default_name(self.client, date.today()))
        dialog.fileSelected.connect(self.write)
        dialog.rejected.connect(self.cancelled)
        self.show(dialog)

    @Slot(str)
    def write(self, path: str) -> None:
        log.info("memo of client %s: writing %s", self.client, path)
        # Into memory, then written here: the log and the officer learn why a write failed.
        self.page.printToPdf(lambda pdf: self.finished(Path(path), bytes(pdf)), A4)

    @Slot()
    def cancelled(self) -> None:
        log.info("memo of client %s: saving cancelled", self.client)
        self.busy = False

    def finished(self, path: Path, pdf: bytes) -> None:
        """Write the memo's ``pdf`` to ``path`` and tell the officer where it went, or why it did not."""
        self.busy = False
        try:
            if not pdf:
                raise OSError("Qt WebEngine made no PDF of the page")
            path.write_bytes(pdf)
        except OSError as error:
            log.error("memo of client %s could not be written to %s: %s", self.client, path, error)
            text = t("memo.save_failed", self.lang, path=path, button=t("memo.print", self.lang))
            self.show(QMessageBox(QMessageBox.Icon.Warning, t("memo.save_failed_title", self.lang), text,
                                  QMessageBox.StandardButton.Ok, self.window.native))
            return
        log.info("memo of client %s saved to %s (%d bytes)", self.client, path, len(pdf))
        self.folder = path.parent  # the next memo is proposed there
        self.show(QMessageBox(QMessageBox.Icon.Information, t("memo.saved_title", self.lang),
                              t("memo.saved", self.lang, path=path), QMessageBox.StandardButton.Ok, self.window.native))

    @staticmethod
    def show(dialog) -> None:
        """Show ``dialog`` modal to the window without a nested event loop: the slot or Qt WebEngine
        callback showing it returns at once, and the dialog's signals carry on."""
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
