"""Ingest: delivered article files become document records, text kept exactly, page furniture marked."""
