"""Long work (import, drift, first-start seeding) in background threads, with progress to poll."""

from __future__ import annotations

import itertools
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from engine.constants import Progress

log = logging.getLogger(__name__)


@dataclass
class Job:
    id: int
    kind: str
    state: str = "running"  # running | done | failed
    stage: str = ""
    done: int = 0
    total: int = 0
    result: Any = None
    error: str | None = None
    exception: Exception | None = field(default=None, repr=False)  # what failed, for a page to word it
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def progress(self, stage: str, done: int, total: int) -> None:
        with self._lock:
            self.stage, self.done, self.total = stage, done, total

    def snapshot(self) -> dict:
        with self._lock:
            return {"id": self.id, "kind": self.kind, "state": self.state, "stage": self.stage,
                    "done": self.done, "total": self.total, "error": self.error}


class JobRunner:
    """Starts jobs in daemon threads; pages poll :meth:`get` for their progress and result."""

    def __init__(self) -> None:
        self._jobs: dict[int, Job] = {}
        self._ids = itertools.count(1)
        self._lock = threading.Lock()

    def start(self, kind: str, work: Callable[[Progress], Any], *, only_latest: bool = False) -> Job:
        """Run ``work(progress)`` in the background; its return value becomes the job's result.
        ``only_latest``: earlier jobs of this kind are forgotten (their results, however large, freed)."""
        with self._lock:
            if only_latest:
                self._jobs = {i: j for i, j in self._jobs.items() if j.kind != kind}
            job = Job(next(self._ids), kind)
            self._jobs[job.id] = job

        def run() -> None:
            try:
                job.result = work(job.progress)
                job.state = "done"
            except Exception as exc:  # noqa: BLE001 - any failure is shown to the user, not raised in a thread
                log.exception("%s job %d failed", kind, job.id)
                job.error, job.exception = str(exc) or type(exc).__name__, exc
                job.state = "failed"

        threading.Thread(target=run, name=f"job-{kind}-{job.id}", daemon=True).start()
        return job

    def get(self, job_id: int | None) -> Job | None:
        return self._jobs.get(job_id) if job_id is not None else None

    def take(self, job_id: int | None) -> Any:
        """The result of a finished job, handed over once (the job forgotten), None if there is none."""
        with self._lock:
            job = self._jobs.get(job_id) if job_id is not None else None
            if job is None or job.state != "done":
                return None
            del self._jobs[job_id]
            return job.result

    def latest(self, kind: str) -> Job | None:
        """The most recent job of this kind, if any."""
        found = [j for j in self._jobs.values() if j.kind == kind]
        return found[-1] if found else None
