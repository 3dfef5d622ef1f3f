"""Scoring a system's output against a release: spans, attributes, links and event coreference."""
