"""Write the pre-built demo store shipped in ``resources/demo-store/`` (after the model or the demo batch changes).

    python build/make_demo_store.py [BUNDLE]

The demo batch (``resources/demo``) is scored with BUNDLE (default: the shipped model) into a new
store, which is compacted and archived with the id of the bundle (see ``storage.demo``).
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path

from engine.bundle import load_bundle
from engine.resources import default_bundle
from engine.scoring import Scorer
from storage.demo import build, prebuilt_dir


def main(bundle: Path) -> None:
    archive = build(prebuilt_dir(), Scorer(load_bundle(bundle)))
    print(f"{archive} ({archive.stat().st_size / 1e6:.1f} MB)")


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else default_bundle())
