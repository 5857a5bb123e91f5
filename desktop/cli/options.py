"""The options several verbs share: ``--home``, ``--lang`` and ``-v`` (before or after the verb),
``--bundle``/``--trust``, ``--application``."""

from __future__ import annotations

import argparse
from collections.abc import Callable

from engine.formats import LANGS

Verb = Callable[[str, str], argparse.ArgumentParser]
"""Adds a verb (its name, its help) to the command and returns its parser."""


def global_options(after_verb: bool = False) -> argparse.ArgumentParser:
    """The options every verb takes, before or after it; after it, an absent one leaves the value before it."""
    keep = {"default": argparse.SUPPRESS} if after_verb else {}
    options = argparse.ArgumentParser(add_help=False)
    options.add_argument("-v", "--verbose", action="store_true", help="more log output", **keep)
    options.add_argument(
        "--home", help="folder of the client store (default: $CREDITSCORE_HOME, else the user data folder)", **keep
    )
    options.add_argument(
        "--lang", choices=LANGS, help="language of the messages, reports, memos and reasons (default: the app's "
        "setting, else the system's language ($LANG), else French)", **keep
    )
    return options


def bundle_options(parser: argparse.ArgumentParser) -> None:
    """``--bundle`` and ``--trust``, for the verbs that score with a model."""
    parser.add_argument("--bundle", help="model bundle folder (default: the bundled model)")
    parser.add_argument(
        "--trust", action="append", default=[], metavar="PUBKEY",
        help="also accept bundles signed by this public key (a .pub file or a folder of them; repeatable)",
    )


def application_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--application", choices=["train", "test"], help="which application file when several are given")
