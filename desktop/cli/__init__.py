"""The ``creditscore`` command: ``parser`` (the verbs and the options every verb takes), ``run`` (one verb run,
its faults said plainly, the log), and one module per group of verbs, each handler beside its options."""

from desktop.cli.run import main

__all__ = ["main"]
