"""Platt calibration of the model's raw margin, fitted on out-of-fold predictions.

``PD = sigmoid(a × margin + b)``. Platt scaling is strictly increasing, so it keeps the
ranking (ROC AUC), maps the business threshold one-to-one, and turns TreeSHAP margin
contributions into exact log-odds contributions of the calibrated PD (each scaled by ``a``).
It is stored as two numbers: loading a bundle needs no code object.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class PlattCalibration:
    a: float
    b: float

    @classmethod
    def fit(cls, margin: np.ndarray, y: np.ndarray) -> PlattCalibration:
        """Fit on OOF margins (log-odds of the uncalibrated model) and labels."""
        from sklearn.linear_model import LogisticRegression  # training only: loading a bundle does not need it

        model = LogisticRegression(C=1e6, max_iter=1000)
        model.fit(np.asarray(margin, dtype=np.float64).reshape(-1, 1), y)
        return cls(a=float(model.coef_[0, 0]), b=float(model.intercept_[0]))

    def log_odds(self, margin: np.ndarray) -> np.ndarray:
        return self.a * np.asarray(margin, dtype=np.float64) + self.b

    def predict(self, margin: np.ndarray) -> np.ndarray:
        """Calibrated probability of default."""
        return 1.0 / (1.0 + np.exp(-self.log_odds(margin)))

    def margin_at(self, pd: float) -> float:
        """The raw margin whose calibrated PD is ``pd`` (inverse map, for thresholds)."""
        return (float(np.log(pd / (1.0 - pd))) - self.b) / self.a

    def to_dict(self) -> dict:
        return {"method": "platt", "a": self.a, "b": self.b}

    @classmethod
    def from_dict(cls, state: dict) -> PlattCalibration:
        if state.get("method") != "platt":
            raise ValueError(f"unknown calibration method {state.get('method')!r}")
        return cls(a=float(state["a"]), b=float(state["b"]))


def to_margin(proba: np.ndarray) -> np.ndarray:
    """Log-odds of probabilities, clipped away from 0 and 1."""
    p = np.clip(np.asarray(proba, dtype=np.float64), 1e-12, 1 - 1e-12)
    return np.log(p / (1 - p))
