"""Everything that talks to Label Studio: client, server, wire types, export, task index, record conversion."""

from goldkit import compiled as _compiled

_compiled.extend(__path__, "labelstudio")  # the compiled modules, when goldkit activated its build
