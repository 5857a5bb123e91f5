"""What the benches share: this process's CPU time, and the option that points a bench at another checkout."""

from __future__ import annotations

import argparse
import resource
from pathlib import Path


def cpu_seconds() -> float:
    """User + system CPU time of this process: unlike wall time, barely affected by other load."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def checkout_parser(doc: str) -> argparse.ArgumentParser:
    """A parser with ``--root``: the checkout to measure (default: this one), to compare before and after a change."""
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument("--root", type=Path, default=Path(__file__).resolve().parent.parent, help="the checkout to measure")
    return parser
