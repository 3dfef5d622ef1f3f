"""goldkit: news articles to a versioned gold dataset of events and claims."""

from goldkit import compiled as _compiled

__version__ = "0.1.0"

COMPILED = _compiled.activate(__path__)  # conversion and validation compiled with mypyc, when built and fresh
