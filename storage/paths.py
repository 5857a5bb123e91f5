"""Where the client store lives: the user's data folder, never inside the installed app.

Order of precedence: an explicit folder (the CLI's ``--home``), the ``CREDITSCORE_HOME``
environment variable, then platformdirs' per-user data folder for "creditscore".
"""

from __future__ import annotations

import os
from pathlib import Path

from platformdirs import user_data_dir

from engine.resources import resources_dir

HOME_ENV = "CREDITSCORE_HOME"
DATABASE_FILE = "clients.sqlite"
IMPORTS_DIR = "imports"
LOGS_DIR = "logs"
LOG_FILE = "creditscore.log"


class StoreError(RuntimeError):
    """The store cannot be used (wrong place, newer schema) or a request on it is invalid."""


def data_home(override: str | Path | None = None) -> Path:
    """The store's folder (not created); refuses a folder inside the app's read-only resources."""
    chosen = override or os.environ.get(HOME_ENV) or user_data_dir("creditscore", appauthor=False)
    home = Path(chosen).expanduser().resolve()
    shipped = resources_dir().resolve()
    if home == shipped or shipped in home.parents:
        raise StoreError(
            f"the client store cannot live inside the app's resources ({shipped}): choose another folder"
        )
    return home


def log_file(override: str | Path | None = None) -> Path:
    """The app's log file, in the store's folder (not created)."""
    return data_home(override) / LOGS_DIR / LOG_FILE
