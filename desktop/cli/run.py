"""One run of the ``creditscore`` command: the verb (``app`` by default), its log, and its faults said plainly."""

from __future__ import annotations

import argparse
import logging
import sqlite3
import sys
from collections.abc import Sequence
from pathlib import Path

from desktop.cli.context import command_lang, store_path
from desktop.cli.parser import build_parser
from desktop.cli.words import problem_lines
from desktop.i18n import t

log = logging.getLogger("creditscore")
LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


class CommandFormatter(logging.Formatter):
    """On the console, the command's own sentences (its logger's records, in the user's language) as they are;
    the modules' records, and a failure with its traceback, stamped as in the log."""

    def format(self, record: logging.LogRecord) -> str:
        if record.name == log.name and record.exc_info is None:
            return record.getMessage()
        return super().format(record)


def main(argv: Sequence[str] | None = None) -> int:
    """Run one verb; without one (a double-click on the app), ``app``."""
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.verb is None:
        args = parser.parse_args([*argv, "app"])
    from storage.paths import keep_private

    keep_private()  # before anything is written: the log, the store, imports and reports are the user's only
    args.lang = command_lang(args.lang, args.home)
    args.log_file = _configure_logging(args)
    from engine.catalogues import CodedError
    from engine.readers import InputError
    from storage.faults import store_fault

    try:
        return args.func(args)
    except InputError as exc:
        log.error("creditscore %s: %s", args.verb, "\n".join(problem_lines(exc, args.lang)))
        return 2
    except CodedError as exc:  # the store's and the model's refusals, each said with the file it names
        log.error("creditscore %s: %s", args.verb, exc.sentence(args.lang))
        return 2
    except (sqlite3.Error, OSError) as exc:  # damaged store, full disk, a lock held too long: said plainly
        fault = store_fault(exc, store_path(args))
        if fault is None:
            log.exception("creditscore %s: %s", args.verb, t("cli.failed", args.lang))
            return 1
        log.error("creditscore %s: %s", args.verb, fault.sentence(args.lang))
        return 2
    except ModuleNotFoundError as exc:  # the packaged app leaves out what only development verbs use
        log.error("creditscore %s: %s", args.verb, t("cli.missing_module", args.lang, module=exc.name))
        return 2
    except Exception:  # a windowed app has no console: the log file keeps what happened
        log.exception("creditscore %s: %s", args.verb, t("cli.failed", args.lang))
        return 1


def _configure_logging(args: argparse.Namespace) -> Path | None:
    """Log to stderr (when there is one: a windowed app has none) and, for the app, to a file in
    ``<user data folder>/logs/``; returns that file."""
    from logging.handlers import RotatingFileHandler

    from desktop.redaction import RedactingFilter
    from storage.paths import StoreError, create_home, log_file

    handlers: list[logging.Handler] = []
    if sys.stderr is not None:
        console = logging.StreamHandler(sys.stderr)
        console.setFormatter(CommandFormatter(LOG_FORMAT))
        handlers.append(console)
    path = None
    if args.verb == "app":
        try:
            path = log_file(args.home)
            create_home(path.parent.parent)
            path.parent.mkdir(exist_ok=True)
            handlers.append(RotatingFileHandler(path, maxBytes=2_000_000, backupCount=3, encoding="utf-8"))
        except (OSError, StoreError) as exc:  # the app still starts; the window says what is wrong
            path = None
            logging.getLogger(__name__).warning("no log file: %s", exc)
    for handler in handlers:
        handler.addFilter(RedactingFilter())
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO, format=LOG_FORMAT,
        handlers=handlers, force=True,
    )
    if path is not None:
        log.info("creditscore %s, log file %s", " ".join(sys.argv[1:]) or "app", path)
    return path
