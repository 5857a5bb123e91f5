"""Data drift of a batch of clients against the bundle's reference sample, by responsibility:

* :mod:`~engine.drift.inputs`: the settings, the columns compared, the reference sample, the batch's
  frame and PD;
* :mod:`~engine.drift.evidently_report`: Evidently's per-column tests, dataset verdict and HTML page;
* :mod:`~engine.drift.figures`: the banking PSI of the PD and the top features, the approval rate,
  the PD histograms;
* :mod:`~engine.drift.notes`: the summary's warnings and reasons, stored as codes, worded when shown;
* :mod:`~engine.drift.run`: :func:`run_drift`, the summary and the page.
"""

from engine.drift.figures import NOT_SUPPLIED, pd_histogram
from engine.drift.inputs import KEY, DriftConfig, DriftError, batch_pd, drift_columns, drift_frame
from engine.drift.notes import MIN_ROWS, describe
from engine.drift.run import DriftResult, header, run_drift

__all__ = [
    "KEY", "MIN_ROWS", "NOT_SUPPLIED", "DriftConfig", "DriftError", "DriftResult", "batch_pd", "describe",
    "drift_columns", "drift_frame", "header", "pd_histogram", "run_drift",
]
