"""Build the double-clickable app with PyInstaller (``creditscore.spec``) and report its size.

    pip install -e ".[build]"
    python build/build_app.py            # -> build/dist/creditscore/ (run creditscore inside)

Strips the symbols of the libraries that carry many (Linux), prints the build time, the folder's size and its biggest parts, and writes the same as JSON to
``build/dist/build-report.json``.
"""

from __future__ import annotations

import argparse
import json
import logging
import platform
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DIST = ROOT / "build" / "dist"
WORK = ROOT / "build" / "work"
APP_DIR = DIST / "creditscore"

log = logging.getLogger("build")


def build(clean: bool = False) -> float:
    """Run PyInstaller on the spec; the seconds it took."""
    command = [sys.executable, "-m", "PyInstaller", str(ROOT / "creditscore.spec"), "--noconfirm",
               "--distpath", str(DIST), "--workpath", str(WORK), "--log-level", "WARN"]
    if clean:
        command.append("--clean")
    started = time.perf_counter()
    subprocess.run(command, check=True, cwd=ROOT)
    return time.perf_counter() - started


SYMBOL_SECTION = re.compile(r"\]\s+(\.symtab|\.strtab|\.debug_\w+)\s+\S+\s+\S+\s+\S+\s+([0-9a-f]+)")


def symbol_bytes(path: Path) -> int:
    """Bytes of symbol tables and debugging information in an ELF file (0 for anything else)."""
    with path.open("rb") as fh:
        if fh.read(4) != b"\x7fELF":
            return 0
    sections = subprocess.run(["readelf", "-S", "--wide", str(path)], capture_output=True, text=True, check=True).stdout
    return sum(int(size, 16) for _, size in SYMBOL_SECTION.findall(sections))


def strip_symbols(app_dir: Path) -> int:
    """Strip the symbols of every library that carries some (40 MB in Polars' runtime alone); bytes saved.

    Linux only. Libraries repaired by auditwheel (``*.libs`` folders) are left alone: patchelf
    moved their segments and ``strip`` would make them unloadable.
    """
    if not sys.platform.startswith("linux") or not shutil.which("strip"):
        return 0
    saved = 0
    for path in app_dir.rglob("*.so*"):
        if path.is_symlink() or not path.is_file() or any(p.endswith(".libs") for p in path.parent.parts):
            continue
        if symbol_bytes(path):
            before = path.stat().st_size
            subprocess.run(["strip", str(path)], check=True)
            saved += before - path.stat().st_size
    log.info("stripped symbols: %.1f MB less", saved / 1e6)
    return saved


def folder_size(path: Path) -> int:
    """Bytes of the files under ``path`` (symbolic links not followed)."""
    return sum(f.lstat().st_size for f in path.rglob("*") if f.is_file() and not f.is_symlink())


def biggest_parts(app_dir: Path, count: int = 12) -> list[tuple[str, int]]:
    """The largest entries of the bundle's library folder, with their sizes."""
    inner = app_dir / "_internal"
    base = inner if inner.is_dir() else app_dir
    sizes = [(entry.name, folder_size(entry) if entry.is_dir() else entry.lstat().st_size) for entry in base.iterdir()]
    return sorted(sizes, key=lambda item: -item[1])[:count]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clean", action="store_true", help="empty PyInstaller's cache first")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    seconds = build(args.clean)
    strip_symbols(APP_DIR)
    report = {
        "machine": f"{platform.system()} {platform.machine()}, Python {platform.python_version()}",
        "build_seconds": round(seconds, 1),
        "bundle_bytes": folder_size(APP_DIR),
        "biggest_parts": dict(biggest_parts(APP_DIR)),
    }
    (DIST / "build-report.json").write_text(json.dumps(report, indent=1), "utf-8")
    log.info("built %s in %.0f s: %.0f MB", APP_DIR, seconds, report["bundle_bytes"] / 1e6)
    for name, size in report["biggest_parts"].items():
        log.info("  %8.1f MB  %s", size / 1e6, name)
    return 0


if __name__ == "__main__":
    sys.exit(main())
