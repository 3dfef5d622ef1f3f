"""goldkit: news articles to a versioned gold dataset of events and claims."""

__version__ = "0.1.0"
