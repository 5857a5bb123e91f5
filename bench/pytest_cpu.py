"""Per-test time of the suite in CPU seconds, which other load on a shared machine barely changes.

As a pytest plugin, one line per test (setup, call and teardown together) appended to ``$PYTEST_CPU_OUT``:
node id, wall seconds, CPU seconds of the pytest process (its threads and the subprocesses it waited for),
CPU seconds of its live descendants (Chromium and Playwright's driver)::

    PYTHONPATH=.:bench PYTEST_CPU_OUT=after.tsv python -m pytest -p pytest_cpu -q

Then ``python bench/pytest_cpu.py before.tsv after.tsv`` compares the tests both files hold.
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

import pytest

OUT = os.environ.get("PYTEST_CPU_OUT", "pytest-cpu.tsv")
TICK = os.sysconf("SC_CLK_TCK")


def own_cpu() -> float:
    """This process's CPU seconds with those of the children it waited for."""
    times = os.times()
    return times.user + times.system + times.children_user + times.children_system


def descendants_cpu() -> float:
    """CPU seconds of this process's live descendants (each with the children it waited for), from /proc."""
    parents, seconds = {}, {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            parents[int(entry.name)] = int(fields[1])
            seconds[int(entry.name)] = sum(int(f) for f in fields[11:15]) / TICK
    total, level = 0.0, {os.getpid()}
    while level:
        level = {pid for pid, parent in parents.items() if parent in level}
        total += sum(seconds[pid] for pid in level)
    return total


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item, nextitem):
    wall, own, tree = time.perf_counter(), own_cpu(), descendants_cpu()
    yield
    with open(OUT, "a", encoding="utf-8") as out:
        out.write(f"{item.nodeid}\t{time.perf_counter() - wall:.2f}\t{own_cpu() - own:.2f}\t{descendants_cpu() - tree:.2f}\n")


def read(path: Path) -> dict[str, tuple[float, float, float]]:
    rows = (line.split("\t") for line in path.read_text("utf-8").splitlines() if line)
    return {node: (float(wall), float(own), float(tree)) for node, wall, own, tree in rows}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("before", type=Path)
    parser.add_argument("after", type=Path)
    args = parser.parse_args()
    before, after = read(args.before), read(args.after)
    common = sorted(before.keys() & after.keys())
    for name, table in (("before", before), ("after", after)):
        own = sum(table[n][1] for n in common)
        tree = sum(max(table[n][2], 0) for n in common)  # a session's end frees Chromium: negative there
        print(f"{name}: {len(common)} tests, CPU {own:.1f} s in pytest + {tree:.1f} s in its descendants")


if __name__ == "__main__":
    main()
