"""Constants shared across the layers: calendar, currency, Home Credit's placeholder, training variants, the
business cost and its threshold rules, progress."""

from __future__ import annotations

from collections.abc import Callable

#: Mean length of a year in days (leap years included): day counts to ages and tenures.
DAYS_PER_YEAR = 365.25
DAYS_PER_MONTH = DAYS_PER_YEAR / 12
#: ISO code of the currency of the amounts in the client files: every amount and label shows its symbol.
CURRENCY = "EUR"
#: Kaggle's placeholder in the ``DAYS_*`` columns for a date that does not apply (e.g. DAYS_EMPLOYED
#: without a job): treated as missing by the features, "sans objet" in words.
DAYS_NOT_APPLICABLE = 365243
#: The training variants, in the order reports and pages show them.
VARIANTS = ("as_is", "smote", "business")
#: The business cost: a missed defaulter (false negative) costs 10 times a refused good client.
COST_FN = 10
COST_FP = 1
#: Refusing costs COST_FP × (1 − PD) in expectation, accepting COST_FN × PD: refuse from this PD on.
BAYES_PD = COST_FP / (COST_FP + COST_FN)
#: "argmin": the threshold of lowest OOF cost; "bayes": refuse at calibrated PD ≥ BAYES_PD.
THRESHOLD_RULES = ("argmin", "bayes")
#: Progress of long work: (stage, done, total).
Progress = Callable[[str, int, int], None]
