"""Releases: versioned Hugging Face datasets built from the gold (tables, rows, card, diff, Hub upload)."""
