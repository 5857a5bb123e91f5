"""Where the read-only files shipped with the app live (source tree or PyInstaller bundle)."""

from __future__ import annotations

import sys
from pathlib import Path


def resources_dir() -> Path:
    """``resources/`` beside the packages, or inside the frozen app's folder."""
    frozen = getattr(sys, "_MEIPASS", None)
    base = Path(frozen) if frozen else Path(__file__).resolve().parent.parent
    return base / "resources"


def default_bundle() -> Path:
    """The model bundle trained on the real extract and shipped with the app."""
    return resources_dir() / "model"


def trusted_keys_dir() -> Path:
    """Public keys whose signed model bundles the app accepts (``*.pub``, see ``engine.signing``)."""
    return resources_dir() / "keys"


def demo_batch() -> Path:
    """The 5,000 unlabelled application_test clients and their history (Parquet tables)."""
    return resources_dir() / "demo"
