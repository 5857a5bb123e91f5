"""The model bundle: a folder that scores clients without running any stored code.

Layout::

    model.txt          LightGBM booster, native text format; a bag of k boosters adds model-2.txt …
                       model-k.txt (the manifest's "model" "files" lists them, in order)
    manifest.json      features, category levels, one model per coverage (tables, threshold,
                       calibration, metrics), data summary, library versions, pipeline version,
                       content hashes
    reference.parquet  reference sample: SK_ID_CURR, TARGET, the OOF PD of each coverage model
                       (``PD`` for the full-history one, ``PD_<coverage>`` for the others), the features and the raw application categories, for
                       drift and population comparisons
    metrics.json       the training report as data
    report.html        the training report, self-contained

Loading checks the pipeline version and the SHA-256 of every file the scorer reads, and of the
manifest itself; a mismatch is refused with :class:`BundleError`, worded from ``resources/i18n/bundle.json``.
"""

from __future__ import annotations

import hashlib
import json
import logging
import platform
import re
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timezone
from functools import cached_property
from importlib.metadata import version
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import polars as pl

from engine.calibration import PlattCalibration
from engine.catalogues import CodedError
from engine.coverage import coverage_of
from engine.features import PIPELINE_VERSION, FeaturePipeline
from engine.grading import GRADING
from engine.manifest import Manifest, ModelMetrics
from engine.schema import tables

if TYPE_CHECKING:
    import lightgbm as lgb

log = logging.getLogger(__name__)

FORMAT = "creditscore-bundle"
#: 2: one model per coverage (manifest "models", "trained_tables", "exclude"); 3: a bag of boosters
#: (manifest "model" "files"). Version 2 still loads, as a bag of one; an app that reads only 2 refuses 3.
FORMAT_VERSION = 3
READABLE_VERSIONS = (2, 3)
MODEL_FILE = "model.txt"
MANIFEST_FILE = "manifest.json"
REFERENCE_FILE = "reference.parquet"
REFERENCE_ROWS = 20_000
FEW_ROWS = 64  # at most this many rows are predicted on one thread (BoosterBag)
LIBRARIES = ("lightgbm", "polars", "numpy", "scikit-learn", "imbalanced-learn", "shap", "pyarrow")


