"""What the verbs work with: the officer's store (``--home``), the trusted scorer (``--bundle``), the language
(``--lang``), progress on stderr."""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

from desktop.i18n import DEFAULT_LANG, LANGS, catalogue, t

#: The environment variables of the system's language, in the order the C library reads them.
LOCALE_VARIABLES = ("LC_ALL", "LC_MESSAGES", "LANG")


def command_lang(chosen: str | None, home: str | None) -> str:
    """The language of the command: ``--lang``, else the app's (its settings), else the system's (``$LANG``)
    when the app has its words, else French."""
    from storage.paths import StoreError, settings_file
    from storage.settings import saved_lang

    if chosen:
        return chosen
    try:
        saved = saved_lang(settings_file(home))
    except StoreError:  # a --home the command refuses says so itself, in the language found below
        saved = None
    if saved:
        return saved
    system = next((os.environ[name] for name in LOCALE_VARIABLES if os.environ.get(name)), "")
    code = system.partition("_")[0].partition(".")[0].lower()
    return code if code in LANGS else DEFAULT_LANG


class ProgressLine:
    """Prints import and drift progress to stderr in ``lang``: every stage change, then at most once a second."""

    def __init__(self, lang: str) -> None:
        self.lang, self.stage, self.shown = lang, "", 0.0

    def __call__(self, stage: str, done: int, total: int) -> None:
        clock = time.monotonic()
        if stage == self.stage and done < total and clock - self.shown < 1:
            return
        self.stage, self.shown = stage, clock
        print("  " + t(self._key(stage), self.lang, done=done, total=total), file=sys.stderr, flush=True)

    def _key(self, stage: str) -> str:
        """The import page's words for its stages, the drift page's for its steps."""
        keys = (f"imports.stage_{stage}", f"drift.step_{stage}")
        return next((key for key in keys if key in catalogue()[self.lang]), keys[0])


def store(args: argparse.Namespace):
    """The officer's client store (``--home``); the demo clients live apart (``storage.demo``), in the app."""
    from storage.store import ClientStore

    return ClientStore(args.home)


def store_path(args: argparse.Namespace) -> Path:
    from storage.paths import DATABASE_FILE, data_home

    return data_home(args.home) / DATABASE_FILE


def scorer(args: argparse.Namespace):
    """The scorer of ``--bundle`` (default: the shipped one), refused unless shipped or signed by a trusted key."""
    from engine.resources import default_bundle
    from engine.scoring import Scorer
    from engine.signing import load_trusted_bundle

    bundle = getattr(args, "bundle", None) or default_bundle()
    return Scorer(load_trusted_bundle(bundle, getattr(args, "trust", ())))
