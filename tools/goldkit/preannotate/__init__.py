"""Pre-annotation: rule-based suggestions that annotators correct instead of starting blank, and their scores."""
