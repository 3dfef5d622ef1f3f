"""Inter-annotator agreement: span F1, Krippendorff's alpha on attributes, unitizing alpha."""

from goldkit import compiled as _compiled

_compiled.extend(__path__, "agreement")  # the compiled modules, when goldkit activated its build
