"""``creditscore app``: the application, in its window or for a browser."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from desktop.cli.options import Verb, bundle_options


def cmd_app(args: argparse.Namespace) -> int:
    from desktop.window import run_browser, run_window
    from engine.resources import default_bundle

    bundle = Path(args.bundle) if args.bundle else default_bundle()
    trust = tuple(map(Path, args.trust))
    if args.browser:
        run_browser(args.home, bundle, args.port, trust=trust)
        return 0
    gui = "qt" if sys.platform.startswith("linux") else None  # WebView2 / WebKit elsewhere
    smoke = Path(args.smoke) if args.smoke else None
    return run_window(args.home, bundle, gui=gui, smoke=smoke, port=args.port, log_file=args.log_file, trust=trust)


def register(verb: Verb) -> None:
    p = verb("app", "open the application window (the default; the bundled model, the user's store)")
    p.add_argument("--browser", action="store_true", help="serve for a browser instead of opening a window")
    p.add_argument("--port", type=int, default=0, help="port of the app and its local API (default: a free one)")
    bundle_options(p)
    p.add_argument("--smoke", metavar="FILE", help="self-check: open, score through the API, write FILE, close")
    p.set_defaults(func=cmd_app)
