"""The ``creditscore`` command line: the global options and every group of verbs, each group adding its own."""

from __future__ import annotations

import argparse

from desktop.cli import drift, models, records, scoring, start
from desktop.cli.options import global_options

VERB_GROUPS = (start, models, scoring, records, drift)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="creditscore", description="Offline credit scoring (Home Credit, LightGBM).", parents=[global_options()]
    )
    subparsers = parser.add_subparsers(dest="verb")
    after_verb = global_options(after_verb=True)

    def verb(name: str, help: str) -> argparse.ArgumentParser:
        return subparsers.add_parser(name, help=help, parents=[after_verb])

    for group in VERB_GROUPS:
        group.register(verb)
    return parser
