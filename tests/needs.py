"""What a test needs of the system (a browser, a display, a library): skipped where it is missing,
except in CI (``CI=true``), where browser, window and system-library tests must run and so fail."""

from __future__ import annotations

import importlib
import os
from types import ModuleType

import pytest

#: In CI every browser, window and system-library test must run: what would be skipped here fails there.
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def require(available: bool, reason: str) -> None:
    """Skip the calling test when something of the system it needs is missing; fail instead in CI."""
    if available:
        return
    if IN_CI:
        pytest.fail(f"{reason} — CI=true, where browser, window and system-library tests must run", pytrace=False)
    pytest.skip(reason)


def require_module(name: str, reason: str) -> ModuleType:
    """The module ``name``, imported; skipped (or failed in CI) like :func:`require` when it cannot be."""
    try:
        return importlib.import_module(name)
    except ImportError as exc:
        require(False, f"{reason} ({exc})")
