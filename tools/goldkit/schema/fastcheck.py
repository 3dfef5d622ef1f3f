"""Compile the schema into plain Python predicates: a fast yes/no before jsonschema explains a no.

jsonschema stays the authority on what is wrong (it names every error); this module only answers
"is this record valid?" about 100x faster, so clean records (nearly all of them) skip jsonschema.
Like fastjsonschema, it writes Python source for a `$defs` definition — straight-line
`type(x) is dict` tests, `$ref`s inlined, label sets as set literals, regexes compiled once — and
compiles it once with compile()/exec. The source comes from goldkit's own schema file only, and every
string taken from the schema is written into it with repr(). It understands the keywords goldkit's
schema uses and refuses (`Unsupported`) anything else, in which case the caller falls back to
jsonschema for every record. A test checks both agree on every fixture and on mutations of them.
"""

from __future__ import annotations

import datetime
import math
import re
from collections.abc import Callable
from functools import lru_cache
from typing import Any

Predicate = Callable[[Any], bool]

# Keywords that describe but never constrain.
_NOTES = frozenset({"$schema", "$id", "$comment", "$defs", "title", "description", "version", "examples", "default"})
_HANDLED = frozenset(
    {"$ref", "type", "const", "enum", "oneOf", "anyOf", "properties", "required", "additionalProperties"}
    | {"items", "minItems", "uniqueItems", "minimum", "minLength", "pattern", "format"}
)
# JSON type -> the test of a Python value decoded from JSON ({v} is the value's variable)
_TYPE_TESTS = {
    "string": "type({v}) is str",
    "integer": "type({v}) is int",
    "number": "type({v}) in (int, float)",
    "boolean": "type({v}) is bool",
    "null": "{v} is None",
    "array": "type({v}) is list",
    "object": "type({v}) is dict",
}
_OBJECT_KEYWORDS = frozenset({"properties", "required", "additionalProperties"})
_ARRAY_KEYWORDS = frozenset({"items", "minItems", "uniqueItems"})
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)

# A check is an expression (true when the value passes) or statements that `return False` on a fault.
Check = str | list[str]


class Unsupported(Exception):
    """The schema uses a keyword this compiler does not know; use jsonschema alone."""


def _is_date(value: Any) -> bool:
    if type(value) is not str:
        return True  # formats only constrain strings
    if not _DATE.fullmatch(value):
        return False
    try:
        datetime.date.fromisoformat(value)
    except ValueError:
        return False
    return True


MATCH_CACHE = 4096  # strings remembered per pattern: the recurring ones (versions, labels, item ids)


def _matcher(pattern: re.Pattern[str]) -> Callable[[str], bool]:
    """Return a test whether a string matches; ids and versions recur, and a cache hit is 3x cheaper than search.

    The cache is small: a pull validates a document id and a sha256 per record, which never recur past
    the document's few annotators; two caches of 65,536 held 27.0 MB after 100,000 documents, 1.6 MB at
    4,096 (tracemalloc), and a pull's peak memory grew with the project until they were full."""

    @lru_cache(maxsize=MATCH_CACHE)
    def matches(value: str) -> bool:
        return pattern.search(value) is not None

    return matches


def _all_distinct(values: list[Any]) -> bool:
    # Only strings are compared here; anything else answers "not sure" and jsonschema decides.
    return all(type(v) is str for v in values) and len(set(values)) == len(values)


def _conjoin(expressions: list[str]) -> str:
    if not expressions:
        return "True"
    return expressions[0] if len(expressions) == 1 else " and ".join(f"({e})" for e in expressions)


def _indent(lines: list[str]) -> list[str]:
    return ["    " + line for line in lines]


def _count(value: Any, keyword: str) -> int:
    if type(value) is not int or value < 0:
        raise Unsupported(f"{keyword} {value!r}")
    return value


def _strings(values: Any, keyword: str) -> list[str]:
    if not isinstance(values, list) or any(type(v) is not str for v in values):
        raise Unsupported(f"{keyword} of non-strings")
    return values


