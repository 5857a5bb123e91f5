"""``python -m desktop`` and the frozen app's entry point: the ``creditscore`` command.

Started without arguments (a double-click), it opens the application window.
"""

import multiprocessing
import sys

from desktop.cli import main

if __name__ == "__main__":
    multiprocessing.freeze_support()  # a frozen child process must run its task, not the app
    sys.exit(main())
