"""The label schema: loading it, its layers table, records, structural and meaning validation."""

from goldkit import compiled as _compiled

_compiled.extend(__path__, "schema")  # the compiled modules, when goldkit activated its build