class BundleError(CodedError, ValueError):
    """A model bundle that cannot be used: why as a code and its values (which file), worded from
    ``resources/i18n/bundle.json``."""

    CATALOGUE = "bundle"


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _manifest_digest(manifest: dict) -> str:
    body = {k: v for k, v in manifest.items() if k != "manifest_sha256"}
    return hashlib.sha256(json.dumps(body, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def library_versions() -> dict[str, str]:
    found = {"python": platform.python_version()}
    for name in LIBRARIES:
        try:
            found[name] = version(name)
        except Exception:  # noqa: BLE001 - a library absent from a frozen app is simply not listed
            continue
    return found


#: Where a LightGBM model text's first tree begins (its header ends).
_FIRST_TREE = "Tree=0\n"


def _trees(text: str) -> list[str]:
    """The tree blocks of a LightGBM model text, without their ``Tree=i`` line."""
    trees = text.split(_FIRST_TREE, 1)[1].split("end of trees", 1)[0]
    return [tree.strip("\n") for tree in re.split(r"^Tree=\d+\n", trees, flags=re.MULTILINE)]


def model_files(k: int) -> list[str]:
    """The file names of a bag of ``k`` boosters: model.txt, then model-2.txt … model-k.txt."""
    return [MODEL_FILE, *(f"model-{i}.txt" for i in range(2, k + 1))]


@dataclass(frozen=True)
class BoosterBag:
    """k LightGBM boosters read as one model: its raw margin is the mean of theirs. TreeSHAP values
    are linear in the model, so its exact contributions are the mean of each booster's: both are
    computed in one call on :attr:`merged`, the boosters' trees in one model with their leaf values
    divided by k (one pass over the rows instead of k; bench/RESULTS-import.md)."""

    boosters: tuple[lgb.Booster, ...]

    @cached_property
    def merged(self) -> lgb.Booster:
        """One booster holding every booster's trees, each leaf value divided by k (the booster itself
        when k is 1). Built from the boosters' text: no stored code runs."""
        if len(self.boosters) == 1:
            return self.boosters[0]
        import lightgbm as lgb

        texts = [b.model_to_string(num_iteration=-1) for b in self.boosters]
        header = re.sub(r"^tree_sizes=.*\n", "", texts[0].split(_FIRST_TREE, 1)[0], flags=re.MULTILINE)
        trees = [tree for text in texts for tree in _trees(text)]
        body = "".join(f"Tree={i}\n{tree}\n\n" for i, tree in enumerate(trees))
        merged = lgb.Booster(model_str=f"{header}{body}end of trees\n")
        k = len(self.boosters)
        for i, tree in enumerate(trees):
            for leaf in range(int(re.search(r"^num_leaves=(\d+)$", tree, re.MULTILINE)[1])):
                merged.set_leaf_output(i, leaf, merged.get_leaf_output(i, leaf) / k)
        return merged

    def _predict(self, X: np.ndarray, **kind: bool) -> np.ndarray:
        # A few rows (one client, a what-if's variants) on one thread: waking OpenMP's threads costs
        # more than it saves, and waits the longest on a busy machine. 0: LightGBM's default.
        return self.merged.predict(X, num_threads=1 if len(X) <= FEW_ROWS else 0, **kind)

    def margin(self, X: np.ndarray) -> np.ndarray:
        """Raw margin (log-odds before calibration) of every row."""
        return self._predict(X, raw_score=True)

    def contributions(self, X: np.ndarray) -> np.ndarray:
        """TreeSHAP contributions on the raw margin: one column per feature, then the expected value."""
        return self._predict(X, pred_contrib=True)

    def feature_importance(self, importance_type: str = "split") -> np.ndarray:
        """Mean importance of each feature over the boosters."""
        return np.mean([b.feature_importance(importance_type) for b in self.boosters], axis=0)

    def feature_name(self) -> list[str]:
        return self.boosters[0].feature_name()

    def num_trees(self) -> int:
        """Trees in all the boosters (what TreeSHAP's cost grows with)."""
        return sum(b.num_trees() for b in self.boosters)


@dataclass(frozen=True)
class CoverageModel:
    """The model of one coverage: the booster read with the features of other tables blanked, its
    own Platt calibration, cost-optimal threshold and out-of-fold metrics."""

    name: str  # the coverage name: "application", "bureau", "full"
    tables: frozenset[str]  # the tables whose features it reads (the others are blanked)
    threshold: float  # refuse when the calibrated PD is at or above this value
    calibration: PlattCalibration
    metrics: ModelMetrics
    reference_pd: str  # its OOF PD column in reference.parquet

    def to_dict(self) -> dict:
        return {
            "tables": sorted(self.tables),
            "threshold": self.threshold,
            "calibration": self.calibration.to_dict(),
            "metrics": self.metrics.to_dict(),
            "reference_pd": self.reference_pd,
        }

    @classmethod
    def from_dict(cls, name: str, state: dict) -> CoverageModel:
        return cls(
            name=name,
            tables=frozenset(state["tables"]),
            threshold=float(state["threshold"]),
            calibration=PlattCalibration.from_dict(state["calibration"]),
            metrics=ModelMetrics.from_dict(state["metrics"]),
            reference_pd=state["reference_pd"],
        )


@dataclass
class Bundle:
    """A loaded, verified model bundle."""

    path: Path
    manifest: Manifest
    booster: BoosterBag
    pipeline: FeaturePipeline
    models: dict[str, CoverageModel]
    trained_tables: frozenset[str]  # the tables the bundle was trained with

    @property
    def feature_names(self) -> list[str]:
        return self.manifest.features

    def model_for(self, supplied: Collection[str] | None) -> CoverageModel:
        """The model of the tables a batch supplied (None: every table the bundle was trained with)."""
        coverage = coverage_of(self.trained_tables if supplied is None else supplied, self.trained_tables)
        return self.models[coverage.name]

    @property
    def threshold(self) -> float:
        """The full-history model's threshold (callers that know the score's model use its own)."""
        return self.model_for(None).threshold

    @property
    def calibration(self) -> PlattCalibration:
        """The full-history model's calibration (callers that know the score's model use its own)."""
        return self.model_for(None).calibration

    @property
    def id(self) -> str:
        """The bundle's identity: the SHA-256 of its manifest (which holds the other files' hashes)."""
        return self.manifest.digest

    @cached_property
    def imputation(self) -> np.ndarray | None:
        """Values to fill missing features with (the training medians), for models trained on imputed rows."""
        if not self.manifest.impute_missing:
            return None
        return np.array([0.0 if m is None else m for m in self.medians], dtype=np.float32)

    @cached_property
    def medians(self) -> list[float | None]:
        """Training median of each feature, in feature order."""
        return [self.manifest.medians.get(f) for f in self.feature_names]

    def reference(self, columns: list[str] | None = None) -> pl.DataFrame:
        """The reference sample (or some of its columns)."""
        return pl.read_parquet(self.path / REFERENCE_FILE, columns=columns)


def _reference_frame(result, rows: int) -> pl.DataFrame:
    application = result.application_categories
    pds = [pl.Series(model.reference_pd, result.oof_pd[name], dtype=pl.Float64) for name, model in result.models.items()]
    frame = result.features.with_columns(pl.Series("TARGET", result.target, dtype=pl.Int8), *pds)
    frame = frame.select("SK_ID_CURR", "TARGET", *(s.name for s in pds), *result.pipeline.feature_names)
    if application is not None:
        frame = frame.join(application, on="SK_ID_CURR", how="left")
    if frame.height > rows:
        frame = frame.sample(n=rows, seed=result.config.seed)
    return frame


def _medians(features: pl.DataFrame, names: list[str]) -> dict[str, float | None]:
    """Median of each feature over the training clients: what "low" and "high" are measured against."""
    row = features.select(pl.col(names).median()).row(0)
    return {name: (None if v is None or v != v else float(v)) for name, v in zip(names, row)}


def save_bundle(result, out: Path, *, data_summary: dict, metrics: dict, report_html: str) -> Bundle:
    """Write a trained model as a bundle folder and return it loaded (so it is verified once)."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    files = model_files(len(result.booster.boosters))
    for name, booster in zip(files, result.booster.boosters):
        booster.save_model(out / name, num_iteration=-1)
    _reference_frame(result, REFERENCE_ROWS).write_parquet(out / REFERENCE_FILE, compression="zstd", statistics=False)
    manifest = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "pipeline": {"version": PIPELINE_VERSION, "state": result.pipeline.to_dict()},
        "features": result.pipeline.feature_names,
        "model": {"files": files, "variant": result.shipped, "params": result.config.params},
        "models": {name: model.to_dict() for name, model in result.models.items()},
        "threshold_rule": result.config.threshold_rule,
        "trained_tables": sorted(result.trained_tables),
        "exclude": list(result.config.exclude),
        "impute_missing": result.impute,
        "medians": _medians(result.features, result.pipeline.feature_names),
        "grading": GRADING,
        "metrics": metrics,
        "data": data_summary,
        "versions": library_versions(),
        "files": {name: sha256_file(out / name) for name in (*files, REFERENCE_FILE)},
    }
    manifest["manifest_sha256"] = _manifest_digest(manifest)
    (out / MANIFEST_FILE).write_text(json.dumps(manifest, indent=1, ensure_ascii=False) + "\n", "utf-8")
    (out / "metrics.json").write_text(json.dumps(metrics, indent=1, ensure_ascii=False) + "\n", "utf-8")
    (out / "report.html").write_text(report_html, "utf-8")
    log.info("bundle written to %s", out)
    return load_bundle(out)


def load_bundle(path: Path | str) -> Bundle:
    """Load and verify a bundle folder; no stored code is executed (JSON, LightGBM text, Parquet)."""
    path = Path(path)
    manifest = verified_manifest(path)
    import lightgbm as lgb  # here, not at import: it takes seconds (it imports scikit-learn) and pages need no model

    files = manifest["model"].get("files", [MODEL_FILE])  # format 2: one booster in model.txt
    if not files or set(files) - set(manifest["files"]):
        raise BundleError("model_files_unhashed", file=str(path / MANIFEST_FILE))
    booster = BoosterBag(tuple(lgb.Booster(model_file=str(path / name)) for name in files))
    if any(b.feature_name() != manifest["features"] for b in booster.boosters):
        raise BundleError("features_differ", path=str(path))
    pipeline = FeaturePipeline.from_dict(manifest["pipeline"]["state"])
    try:
        typed = Manifest.from_dict(manifest)
        models = {name: CoverageModel.from_dict(name, state) for name, state in manifest["models"].items()}
    except (KeyError, TypeError) as exc:
        raise BundleError("manifest_incomplete", file=str(path / MANIFEST_FILE), detail=str(exc)) from exc
    return Bundle(path, typed, booster, pipeline, models, typed.trained_tables)


def verified_manifest(path: Path) -> dict:
    """The bundle's manifest, once it and the files it lists are checked (format, hashes, pipeline
    version); raises ``BundleError``. Fast (no model is parsed): the app checks its bundle at start."""
    manifest_path = path / MANIFEST_FILE
    if not manifest_path.is_file():
        raise BundleError("not_a_bundle", path=str(path), manifest=MANIFEST_FILE)
    try:
        manifest = json.loads(manifest_path.read_text("utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BundleError("manifest_unreadable", file=str(manifest_path), detail=str(exc)) from exc
    ours = isinstance(manifest, dict) and manifest.get("format") == FORMAT
    format_version = manifest.get("format_version") if ours else None
    if format_version not in READABLE_VERSIONS:
        raise BundleError("other_format", path=str(path), found=str(format_version or "–"),
                          readable=" / ".join(map(str, READABLE_VERSIONS)))
    if manifest.get("manifest_sha256") != _manifest_digest(manifest):
        raise BundleError("manifest_modified", file=str(manifest_path))
    found_version = manifest["pipeline"]["version"]
    if found_version != PIPELINE_VERSION:
        raise BundleError("other_pipeline", path=str(path), found=str(found_version), expected=PIPELINE_VERSION)
    for name, expected in manifest["files"].items():
        file = path / name
        if not file.is_file():
            raise BundleError("file_missing", file=str(file))
        if sha256_file(file) != expected:
            raise BundleError("file_modified", file=str(file))
    return manifest


def data_summary(application: pl.DataFrame, table_rows: dict[str, int], source: str) -> dict:
    """What the model was trained on, for the manifest and the model card."""
    target = application["TARGET"]
    return {
        "source": source,
        "licence": "Kaggle 'Home Credit Default Risk' competition data: non-commercial / research use only",
        "clients": application.height,
        "defaults": int(target.sum()),
        "default_rate": float(target.mean()),
        "tables": table_rows,
        "missing_tables": [t for t in tables() if t not in table_rows],
    }
