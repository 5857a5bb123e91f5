"""Where the client store lives: the user's data folder, never inside the installed app.

Order of precedence: an explicit folder (the CLI's ``--home``), the ``CREDITSCORE_HOME``
environment variable, then platformdirs' per-user data folder for "creditscore".

Nothing in it is readable by other local users: the folder is created 0700 and the command
sets the umask to 077, so every file it writes (store with its WAL and SHM, log, imported
files, reports) is 0600. On Windows the per-user data folder is protected by the profile's ACLs.
"""

from __future__ import annotations

import os
from pathlib import Path

from platformdirs import user_data_dir

from engine.catalogues import CodedError
from engine.resources import resources_dir

HOME_ENV = "CREDITSCORE_HOME"
DATABASE_FILE = "clients.sqlite"
IMPORTS_DIR = "imports"
LOGS_DIR = "logs"
LOG_FILE = "creditscore.log"
SETTINGS_FILE = "settings.json"
#: The demo clients' own store, inside the officer's folder but apart from the real one (``storage.demo``).
DEMO_DIR = "demo"
#: Files 0600 and folders 0700: their owner's only.
PRIVATE_UMASK = 0o077
PRIVATE_FOLDER_MODE = 0o700


class StoreError(CodedError, RuntimeError):
    """The store cannot be used (wrong place, newer schema) or a request on it is invalid: why as a code
    and its values, worded from ``resources/i18n/store.json``."""

    CATALOGUE = "store"


def data_home(override: str | Path | None = None) -> Path:
    """The store's folder (not created); refuses a folder inside the app's read-only resources."""
    chosen = override or os.environ.get(HOME_ENV) or user_data_dir("creditscore", appauthor=False)
    home = Path(chosen).expanduser().resolve()
    shipped = resources_dir().resolve()
    if home == shipped or shipped in home.parents:
        raise StoreError("inside_resources", folder=str(shipped))
    return home


def keep_private() -> None:
    """Make every file and folder this process creates from now on its user's only."""
    os.umask(PRIVATE_UMASK)


def create_home(home: Path) -> Path:
    """Create the store's folder (and missing parents) readable by its owner only; returns it."""
    home.mkdir(mode=PRIVATE_FOLDER_MODE, parents=True, exist_ok=True)
    return home


def demo_home(override: str | Path | None = None) -> Path:
    """The demo store's folder (not created): ``demo/`` in the store's folder."""
    return data_home(override) / DEMO_DIR


def log_file(override: str | Path | None = None) -> Path:
    """The app's log file, in the store's folder (not created)."""
    return data_home(override) / LOGS_DIR / LOG_FILE


def settings_file(override: str | Path | None = None) -> Path:
    """The user's settings (JSON), in the store's folder (not created)."""
    return data_home(override) / SETTINGS_FILE
