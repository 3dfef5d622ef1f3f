"""Files generated from the schema: Label Studio configs, guidelines, Hugging Face Features, drift check."""
