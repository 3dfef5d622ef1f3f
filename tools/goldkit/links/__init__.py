"""Cross-document links: candidates, Label Studio linking tasks and their sync, link agreement and clusters."""
