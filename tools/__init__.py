"""Development tools the ``creditscore`` command imports lazily (left out of the packaged app)."""
