"""Recreate the store from what lies beside it: the kept imports and the journal of decisions.

``rebuild`` first moves the store aside (``storage.faults.keep_damaged_store``: the file, its
``imports/`` and its ``journal.jsonl`` go to ``damaged-<time>/``, never overwritten), then, in a new
store:

* imports every kept folder ``imports/<batch_id>/`` again, in batch order, with the files in the
  order they were given and the batch's own id, kind, start, user and scoring time
  (``batch.json``). A batch scored with the bundle in use gets exactly its scores back; one scored
  with another bundle (no longer the one in use) is scored with the bundle in use, and is listed
  in the result (``rescored``) — its decisions are restored on that new score. A folder without
  ``batch.json`` (imported before it existed) is imported as of now, its files in name order. A
  batch whose files are refused now (the checks of this version are stricter) is left out and
  listed (``refused``); the others are imported all the same.
* appends every decision of the journal, with its id, officer, time and reason, on the score of
  the same client in the same batch; a decision whose batch could not be imported is listed in
  ``lost_decisions``. When one decision id appears twice, the later line wins (the earlier one
  never committed: its id was given again).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field, fields
from pathlib import Path

from engine.constants import Progress
from engine.readers import InputError
from engine.score_record import StoredScore
from engine.scoring import Scorer
from storage import journal
from storage.faults import keep_damaged_store
from storage.importer import import_files
from storage.paths import IMPORTS_DIR, data_home
from storage.store import ClientStore, DecisionRecord, now, os_user
from storage.writer import ORIGIN_FILE, BatchOrigin

log = logging.getLogger(__name__)


@dataclass
class RebuildResult:
    kept: Path  # where the previous store now lies
    batches: list[int] = field(default_factory=list)  # batches imported again, in order
    rescored: dict[int, str] = field(default_factory=dict)  # batch -> bundle it had been scored with
    without_origin: list[int] = field(default_factory=list)  # folders without batch.json
    refused: dict[int, InputError] = field(default_factory=dict)  # batch -> why its files are refused now
    decisions: int = 0  # decisions restored
    lost_decisions: list[int] = field(default_factory=list)  # decision ids whose score is not back


def rebuild(home: str | Path | None, scorer: Scorer, progress: Progress | None = None) -> RebuildResult:
    """Move the store in ``home`` aside and recreate it from its kept imports and its journal."""
    kept = keep_damaged_store(data_home(home))
    result = RebuildResult(kept)
    store = ClientStore(home)
    try:
        for folder in _batch_folders(kept / IMPORTS_DIR):
            origin = _origin(folder, result)
            if origin.bundle_id not in ("", scorer.bundle.id):  # "": not known (no batch.json)
                log.warning("batch %d was scored with bundle %s, not the one in use: scored with %s",
                            origin.batch_id, origin.bundle_id[:12], scorer.bundle.id[:12])
                result.rescored[origin.batch_id] = origin.bundle_id
            try:
                import_files(store, [folder / name for name in origin.files], scorer,
                             application=origin.application, progress=progress, kind=origin.kind, restoring=origin)
            except InputError as exc:  # e.g. files an older version took, refused by today's checks
                log.warning("batch %d left out: its files are refused", origin.batch_id)
                result.refused[origin.batch_id] = exc
                continue
            result.batches.append(origin.batch_id)
        _restore_decisions(store, kept / journal.JOURNAL_FILE, result)
    finally:
        store.close()
    log.info("store rebuilt from %s: %d batches, %d decisions", kept, len(result.batches), result.decisions)
    return result


def _batch_folders(imports: Path) -> list[Path]:
    """The kept folders of committed batches, in batch order (an unfinished ``.partial`` one is left)."""
    if not imports.is_dir():
        return []
    return sorted((entry for entry in imports.iterdir() if entry.is_dir() and entry.name.isdigit()),
                  key=lambda entry: int(entry.name))


def _origin(folder: Path, result: RebuildResult) -> BatchOrigin:
    if (folder / ORIGIN_FILE).exists():
        return BatchOrigin.read(folder)
    batch_id = int(folder.name)
    log.warning("%s has no %s (imported by an older creditscore): imported as of now", folder, ORIGIN_FILE)
    result.without_origin.append(batch_id)
    files = sorted(entry.name for entry in folder.iterdir() if entry.is_file())
    return BatchOrigin(batch_id, "import", now(), os_user(), "", now(), None, files)


def _restore_decisions(store: ClientStore, path: Path, result: RebuildResult) -> None:
    latest: dict[int, dict] = {}
    for record in journal.records(path):
        if record.get("kind") == "decision":
            latest.pop(record["id"], None)  # a later line with the same id replaces the earlier one
            latest[record["id"]] = record
    for decision_id, record in sorted(latest.items()):
        score = next((s for s in store.scores(record["SK_ID_CURR"]) if s.batch_id == record["batch_id"]), None)
        if score is None:
            log.warning("decision %d on client %d (batch %d) not restored: that batch is not back",
                        decision_id, record["SK_ID_CURR"], record["batch_id"])
            result.lost_decisions.append(decision_id)
            continue
        store.append_decision(record["SK_ID_CURR"], record["batch_id"], _restored(record, score))
        result.decisions += 1


def _restored(record: dict, score: StoredScore) -> DecisionRecord:
    """The journal's decision on the restored ``score``: what the officer saw as the line kept it, or
    (lines written before decisions kept it) copied from that score, as ``m010_decision_record`` does."""
    if "model_decision" in record:
        return DecisionRecord(**{**{f.name: record[f.name] for f in fields(DecisionRecord)}, "score_id": score.id})
    return DecisionRecord.on_score(
        score, record["decision"], record["override_reason"], record["officer"], record["decided_at"], id=record["id"]
    )
