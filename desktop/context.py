"""What the running app works with: the store, the scorer, the jobs and the launch token.

One :class:`AppContext` per process, set by ``create_app``; pages and the API reach it through
:func:`context`. Heavy objects (the model, the store) are opened on first use, not at start-up.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from desktop.jobs import JobRunner

log = logging.getLogger(__name__)


@dataclass
class AppContext:
    home: Path | None  # the store's folder (None: the user's data folder)
    bundle_path: Path
    token: str
    trust: tuple[Path, ...] = ()  # public keys whose signed bundles are accepted, beside resources/keys
    jobs: JobRunner = field(default_factory=JobRunner)
    window: Any = None  # the pywebview window (None when served to a browser)
    _opened: dict = field(default_factory=dict, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def _once(self, name: str, factory):
        opened = self._opened.get(name)
        if opened is not None:  # no lock once open: loading the model must not hold up the store
            return opened
        with self._lock:
            if name not in self._opened:
                self._opened[name] = factory()
            return self._opened[name]

    @property
    def store(self):
        """The store the pages show: the officer's, or the demo store while the officer's holds no batch."""
        return self.demo_store if self.demo else self.real_store

    @property
    def real_store(self):
        """The officer's client store, where imports go (opened, and migrated if needed, on first use)."""
        from storage.store import ClientStore

        return self._once("store", lambda: ClientStore(self.home))

    @property
    def demo_store(self):
        """The demo clients' own store (``storage.demo``)."""
        from storage.paths import demo_home
        from storage.store import ClientStore

        return self._once("demo", lambda: ClientStore(demo_home(self.home)))

    @property
    def demo(self) -> bool:
        """The app is in demonstration mode: the officer has imported no client yet (once out, for good)."""
        if "real" not in self._opened and self.real_store.is_empty():
            return True
        self._opened["real"] = True
        return False

    @property
    def scorer(self):
        """The scorer of the bundle (loaded, and its hashes and origin verified, on first use)."""
        from engine.scoring import Scorer
        from engine.signing import load_trusted_bundle

        return self._once("scorer", lambda: Scorer(load_trusted_bundle(self.bundle_path, self.trust)))

    def close(self) -> None:
        """Close the stores' connections of this thread."""
        for name in ("store", "demo"):
            if name in self._opened:
                self._opened[name].close()


_current: AppContext | None = None


def set_context(ctx: AppContext) -> None:
    global _current
    _current = ctx


def context() -> AppContext:
    if _current is None:
        raise RuntimeError("the app context is not set: create the app with desktop.app.create_app")
    return _current
