"""creditscore engine: pure computation (readers, features, training, bundle, scoring, drift).

The engine imports neither ``storage`` nor ``desktop``.
"""
