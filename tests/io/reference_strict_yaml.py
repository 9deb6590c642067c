"""The node-based strict YAML reader that ``rarex.io.strict_yaml`` replaced, kept unchanged
as the reference the tests compare the new reader with (values, lines and problems), on the
documents it could read (it recursed, so deep or recursive documents raised RecursionError).

PyYAML composes the document into nodes that carry their position. We turn the nodes into
plain Python ourselves so that duplicate keys can be refused and so that timestamps stay
strings: pydantic then parses the dates and reports a bad one against its field.

The nodes are composed by libyaml (``CSafeLoader``) when PyYAML was built with it, which is
several times faster, and by the pure-Python ``SafeLoader`` otherwise; the result must not
depend on which. For a document both accept they give the same nodes, with the same tags,
values and lines. But libyaml words its errors differently and marks them without the
snippet, refuses a few documents that ``SafeLoader`` accepts (a lone surrogate escape) and
accepts a few that it refuses (a tab inside or between tokens, a ``?`` inside a plain scalar
of a flow collection, a byte order mark after the start, ``[!tag, x]``). So ``SafeLoader``
reads any document that libyaml refuses, that has a problem or that has one of those
features, and its value, or its error message and line, is the one returned.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

Loc = tuple[str | int, ...]
Loader = type[yaml.SafeLoader] | type[yaml.CSafeLoader]

# libyaml's loader when PyYAML has it; ``None`` means the pure-Python one only.
FAST_LOADER: type[yaml.CSafeLoader] | None = yaml.CSafeLoader if yaml.__with_libyaml__ else None

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


def load_strict(text: str, loader: Loader | None = None) -> tuple[Any, LineMap]:
    """Parse one YAML document; raise ``StrictYamlError`` on syntax errors or duplicate keys.

    The result, or the error, is always ``SafeLoader``'s, read by libyaml where that gives the
    same. ``loader`` forces one loader, with no fallback (the tests compare the two)."""
    if loader is None:
        fast = _read_by_libyaml(text)
        if fast is not None:
            return fast
        loader = yaml.SafeLoader
    try:
        node = yaml.compose(text, Loader=loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else 1
        raise StrictYamlError([YamlProblem(line, (), f"YAML syntax: {exc.problem}")]) from None
    except yaml.reader.ReaderError as exc:  # a character YAML does not allow, e.g. U+0007
        line = text.count("\n", 0, max(exc.position, 0)) + 1
        reason = f"a character YAML does not allow: {chr(exc.character)!r} ({exc.reason})"
        raise StrictYamlError([YamlProblem(line, (), reason)]) from None
    return _document(node)


def _read_by_libyaml(text: str) -> tuple[Any, LineMap] | None:
    """libyaml's reading of a document, where it is certainly ``SafeLoader``'s too.

    ``None`` (read it with ``SafeLoader``) without libyaml; for a document with a feature the
    two read differently: a tab, a tag (``!``), a byte order mark after the start, a ``?`` in
    a plain scalar of a flow collection; and for any problem, so that it is worded as
    ``SafeLoader`` words it (libyaml's messages and marks differ)."""
    if FAST_LOADER is None or "\t" in text or "!" in text or "\ufeff" in text[1:]:
        return None
    try:
        node = yaml.compose(text, Loader=FAST_LOADER)
        if "?" in text and _question_mark_in_flow(node):
            return None
        return _document(node)
    except (yaml.YAMLError, StrictYamlError):
        return None


def _question_mark_in_flow(node: Node | None, flow: bool = False) -> bool:
    """Whether a plain scalar inside a flow collection holds a ``?``, which libyaml accepts
    and ``SafeLoader`` refuses (it ends a plain scalar there)."""
    if isinstance(node, ScalarNode):
        return flow and not node.style and "?" in node.value
    flow = flow or bool(getattr(node, "flow_style", False))
    if isinstance(node, MappingNode):
        return any(
            _question_mark_in_flow(key, flow) or _question_mark_in_flow(value, flow)
            for key, value in node.value
        )
    if isinstance(node, SequenceNode):
        return any(_question_mark_in_flow(child, flow) for child in node.value)
    return False


def _document(node: Node | None) -> tuple[Any, LineMap]:
    """Plain Python and the line map of a composed document; ``StrictYamlError`` if refused."""
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
