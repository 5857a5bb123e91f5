"""Reasons put into words: how fast the stored reasons of a batch become sentences (FR and EN).

    python bench/bench_wording.py                                         # this checkout
    PYTHONPATH=/tmp/base python bench/bench_wording.py --root /tmp/base   # another checkout, for "before"

Scores the demo batch (5,000 clients with their history) once, then renders every stored reason of
every client (both sides, French and English: what a CSV export of the batch does) twice: a first
pass with the formatting caches empty, a second with them filled. Times each pass (wall and CPU)
and prints one JSON line with the sentences per second.
"""

from __future__ import annotations

import json
import os
import sys
import time

from cpu import checkout_parser, cpu_seconds


def main(argv: list[str] | None = None) -> None:
    parser = checkout_parser(__doc__)
    args = parser.parse_args(argv)
    sys.path.insert(0, str(args.root))

    from engine.bundle import load_bundle
    from engine.readers import read_tables
    from engine.resources import default_bundle, demo_batch
    from engine.scoring import Scorer

    scorer = Scorer(load_bundle(default_bundle()))
    scores = scorer.score(scorer.features(read_tables(demo_batch()).frames))
    sides = [[r.to_dict() for r in reasons] for s in scores for reasons in (s.against, s.favour)]
    passes = {}
    for name in ("cold", "warm"):
        wall, cpu = time.perf_counter(), cpu_seconds()
        cells = [scorer.words.cell(reasons, lang) for reasons in sides for lang in ("fr", "en")]
        passes[name] = (time.perf_counter() - wall, cpu_seconds() - cpu)
    sentences = 2 * sum(len(reasons) for reasons in sides)
    print(json.dumps({
        "root": str(args.root),
        "clients": len(scores),
        "sentences": sentences,
        "characters": sum(map(len, cells)),
        **{f"{name}_sentences_per_s": round(sentences / wall) for name, (wall, _) in passes.items()},
        **{f"{name}_sentences_per_cpu_s": round(sentences / cpu) for name, (_, cpu) in passes.items()},
        "load_1min": round(os.getloadavg()[0], 1),
    }))


if __name__ == "__main__":
    main()
