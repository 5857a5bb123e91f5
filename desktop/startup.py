"""When the app cannot start: what went wrong, in words, and what the user can do about it.

:func:`diagnose` turns the exception of a failed start into a :class:`StartupProblem`;
:func:`problem_page` is the page the window shows instead of the app (French, then English),
:func:`opening_page` the one it shows while the app starts (both Jinja2 templates of ``resources/templates``).
A store SQLite cannot read is moved aside, with the files imported into it and its journal, by ``storage.faults.keep_damaged_store``
(the button of the problem page), so that a new store can start without losing anything.
"""

from __future__ import annotations

import errno
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

from markupsafe import Markup, escape

from desktop.i18n import LANGS, t
from engine.catalogues import CodedError
from engine.templates import render
from storage.faults import store_fault
from storage.paths import StoreError


@dataclass(frozen=True)
class StartupProblem:
    """Why the app could not start: a code (the text to show), the technical detail and, for a refusal worded
    by its code (the store's, the model's, its signature's), what was found in each language (its sentence,
    naming the file)."""

    code: str  # store_damaged | store_full | store_locked | store_unusable | port_unavailable | bundle_damaged
    #            | bundle_untrusted | unexpected
    detail: str
    values: dict
    found: dict[str, str] = field(default_factory=dict)  # by language

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
    elif isinstance(exc, BundleError):
        code = "bundle_untrusted" if isinstance(exc, SigningError) else "bundle_damaged"
    else:
        code = "unexpected"
    # A refusal worded by its code (the store's, the model's, its signature's) says what was found, in each language.
    found = {lang: exc.sentence(lang) for lang in LANGS} if isinstance(exc, CodedError) else {}
    return StartupProblem(code, detail, values, found)


def problem_page(problem: StartupProblem, log_file: Path | None, token: str) -> str:
    """A self-contained page (no script or style from elsewhere) explaining ``problem``, rendered from
    ``resources/templates/startup_problem.html.j2`` (autoescaped).

    Its buttons call the functions the window exposes: ``keep_copy_and_start_new`` (when the
    store can be replaced) and ``quit``, with ``token``, the proof that the call comes from this page.
    """
    sections = []
    for lang in LANGS:
        paragraphs = [_html(f"startup.{problem.code}", lang, **problem.values)]
        if problem.found:
            paragraphs.append(_html("startup.found", lang, found=problem.found[lang]))
        if problem.store_can_be_replaced:
            paragraphs.append(_html("startup.keep_copy_explained", lang))
        if log_file is not None:
            paragraphs.append(_html("startup.see_log", lang, log=log_file))
        sections.append({"lang": lang, "title": _html("startup.title", lang), "paragraphs": paragraphs})
    return render(
        "startup_problem.html.j2", sections=sections, detail=problem.detail, token=token, quit=_both("startup.quit"),
        keep_copy=_both("startup.keep_copy") if problem.store_can_be_replaced else None,
    )


def _html(key: str, lang: str, **values: object) -> Markup:
    """The app's text ``key`` (its own HTML, such as ``<code>``) with ``values`` escaped, safe as a whole."""
    return Markup(t(key, lang, **{name: escape(str(value)) for name, value in values.items()}))


def opening_page() -> str:
    """What the window shows while the app starts (a second or a few)."""
    return render("startup_opening.html.j2", text=_both("startup.opening"))


def _both(key: str) -> Markup:
    return Markup(" / ".join(t(key, lang) for lang in LANGS))
