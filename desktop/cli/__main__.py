"""``python -m desktop.cli``: the ``creditscore`` command."""

import sys

from desktop.cli.run import main

if __name__ == "__main__":
    sys.exit(main())
