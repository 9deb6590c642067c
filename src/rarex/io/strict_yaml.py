"""Strict YAML reading: duplicate keys are errors, and every value keeps its line number.

PyYAML composes the document into nodes that carry their position. We turn the nodes into
plain Python ourselves so that duplicate keys can be refused and so that timestamps stay
strings: pydantic then parses the dates and reports a bad one against its field.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

Loc = tuple[str | int, ...]

_TIMESTAMP = "tag:yaml.org,2002:timestamp"
_STR = "tag:yaml.org,2002:str"


@dataclass(frozen=True)
class YamlProblem:
    """A problem found while reading YAML, before any schema check."""

    line: int
    loc: Loc
    reason: str


@dataclass
class LineMap:
    """Maps a field location (as pydantic reports it) to the 1-based line that holds it."""

    lines: dict[Loc, int] = field(default_factory=dict)

    def line_of(self, loc: Loc) -> int:
        """The line of the deepest known prefix of ``loc`` (line 1 if none is known)."""
        for end in range(len(loc), -1, -1):
            line = self.lines.get(tuple(loc[:end]))
            if line is not None:
                return line
        return 1


class StrictYamlError(Exception):
    def __init__(self, problems: list[YamlProblem]) -> None:
        super().__init__("; ".join(f"line {p.line}: {p.reason}" for p in problems))
        self.problems = problems


def load_strict(text: str) -> tuple[Any, LineMap]:
    """Parse one YAML document; raise ``StrictYamlError`` on syntax errors or duplicate keys."""
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else 1
        raise StrictYamlError([YamlProblem(line, (), f"YAML syntax: {exc.problem}")]) from None
    if node is None:
        raise StrictYamlError([YamlProblem(1, (), "the file is empty")])
    lines = LineMap()
    problems: list[YamlProblem] = []
    value = _convert(node, (), lines, problems)
    if problems:
        raise StrictYamlError(problems)
    return value, lines


def _convert(node: Node, loc: Loc, lines: LineMap, problems: list[YamlProblem]) -> Any:
    lines.lines.setdefault(loc, node.start_mark.line + 1)
    if isinstance(node, MappingNode):
        result: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                problems.append(
                    YamlProblem(
                        key_node.start_mark.line + 1, loc, "merge keys (<<) are not allowed"
                    )
                )
                continue
            key = _scalar(key_node, loc, problems)
            if not isinstance(key, str | int):
                problems.append(
                    YamlProblem(key_node.start_mark.line + 1, loc, "a key must be text")
                )
                continue
            key_loc = (*loc, key)
            if key in result:
                first = lines.lines.get(key_loc, 0)
                problems.append(
                    YamlProblem(
                        key_node.start_mark.line + 1,
                        key_loc,
                        f"duplicate key {key!r} (first defined on line {first})",
                    )
                )
                continue
            lines.lines[key_loc] = key_node.start_mark.line + 1
            result[key] = _convert(value_node, key_loc, lines, problems)
        return result
    if isinstance(node, SequenceNode):
        return [
            _convert(child, (*loc, index), lines, problems)
            for index, child in enumerate(node.value)
        ]
    return _scalar(node, loc, problems)


def _scalar(node: Node, loc: Loc, problems: list[YamlProblem]) -> Any:
    if not isinstance(node, ScalarNode):
        problems.append(YamlProblem(node.start_mark.line + 1, loc, "a key must be a plain value"))
        return None
    if node.tag in (_TIMESTAMP, _STR):
        return node.value
    constructor = yaml.SafeLoader("")
    try:
        return constructor.construct_object(node, deep=True)
    except (yaml.constructor.ConstructorError, ValueError) as exc:
        problems.append(YamlProblem(node.start_mark.line + 1, loc, f"bad value: {exc}"))
        return None
