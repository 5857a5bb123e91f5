"""Helpers for the tests of model bundles: a manifest edited as an attacker would edit it."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path

from engine.bundle import MANIFEST_FILE, _manifest_digest
from engine.resources import default_bundle


def edit_manifest(bundle: Path, change: Callable[[dict], None], rehash: bool = True) -> None:
    """Change the manifest's content, then (``rehash``) recompute its digest."""
    manifest = json.loads((bundle / MANIFEST_FILE).read_text("utf-8"))
    change(manifest)
    if rehash:
        manifest["manifest_sha256"] = _manifest_digest(manifest)
    (bundle / MANIFEST_FILE).write_text(json.dumps(manifest, indent=1), "utf-8")


def forged_bundle(folder: Path, threshold: float = 0.99) -> Path:
    """The shipped bundle copied to ``folder``, the threshold of every model changed and its hashes
    recomputed (issue 12, finding 12: it passes every hash check)."""

    def forge(manifest: dict) -> None:
        for model in manifest["models"].values():
            model["threshold"] = threshold

    shutil.copytree(default_bundle(), folder)
    edit_manifest(folder, forge)
    return folder
