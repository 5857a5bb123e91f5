"""The journal of decisions: every officer's decision, also appended to a file beside the store.

``journal.jsonl`` holds one JSON object per line, appended and fsynced while the decision's
transaction is still open (the line is on disk before the row commits), created mode 0600. With
the files kept under ``imports/``, it is what ``creditscore rebuild`` recreates a store from
(:mod:`storage.rebuild`). A line whose transaction did not commit (the process died in between)
names a decision the store does not hold; a rebuild restores it, as the officer did make it.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Iterator
from pathlib import Path

log = logging.getLogger(__name__)

JOURNAL_FILE = "journal.jsonl"


def append(path: Path, record: dict) -> None:
    """Append ``record`` as one line and wait until it is on disk."""
    line = (json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n").encode("utf-8")
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        os.write(fd, line)
        os.fsync(fd)
    finally:
        os.close(fd)


def records(path: Path) -> Iterator[dict]:
    """The journal's records in order; a torn last line (a crash while writing it) is skipped."""
    if not path.exists():
        return
    with path.open(encoding="utf-8") as lines:
        for number, line in enumerate(lines, start=1):
            try:
                yield json.loads(line)
            except json.JSONDecodeError:
                log.warning("%s, line %d: not a complete record, skipped", path, number)
