"""When the app cannot start: what went wrong, in words, and what the user can do about it.

:func:`diagnose` turns the exception of a failed start into a :class:`StartupProblem`;
:func:`problem_page` is the page the window shows instead of the app (French, then English),
:func:`opening_page` the one it shows while the app starts. A store SQLite cannot read is moved
aside, with the files imported into it and its journal, by ``storage.faults.keep_damaged_store``
(the button of the problem page), so that a new store can start without losing anything.
"""

from __future__ import annotations

import errno
import html
import json
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from desktop.i18n import LANGS, t
from storage.faults import store_fault
from storage.paths import StoreError


@dataclass(frozen=True)
class StartupProblem:
    """Why the app could not start: a code (the text to show) and the technical detail."""

    code: str  # store_damaged | store_full | store_locked | store_unusable | port_unavailable | bundle_damaged
    #            | bundle_untrusted | unexpected
    detail: str
    values: dict

    @property
    def store_can_be_replaced(self) -> bool:
        return self.code == "store_damaged"


def diagnose(exc: BaseException, store_path: Path | None = None, port: int = 0) -> StartupProblem:
    """The problem behind ``exc``, raised while starting the store, the server or the model."""
    from engine.bundle import BundleError  # imported here: the model's libraries load after the window opens
    from engine.signing import SigningError

    detail = f"{type(exc).__name__}: {exc}"
    values = {"path": str(store_path) if store_path else "", "port": port}
    fault = store_fault(exc, store_path or Path())
    if fault is not None:
        code = f"store_{fault.kind}"  # damaged: "file is not a database", "database disk image is malformed"
    elif isinstance(exc, (StoreError, sqlite3.OperationalError)):
        code = "store_unusable"
    elif isinstance(exc, OSError) and exc.errno in (errno.EADDRINUSE, errno.EACCES, errno.EADDRNOTAVAIL):
        code = "port_unavailable"
    elif isinstance(exc, SigningError):
        code = "bundle_untrusted"
    elif isinstance(exc, BundleError):
        code = "bundle_damaged"
    else:
        code = "unexpected"
    return StartupProblem(code, detail, values)


def problem_page(problem: StartupProblem, log_file: Path | None, token: str) -> str:
    """A self-contained page (no script or style from elsewhere) explaining ``problem``.

    Its buttons call the functions the window exposes: ``keep_copy_and_start_new`` (when the
    store can be replaced) and ``quit``, with ``token``, the proof that the call comes from this page.
    """
    sections = []
    for lang in LANGS:
        values = {key: html.escape(str(value)) for key, value in problem.values.items()}
        paragraphs = [t(f"startup.{problem.code}", lang, **values)]
        if problem.store_can_be_replaced:
            paragraphs.append(t("startup.keep_copy_explained", lang))
        if log_file is not None:
            paragraphs.append(t("startup.see_log", lang, log=html.escape(str(log_file))))
        body = "".join(f"<p>{p}</p>" for p in paragraphs)
        sections.append(f'<section lang="{lang}"><h1>{t("startup.title", lang)}</h1>{body}</section>')
    buttons = [f'<button id="quit" onclick="pywebview.api.quit(TOKEN)">{_both("startup.quit")}</button>']
    if problem.store_can_be_replaced:
        buttons.insert(0, f'<button id="keep-copy" class="primary" onclick="keepCopy(this)">{_both("startup.keep_copy")}</button>')
    return PAGE.format(
        sections="<hr>".join(sections),
        detail=html.escape(problem.detail),
        buttons="".join(buttons),
        token=json.dumps(token),
    )


def opening_page() -> str:
    """What the window shows while the app starts (a second or a few)."""
    return OPENING.format(text=_both("startup.opening"))


def _both(key: str) -> str:
    return " / ".join(t(key, lang) for lang in LANGS)


PAGE = """<!doctype html>
<html lang="fr"><head><meta charset="utf-8"><title>creditscore</title>
<style>
 body {{ font: 16px/1.5 system-ui, sans-serif; margin: 2rem auto; max-width: 46rem; padding: 0 1.5rem; color: #1d2a36; }}
 h1 {{ font-size: 1.3rem; color: #a12622; }}
 section[lang="en"] {{ color: #44525f; }}
 pre {{ white-space: pre-wrap; background: #f3f5f7; padding: .75rem; font-size: .85rem; }}
 button {{ font: inherit; padding: .5rem 1rem; margin: 0 .5rem .5rem 0; border: 1px solid #53606c; background: #fff;
           border-radius: .3rem; cursor: pointer; }}
 button.primary {{ background: #0b5cad; color: #fff; border-color: #0b5cad; }}
</style></head>
<body>
{sections}
<details><summary>Détail technique / Technical detail</summary><pre>{detail}</pre></details>
<p>{buttons}</p>
<script>
 const TOKEN = {token};
 function keepCopy(button) {{ button.disabled = true; pywebview.api.keep_copy_and_start_new(TOKEN); }}
</script>
</body></html>
"""

OPENING = """<!doctype html>
<html lang="fr"><head><meta charset="utf-8"><title>creditscore</title>
<style>
 body {{ font: 18px/1.5 system-ui, sans-serif; color: #44525f; display: flex; height: 90vh; margin: 0;
        align-items: center; justify-content: center; flex-direction: column; gap: 1rem; }}
 .spinner {{ width: 2.5rem; height: 2.5rem; border: .3rem solid #d5dde5; border-top-color: #0b5cad;
            border-radius: 50%; animation: turn 1s linear infinite; }}
 @keyframes turn {{ to {{ transform: rotate(360deg); }} }}
</style></head>
<body><div class="spinner" role="status"></div><p>{text}</p></body></html>
"""
