"""Printing the credit memo from the native window: a PDF through Qt WebEngine, where ``window.print()`` does nothing.

The memo's button calls ``window.print()``. In a browser that opens the browser's print dialog;
in the window on Windows (WebView2) Chromium's own print preview; on macOS pywebview turns it into
the system's print panel. Qt WebEngine (the window on Linux) only emits
``QWebEnginePage.printRequested``: :class:`desktop.qt_print.QtMemoPrinter` answers it by asking where to save
(a native save dialog proposing ``memo-<client>-<date>.pdf``) and writing the page as an A4 PDF
with ``QWebEnginePage.printToPdf`` — vector text, the memo's print CSS, no printer driver; the
officer prints the PDF from any viewer.

Why not pywebview's ``js_api``: pywebview builds ``window.pywebview.api`` with ``new Function`` and
hands results back through ``eval``, both refused by the memo's policy (its one script allowed by
hash, no ``'unsafe-eval'``). ``printRequested`` needs no bridge: a page can ask to print and
nothing else, the request is honoured only from a memo page of the app's own server
(:func:`memo_client`), and the file name comes from the dialog, never from the page.
"""

from __future__ import annotations

import logging
import re
from datetime import date
from pathlib import Path
from urllib.parse import urlsplit

log = logging.getLogger(__name__)

MEMO_PATH = re.compile(r"/memo/(\d+)")
#: The pywebview renderer whose ``window.print()`` does nothing (the others print natively).
QT_RENDERER = "qtwebengine"


def memo_client(url: str, origin: str) -> int | None:
    """The client of the memo at ``url`` when it is a memo page served from ``origin`` (the app's
    ``http://127.0.0.1:PORT``); None for any other page, which may not print through the window."""
    parts, own = urlsplit(url), urlsplit(origin)
    if (parts.scheme, parts.netloc) != (own.scheme, own.netloc):
        return None
    found = MEMO_PATH.fullmatch(parts.path)
    return int(found.group(1)) if found else None


def default_name(sk_id_curr: int, day: date) -> str:
    """The file name the save dialog proposes: ``memo-<client>-<YYYY-MM-DD>.pdf``."""
    return f"memo-{sk_id_curr}-{day.isoformat()}.pdf"


def default_folder() -> Path:
    """Where the first save dialog opens: the user's documents folder, else the home folder."""
    from platformdirs import user_documents_dir

    documents = Path(user_documents_dir())
    return documents if documents.is_dir() else Path.home()


def attach(window, origin: str):
    """Let the memo print from ``window`` (a shown pywebview window on the app at ``origin``).

    Returns the Qt printer to keep alive on Qt; None where ``window.print()`` already prints."""
    import webview

    if webview.renderer != QT_RENDERER:
        log.info("memo printing: the %s window prints through window.print()", webview.renderer)
        return None
    try:
        from desktop.qt_print import QtMemoPrinter

        return QtMemoPrinter(window, origin)
    except Exception:  # noqa: BLE001 - the app still runs; the memo prints from the browser (--browser)
        log.exception("memo printing is unavailable in this window")
        return None
