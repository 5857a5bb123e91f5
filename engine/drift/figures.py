"""The drift's figures beside Evidently's tests: the banking PSI (:mod:`engine.psi`) of the model's PD
and of each top feature with its band, the PD's quantiles and approval rate at the model's threshold,
and the PD histograms of the reference and the batch."""

from __future__ import annotations

import numpy as np
import polars as pl

from engine.bundle import Bundle
from engine.drift.inputs import PD, DriftError
from engine.psi import psi, psi_band

QUANTILES = (0.05, 0.25, 0.5, 0.75, 0.95)
#: Bins of the PD histograms (equal width, from 0 to the 99.5th percentile of both samples).
HISTOGRAM_BINS = 30
#: The PSI band of a feature whose table the batch did not supply (no PSI: the values are unknown).
NOT_SUPPLIED = "not_supplied"


def feature_psi(reference: pl.DataFrame, current: pl.DataFrame, features: list[str], bins: int) -> list[dict]:
    """PSI and band of each feature, batch against reference."""
    out = []
    for f in features:
        value = psi(_floats(reference[f]), _floats(current[f]), bins)
        out.append({"feature": f, "psi": value, "band": psi_band(value)})
    return out


def _floats(series: pl.Series) -> np.ndarray:
    return series.cast(pl.Float64, strict=False).fill_null(float("nan")).to_numpy()


def score_shift(
    bundle: Bundle, model, reference: pl.DataFrame, current: pl.DataFrame, current_pd: np.ndarray | None, bins: int
) -> dict:
    """PSI, quantiles and approval rate of the PD, reference (the out-of-fold PD of ``model``, the
    model that scores the batch) against the batch, at ``model``'s threshold. Without a PD, why
    (code ``features_absent``: how many model features the batch lacks, one of them)."""
    if current_pd is None:
        missing = [f for f in bundle.feature_names if f not in current.columns]
        return {"available": False, "code": "features_absent", "missing": len(missing), "example": missing[0]}
    current_pd = np.asarray(current_pd, dtype=np.float64)
    if current_pd.shape != (current.height,):
        raise DriftError("pd_count", given=current_pd.size, rows=current.height)
    reference_pd = reference[PD].to_numpy()
    value = psi(reference_pd, current_pd, bins)
    ref_rate = _approval_rate(reference_pd, model.threshold)
    cur_rate = _approval_rate(current_pd, model.threshold)
    return {
        "available": True,
        "model": model.name,
        "psi": value,
        "band": psi_band(value),
        "reference": _distribution(reference_pd),
        "current": _distribution(current_pd),
        "approval_rate": {
            "threshold": model.threshold,
            "reference": ref_rate,
            "current": cur_rate,
            "change": cur_rate - ref_rate,
        },
    }


def _distribution(pd_: np.ndarray) -> dict:
    return {
        "mean": float(np.mean(pd_)),
        "quantiles": {f"p{round(q * 100)}": float(v) for q, v in zip(QUANTILES, np.quantile(pd_, QUANTILES))},
    }


def _approval_rate(pd_: np.ndarray, threshold: float) -> float:
    """Share accepted: PD below the threshold (the scorer refuses at or above it)."""
    return float(np.mean(pd_ < threshold))


def pd_histogram(reference: np.ndarray, current: np.ndarray, bins: int = HISTOGRAM_BINS) -> dict:
    """Shares of the reference and the batch in equal-width PD bins (the last one open-ended)."""
    both = np.concatenate([reference, current])
    upper = float(np.quantile(both, 0.995)) or 1.0
    edges = np.linspace(0.0, upper, bins + 1)

    def shares(values: np.ndarray) -> list[float]:
        counts, _ = np.histogram(np.clip(values, 0.0, upper), bins=edges)
        return (counts / max(values.size, 1)).round(6).tolist()

    return {"edges": edges.round(6).tolist(), "reference": shares(reference), "current": shares(current)}
