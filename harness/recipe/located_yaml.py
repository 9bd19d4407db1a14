"""YAML loading that remembers where every value came from (file and line).

`nb1s validate` must point at the exact line of a bad field, but `yaml.safe_load` throws
the source positions away. We compose the node tree once, build the plain Python data
from it and, alongside, a map from each value's path (tuple of keys / list indices) to
its 1-based line. Duplicate keys, which `safe_load` silently resolves to the last one,
are reported as errors because a recipe that pins a value twice is ambiguous.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

PathKey = tuple[str, ...]


@dataclass(frozen=True)
class YamlProblem:
    """One problem found while reading a YAML file, located by line."""

    file: str
    line: int
    field: str
    message: str

    def __str__(self) -> str:
        where = f" field '{self.field}'" if self.field else ""
        return f"{self.file}:{self.line}:{where} {self.message}"


@dataclass
class LocatedYaml:
    """Parsed YAML data plus the line of every value, keyed by its path."""

    file: str
    data: Any
    lines: dict[PathKey, int] = field(default_factory=dict)
    problems: list[YamlProblem] = field(default_factory=list)

    def line_of(self, path: tuple[Any, ...]) -> int:
        """Line of the value at `path`, or of its nearest ancestor that exists.

        A missing required field has no line of its own; its enclosing block's line is
        the most useful place to point at.
        """
        key = tuple(str(p) for p in path)
        while key:
            if key in self.lines:
                return self.lines[key]
            key = key[:-1]
        return self.lines.get((), 1)


def _walk(node: yaml.Node, path: PathKey, out: LocatedYaml, constructor: Any) -> Any:
    out.lines.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        result: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = constructor.construct_object(key_node, deep=True)
            if key == "<<":
                out.problems.append(YamlProblem(
                    out.file, key_node.start_mark.line + 1, ".".join(path),
                    "YAML merge keys ('<<') are not allowed in recipes: write values out"))
                continue
            sub = (*path, str(key))
            if key in result:
                out.problems.append(YamlProblem(
                    out.file, key_node.start_mark.line + 1, ".".join(sub),
                    f"duplicate key (first given on line {out.lines[sub]})"))
            out.lines[sub] = key_node.start_mark.line + 1
            result[key] = _walk(value_node, sub, out, constructor)
        return result
    if isinstance(node, yaml.SequenceNode):
        return [_walk(item, (*path, str(i)), out, constructor) for i, item in enumerate(node.value)]
    return constructor.construct_object(node, deep=True)


def load_located(path: Path) -> LocatedYaml:
    """Read one YAML document from `path`, keeping the line of every value.

    YAML syntax errors become a single located problem instead of an exception, so a
    caller can report them in the same format as schema errors.
    """
    name = str(path)
    out = LocatedYaml(file=name, data=None)
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:  # a binary file given as a recipe: not a recipe at all
        from nb1s.harness.errors import UserError

        raise UserError(f"{name} is not a UTF-8 text file ({exc.reason} at byte "
                        f"{exc.start}); a recipe is YAML text") from None
    try:
        loader = yaml.SafeLoader(text)
        try:
            node = loader.get_single_node()
            if node is None:
                out.problems.append(YamlProblem(name, 1, "", "the file is empty"))
                return out
            out.data = _walk(node, (), out, loader)
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else 1
        out.problems.append(YamlProblem(name, line, "", f"YAML syntax: {exc.problem or exc}"))
    except yaml.YAMLError as exc:  # pragma: no cover - unmarked errors are rare
        out.problems.append(YamlProblem(name, 1, "", f"YAML syntax: {exc}"))
    return out