class _Generator:
    """Write the source of one module of predicates; `$defs` become functions only where they recur."""

    def __init__(self, root: dict[str, Any]) -> None:
        self.root = root
        self.names: dict[str, Any] = {"_is_date": _is_date, "_all_distinct": _all_distinct}
        self.functions: list[list[str]] = []
        self.def_functions: dict[str, str] = {}
        self.inlining: list[str] = []
        self.counter = 0

    def fresh(self, prefix: str) -> str:
        self.counter += 1
        return f"{prefix}{self.counter}"

    def constant(self, prefix: str, value: Any) -> str:
        name = self.fresh(prefix)
        self.names[name] = value
        return name

    def source(self) -> str:
        return "\n\n".join("\n".join(function) for function in self.functions) + "\n"

    def definition(self, ref: str) -> tuple[str, dict[str, Any]]:
        name = ref.removeprefix("#/$defs/")
        defs = self.root.get("$defs", {})
        if not ref.startswith("#/$defs/") or "/" in name or "~" in name or name not in defs:
            raise Unsupported(f"$ref {ref}")
        return name, defs[name]

    def function_for(self, ref: str) -> str:
        """Return the name of the function checking `ref`, writing it on first use."""
        name, node = self.definition(ref)
        if name not in self.def_functions:
            function = self.def_functions[name] = self.fresh("_def")
            self.inlining.append(name)
            body = self.statements(self.checks(node, "x"))
            self.inlining.pop()
            self.functions.append([f"def {function}(x):", *_indent(body), "    return True"])
        return self.def_functions[name]

    def ref(self, ref: str, var: str) -> list[Check]:
        name, node = self.definition(ref)
        if name in self.inlining:  # a recursive definition: call it instead of inlining forever
            return [f"{self.function_for(ref)}({var})"]
        self.inlining.append(name)
        try:
            return self.checks(node, var)
        finally:
            self.inlining.pop()

    def checks(self, node: Any, var: str) -> list[Check]:
        """Return the checks of `node` on the value in variable `var`, type test first."""
        if type(node) is not dict:
            raise Unsupported(f"schema {node!r}")
        unknown = set(node) - _HANDLED - _NOTES
        if any(not key.startswith("x-") for key in unknown):
            raise Unsupported(", ".join(sorted(unknown)))
        declared = node.get("type")
        types = [declared] if isinstance(declared, str) else declared
        if declared is not None and (not isinstance(types, list) or any(t not in _TYPE_TESTS for t in types)):
            raise Unsupported(f"type {declared!r}")
        known = declared if isinstance(declared, str) else None  # later checks may rely on it
        out: list[Check] = self.ref(node["$ref"], var) if "$ref" in node else []
        if types:
            tests = [_TYPE_TESTS[t].format(v=var) for t in types]
            out.append(tests[0] if len(tests) == 1 else " or ".join(tests))
        out += self.choice(node, var, known)
        out += self.combinator(node, var)
        if _OBJECT_KEYWORDS & node.keys():
            out.append(self.object_block(node, var, known == "object"))
        if _ARRAY_KEYWORDS & node.keys():
            out.append(self.array_block(node, var, known == "array"))
        return out + self.scalar(node, var, known)

    def expression(self, checks: list[Check], var: str) -> str:
        """Return checks as one expression; statements become a helper function taking `var`."""
        if all(isinstance(check, str) for check in checks):
            return _conjoin(checks)  # type: ignore[arg-type]
        helper = self.fresh("_branch")
        self.functions.append([f"def {helper}({var}):", *_indent(self.statements(checks)), "    return True"])
        return f"{helper}({var})"

    def statements(self, checks: list[Check]) -> list[str]:
        """Return checks as statements; consecutive expressions share one `if`."""
        lines: list[str] = []
        pending: list[str] = []
        for check in [*checks, []]:
            if isinstance(check, str):
                pending.append(check)
                continue
            if pending:
                lines += [f"if not ({_conjoin(pending)}):", "    return False"]
                pending = []
            lines += check
        return lines

    def choice(self, node: dict[str, Any], var: str, known: str | None) -> list[Check]:
        if "const" in node:
            values = _strings([node["const"]], "const")
        elif "enum" in node:
            values = _strings(node["enum"], "enum")
        elif "oneOf" in node and all(isinstance(s, dict) and "const" in s for s in node["oneOf"]):
            values = _strings([s["const"] for s in node["oneOf"]], "oneOf const")
        else:
            return []
        guard = "" if known == "string" else f"type({var}) is str and "
        members = ", ".join(repr(value) for value in dict.fromkeys(values))
        return [f"{guard}{var} in {{{members}}}"]  # a set literal: compiled to a frozenset constant

    def combinator(self, node: dict[str, Any], var: str) -> list[Check]:
        if "anyOf" in node:
            branches = [self.expression(self.checks(s, var), var) for s in node["anyOf"]]
            branches.sort(key=lambda branch: branch.startswith("_branch"))  # plain tests before calls
            return [" or ".join(f"({branch})" for branch in branches)]
        if "oneOf" in node and not all(isinstance(s, dict) and "const" in s for s in node["oneOf"]):
            counts = [f"(1 if {self.expression(self.checks(s, var), var)} else 0)" for s in node["oneOf"]]
            return [f"{' + '.join(counts)} == 1"]
        return []

    def object_block(self, node: dict[str, Any], var: str, strict: bool) -> list[str]:
        props = node.get("properties", {})
        required = _strings(node.get("required", []), "required")
        additional = node.get("additionalProperties", True)
        if type(props) is not dict or additional not in (True, False):
            raise Unsupported("properties or additionalProperties with a schema")
        lines: list[str] = []
        if required:  # `in` tests: a dict keys view compared with a set costs several of them
            present = " and ".join(f"{key!r} in {var}" for key in dict.fromkeys(required))
            lines += [f"if not ({present}):", "    return False"]
        if not additional:
            # With every required key present, a dict of that many keys can hold no other key.
            count = len(set(required)) if set(required) <= props.keys() else -1
            allowed = self.constant("_allowed", frozenset(props))
            lines += [f"if len({var}) != {count} and not {var}.keys() <= {allowed}:", "    return False"]
        for key, sub in props.items():
            value = self.fresh("v")
            body = self.statements(self.checks(sub, value))
            if not body:
                continue
            if key in required:  # present: the line above made sure
                lines += [f"{value} = {var}[{key!r}]", *body]
            else:
                lines += [f"if {key!r} in {var}:", f"    {value} = {var}[{key!r}]", *_indent(body)]
        return lines if strict or not lines else [f"if type({var}) is dict:", *_indent(lines)]

    def array_block(self, node: dict[str, Any], var: str, strict: bool) -> list[str]:
        lines: list[str] = []
        if min_items := _count(node.get("minItems", 0), "minItems"):
            lines += [f"if len({var}) < {min_items!r}:", "    return False"]
        if node.get("uniqueItems", False) is True:
            lines += [f"if not _all_distinct({var}):", "    return False"]
        if "items" in node:
            item = self.fresh("v")
            body = self.statements(self.checks(node["items"], item))
            lines += [f"for {item} in {var}:", *_indent(body)] if body else []
        return lines if strict or not lines else [f"if type({var}) is list:", *_indent(lines)]

    def scalar(self, node: dict[str, Any], var: str, known: str | None) -> list[Check]:
        """Check minimum/minLength/pattern/format; a known type drops the per-keyword type guard."""
        out: list[Check] = []
        text = "" if known == "string" else f"type({var}) is not str or "
        if "minimum" in node:
            low = node["minimum"]
            if type(low) not in (int, float) or not math.isfinite(low):
                raise Unsupported(f"minimum {low!r}")
            number = "" if known in ("integer", "number") else f"type({var}) not in (int, float) or "
            out.append(f"{number}{var} >= {low!r}")
        if "minLength" in node:
            out.append(f"{text}len({var}) >= {_count(node['minLength'], 'minLength')!r}")
        if "pattern" in node:
            if type(node["pattern"]) is not str:
                raise Unsupported(f"pattern {node['pattern']!r}")
            matches = self.constant("_matches", _matcher(re.compile(node["pattern"])))
            out.append(f"{text}{matches}({var})")
        if "format" in node:
            if node["format"] != "date":
                raise Unsupported(f"format {node['format']!r}")
            out.append(f"_is_date({var})")
        return out


def definition_source(schema: dict[str, Any], name: str) -> str:
    """Return the Python source compile_definition runs for `$defs/name` (to read or debug it)."""
    generator = _Generator(schema)
    generator.function_for(f"#/$defs/{name}")
    return generator.source()


def compile_definition(schema: dict[str, Any], name: str) -> Predicate:
    """Return a predicate for `$defs/name` of schema; raise Unsupported if it cannot be compiled exactly."""
    generator = _Generator(schema)
    entry = generator.function_for(f"#/$defs/{name}")
    namespace = dict(generator.names)
    exec(compile(generator.source(), f"<goldkit.fastcheck $defs/{name!r}>", "exec"), namespace)
    return namespace[entry]
