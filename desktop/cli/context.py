"""What the verbs work with: the officer's store (``--home``), the trusted scorer (``--bundle``), progress on stderr."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import ClassVar


class ProgressLine:
    """Prints import progress to stderr: every stage change, then at most once a second."""

    UNITS: ClassVar[dict[str, str]] = {"validated": "rows", "scored": "clients", "stored": "rows"}

    def __init__(self) -> None:
        self.stage, self.shown = "", 0.0

    def __call__(self, stage: str, done: int, total: int) -> None:
        clock = time.monotonic()
        if stage == self.stage and done < total and clock - self.shown < 1:
            return
        self.stage, self.shown = stage, clock
        print(f"  {stage} {done:,}/{total:,} {self.UNITS.get(stage, '')}", file=sys.stderr, flush=True)


def store(args: argparse.Namespace):
    """The officer's client store (``--home``); the demo clients live apart (``storage.demo``), in the app."""
    from storage.store import ClientStore

    return ClientStore(args.home)


def store_path(args: argparse.Namespace) -> Path:
    from storage.paths import DATABASE_FILE, data_home

    return data_home(args.home) / DATABASE_FILE


def scorer(args: argparse.Namespace):
    """The scorer of ``--bundle`` (default: the shipped one), refused unless shipped or signed by a trusted key."""
    from engine.resources import default_bundle
    from engine.scoring import Scorer
    from engine.signing import load_trusted_bundle

    bundle = getattr(args, "bundle", None) or default_bundle()
    return Scorer(load_trusted_bundle(bundle, getattr(args, "trust", ())))
