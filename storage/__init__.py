"""creditscore client store (SQLite)."""
