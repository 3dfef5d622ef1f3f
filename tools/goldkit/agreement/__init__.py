"""Inter-annotator agreement: span F1, Krippendorff's alpha on attributes, unitizing alpha."""
