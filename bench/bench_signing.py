"""Cost of checking a model bundle's origin: what ``engine.signing`` adds to the start-up check.

Times (best of N, milliseconds, wall clock) the hash check alone (``verified_manifest``, what the
app ran at start before), the hash and origin check of the shipped bundle and of a signed copy
trusted with ``--trust`` (``verified_origin``, what it runs now), the origin check alone, and a
signature (``sign_bundle``, hash check included). Keys are generated in a temporary folder.

    python bench/bench_signing.py [--repeat 20]
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from engine.bundle import verified_manifest  # noqa: E402
from engine.resources import default_bundle  # noqa: E402
from engine.signing import check_origin, new_key_pair, sign_bundle, verified_origin  # noqa: E402


def best_ms(task: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        task()
        times.append(time.perf_counter() - started)
    return min(times) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        bundle = Path(tmp) / "model"
        shutil.copytree(default_bundle(), bundle)
        keys = new_key_pair(Path(tmp) / "keys")
        trust = [keys.public]
        sign = best_ms(lambda: sign_bundle(bundle, keys.private), args.repeat)
        manifest = verified_manifest(bundle)
        tasks = {
            "verified_manifest (hashes), shipped bundle": lambda: verified_manifest(default_bundle()),
            "verified_origin (hashes + origin), shipped bundle": lambda: verified_origin(default_bundle()),
            "verified_origin (hashes + origin), signed copy, --trust": lambda: verified_origin(bundle, trust),
            "check_origin alone (key read, signature verified)": lambda: check_origin(bundle, manifest["manifest_sha256"], trust),
        }
        rows = {name: best_ms(task, args.repeat) for name, task in tasks.items()}
        rows["sign_bundle (hashes + signature written)"] = sign
    print(f"| check | best of {args.repeat}, ms |\n|---|---:|")
    for name, ms in rows.items():
        print(f"| {name} | {ms:.2f} |")


if __name__ == "__main__":
    main()
