"""Adjudication: annotators' records of a document become one gold record (strategies, review rounds, gold files)."""
