"""Faults of the store itself (not of the user's files): damaged, disk full, held by someone else.

:func:`store_fault` turns what SQLite (or the file system) raised into a :class:`StoreFault` with a
plain message; :func:`check_integrity` runs ``PRAGMA quick_check`` and raises the "damaged" fault;
:func:`keep_damaged_store` moves a store aside, with its imported files and its journal, so that it
is never overwritten (the app's "keep a copy" button and ``creditscore rebuild`` both use it).
"""

from __future__ import annotations

import errno
import logging
import shutil
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path

from storage.journal import JOURNAL_FILE
from storage.paths import DATABASE_FILE, IMPORTS_DIR, StoreError

log = logging.getLogger(__name__)

DAMAGED, FULL, LOCKED = "damaged", "full", "locked"
DAMAGED_PREFIX = "damaged-"
#: Lines of ``PRAGMA quick_check`` kept in the message of a damaged store.
REPORTED_LINES = 3

_SQLITE_KINDS = {
    sqlite3.SQLITE_CORRUPT: DAMAGED,
    sqlite3.SQLITE_NOTADB: DAMAGED,
    sqlite3.SQLITE_FULL: FULL,
    sqlite3.SQLITE_BUSY: LOCKED,
    sqlite3.SQLITE_LOCKED: LOCKED,
}


class StoreFault(StoreError):
    """The store cannot be used now: ``kind`` is damaged, full or locked; nothing was written."""

    def __init__(self, kind: str, path: Path, detail: str) -> None:
        self.kind, self.path, self.detail = kind, Path(path), detail
        super().__init__(kind, path=str(path), detail=detail)  # words: store.<kind>


def store_fault(exc: BaseException, path: Path) -> StoreFault | None:
    """The fault behind ``exc`` (raised while using the store at ``path``), or None if it is not one."""
    if isinstance(exc, StoreFault):
        return exc
    if isinstance(exc, sqlite3.Error):
        code = getattr(exc, "sqlite_errorcode", None)
        kind = _SQLITE_KINDS.get(code & 0xFF) if code is not None else None
        if kind is None and type(exc) is sqlite3.DatabaseError:  # corruption reported without a code
            kind = DAMAGED
        return StoreFault(kind, path, str(exc)) if kind else None
    if isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return StoreFault(FULL, path, exc.strerror or str(exc))
    return None


@contextmanager
def faults_said(path: Path) -> Iterator[None]:
    """Raise what SQLite or the disk raises inside as a :class:`StoreFault` when it is one."""
    try:
        yield
    except (sqlite3.Error, OSError) as exc:
        fault = store_fault(exc, path)
        if fault is None:
            raise
        raise fault from exc


def check_integrity(conn: sqlite3.Connection, path: Path) -> None:
    """``PRAGMA quick_check`` of the whole store; raises the "damaged" :class:`StoreFault` if it fails."""
    try:
        lines = [row[0] for row in conn.execute(f"PRAGMA quick_check({REPORTED_LINES})")]
    except sqlite3.DatabaseError as exc:
        raise store_fault(exc, path) or StoreFault(DAMAGED, path, str(exc)) from exc
    if lines != ["ok"]:
        log.error("quick_check of %s: %s", path, lines)
        raise StoreFault(DAMAGED, path, "; ".join(lines))


def keep_damaged_store(home: Path) -> Path:
    """Move the store, its imported files and its journal into ``home/damaged-<UTC time>/``; returns it."""
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S%fZ")
    kept = home / f"{DAMAGED_PREFIX}{stamp}"
    kept.mkdir()
    for name in (DATABASE_FILE, f"{DATABASE_FILE}-wal", f"{DATABASE_FILE}-shm", IMPORTS_DIR, JOURNAL_FILE):
        if (home / name).exists():
            shutil.move(home / name, kept / name)
    log.warning("store of %s kept aside in %s", home, kept)
    return kept
