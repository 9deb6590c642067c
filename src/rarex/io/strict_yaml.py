"""Strict YAML reading: duplicate keys are errors, and every value keeps its line number.

The parser's events are turned into plain Python here, in one loop with an explicit stack,
without composing PyYAML's node graph first. This refuses duplicate keys and merge keys, keeps
timestamps as strings (pydantic then parses the dates and reports a bad one against its field)
and makes the reading safe on hostile input, whatever its size or shape:

- no recursion, so a document nested 20,000 levels deep cannot exhaust the stack; a document
  nested more than ``ReadLimits.max_depth`` levels is refused at the line that goes too deep;
- anchors and aliases are allowed (the bundled rules share a commencement date between limbs
  with them), but an alias is never copied: its value is shared, and the nodes that aliases add
  to the document are counted from the size of each anchor, so a "billion laughs" document is
  refused, at the alias that passes ``ReadLimits.max_alias_nodes``, before anything is expanded;
  an alias inside the node it names (a recursive alias) is refused at its line;
- a base-60 integer (``1:30``) longer than ``MAX_BASE60_CHARACTERS`` is a bad value: PyYAML's
  conversion of one takes time quadratic in its length.

The events come from libyaml (``CSafeLoader``) when PyYAML was built with it, which is several
times faster, and from the pure-Python ``SafeLoader`` otherwise; the result must not depend on
which. For a document both accept they give the same events, with the same tags, values and
lines. But libyaml words its errors differently and marks them without the snippet, refuses a
few documents that ``SafeLoader`` accepts (a lone surrogate escape) and accepts a few that it
refuses (a tab inside or between tokens, a ``?`` inside a plain scalar of a flow collection, a
byte order mark after the start, ``[!tag, x]``). So ``SafeLoader`` reads any document that
libyaml refuses, that has one of those features or a value PyYAML cannot construct (whose
message quotes the document), and its value, or its error message and line, is the one returned.

Line numbers are only needed to report an error, so a document is first read without them; the
``LineMap`` reads it again, with them, the first time it is asked (and a document with a problem
is read again to locate every problem). Both readings run the same code.
"""

from __future__ import annotations

import gc
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import yaml
from yaml.constructor import ConstructorError, SafeConstructor
from yaml.events import (
    AliasEvent,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
    StreamEndEvent,
)
from yaml.nodes import MappingNode, ScalarNode, SequenceNode
from yaml.resolver import Resolver

Loc = tuple[str | int, ...]
Loader = type[yaml.SafeLoader] | type[yaml.CSafeLoader]

# libyaml's loader when PyYAML has it; ``None`` means the pure-Python one only.
FAST_LOADER: type[yaml.CSafeLoader] | None = yaml.CSafeLoader if yaml.__with_libyaml__ else None

_TIMESTAMP = "tag:yaml.org,2002:timestamp"
_STR = "tag:yaml.org,2002:str"
_INT = "tag:yaml.org,2002:int"
_MERGE = "tag:yaml.org,2002:merge"

# PyYAML converts a base-60 integer by repeated multiplication of a growing integer: 160 kB of
# "1:1:1..." takes 2 s, and the time grows with the square of the length.
MAX_BASE60_CHARACTERS = 100


@dataclass(frozen=True)
class ReadLimits:
    """How big, deep and alias-expanded a rule file may be.

    The defaults are far above any real rule file (the largest bundled one is 53 kB, the
    deepest nested 6 levels, and the aliases of the most aliased add 198 nodes) and far below
    what would hurt: an 8 MB file (some 20,000 limbs) is read in under a second, in a few
    hundred MB; 100,000 nodes from aliases are a few MB, whatever the document claims."""

    max_file_bytes: int = 8 * 1024 * 1024
    max_depth: int = 64
    max_alias_nodes: int = 100_000


DEFAULT_LIMITS = ReadLimits()


@dataclass(frozen=True)
class YamlProblem:
    """A problem found while reading YAML, before any schema check."""

    line: int
    loc: Loc
    reason: str


class LineMap:
    """Maps a field location (as pydantic reports it) to the 1-based line that holds it.

    Given ``lines``, or a function that computes them on first use (``load_strict`` gives one
    that reads the document again, which only an error needs)."""

    def __init__(
        self,
        lines: dict[Loc, int] | None = None,
        *,
        compute: Callable[[], dict[Loc, int]] | None = None,
    ) -> None:
        self._lines = lines if lines is not None or compute is not None else {}
        self._compute = compute

    @property
    def lines(self) -> dict[Loc, int]:
        if self._lines is None:
            assert self._compute is not None
            self._lines = self._compute()
            self._compute = None  # drop the document's text
        return self._lines

    def line_of(self, loc: Loc) -> int:
        """The line of the deepest known prefix of ``loc`` (line 1 if none is known)."""
        lines = self.lines
        for end in range(len(loc), -1, -1):
            line = lines.get(tuple(loc[:end]))
            if line is not None:
                return line
        return 1


class StrictYamlError(Exception):
    def __init__(self, problems: list[YamlProblem]) -> None:
        super().__init__("; ".join(f"line {p.line}: {p.reason}" for p in problems))
        self.problems = problems


@contextmanager
def no_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector while building many acyclic objects.

    A rules file of 200,000 limbs is some 6 million dicts, lists and strings that stay alive;
    each collection would walk all of them, which made reading it several times slower.
    Nested uses are fine: only the outermost enables the collector again."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            # Move what was built to the oldest generation, as if it had survived collections:
            # otherwise the next collection of the youngest walks all of it at once.
            gc.freeze()
            gc.unfreeze()
            gc.enable()


def load_strict(
    text: str,
    loader: Loader | None = None,
    limits: ReadLimits = DEFAULT_LIMITS,
    known_lines: dict[str, Any] | None = None,
) -> tuple[Any, LineMap]:
    """Parse one YAML document; raise ``StrictYamlError`` on syntax errors, duplicate keys,
    merge keys, keys that are not text, values PyYAML cannot construct, and documents past
    ``limits``.

    The result, or the error, is always ``SafeLoader``'s, read by libyaml where that gives the
    same. ``loader`` forces one loader, with no fallback (the tests compare the two).
    ``known_lines`` lets the reading of several documents share what it learnt of their lines
    (a line's meaning does not depend on its document)."""
    with no_gc():
        if loader is None:
            alike = _libyaml_reads_alike(text)
            if alike:
                value = _read_plain_block(text, limits, known_lines)
                if value is not _UNREAD:
                    return value, LineMap(compute=lambda: _lines_of(text, limits))
            if FAST_LOADER is not None and alike:
                try:
                    return _load(text, FAST_LOADER, limits, fallback=True)
                except (yaml.YAMLError, _NeedsSafeLoader):
                    pass
            loader = yaml.SafeLoader
        return _load(text, loader, limits, fallback=False)


def _lines_of(text: str, limits: ReadLimits) -> dict[Loc, int]:
    """The line map of a document read by the quick reading: read it through the events."""
    try:
        return load_strict(text, FAST_LOADER or yaml.SafeLoader, limits)[1].lines
    except StrictYamlError:  # pragma: no cover - the quick reading gives up on any problem
        return {}


def _libyaml_reads_alike(text: str) -> bool:
    """Whether libyaml may read ``text``: not if it has a feature the two read differently (a
    tab, a tag, a byte order mark after the start)."""
    return "\t" not in text and "!" not in text and "\ufeff" not in text[1:]


class _NeedsSafeLoader(Exception):
    """libyaml's reading may differ from ``SafeLoader``'s, or its message would."""


class _Retry(Exception):
    """A problem was found while reading without lines: read again with them."""


class _Refused(Exception):
    """A problem that stops the reading; it is the only one reported."""

    def __init__(self, line: int, reason: str) -> None:
        super().__init__(reason)
        self.problem = YamlProblem(line, (), reason)


def _load(text: str, loader: Loader, limits: ReadLimits, fallback: bool) -> tuple[Any, LineMap]:
    """Read ``text`` with ``loader``'s parser, first without lines, then with them if needed.

    With ``fallback``, raise ``YAMLError`` or ``_NeedsSafeLoader`` where ``SafeLoader`` must
    read it instead; without, turn a syntax error into a ``StrictYamlError``."""

    def read(track: bool) -> tuple[Any, dict[Loc, int], list[YamlProblem]]:
        try:
            return _Reader(loader, text, limits, track, fallback).read()
        except _Refused as exc:
            raise StrictYamlError([exc.problem]) from None
        except yaml.MarkedYAMLError as exc:
            if fallback:
                raise
            mark = exc.problem_mark or exc.context_mark
            line = mark.line + 1 if mark is not None else 1
            problem = YamlProblem(line, (), f"YAML syntax: {exc.problem}")
            raise StrictYamlError([problem]) from None
        except yaml.reader.ReaderError as exc:  # a character YAML does not allow, e.g. U+0007
            if fallback:
                raise
            line = text.count("\n", 0, max(exc.position, 0)) + 1
            reason = f"a character YAML does not allow: {chr(exc.character)!r} ({exc.reason})"
            raise StrictYamlError([YamlProblem(line, (), reason)]) from None

    try:
        value, _, _ = read(track=False)
    except _Retry:
        pass
    else:

        def compute() -> dict[Loc, int]:
            with no_gc():
                return read(track=True)[1]

        return value, LineMap(compute=compute)
    value, lines, problems = read(track=True)
    if problems:
        raise StrictYamlError(problems)
    return value, LineMap(lines)  # pragma: no cover - a problem found once is found again


# The state of a mapping frame between its entries: a key is expected next, the key node being
# read was refused, or the value being read belongs to a refused key. Any other state is the
# key whose value is being read.
_EXPECT_KEY: Any = object()
_REFUSED_KEY: Any = object()
_SKIP_VALUE: Any = object()


class _Hidden:
    """A location part for what the line map and problems leave out: a refused key and its
    value are not read further, as no value of theirs reaches the result."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "<hidden>"


def _hidden() -> Any:
    """A new hidden location part (each refused subtree has its own, so that none share
    locations); typed as text, as no location that holds one is ever reported."""
    return _Hidden()


class _Anchor:
    """An anchored node: its value, and what an alias to it adds."""

    __slots__ = (
        "bad",
        "base",
        "deepest",
        "done",
        "is_scalar",
        "line",
        "log",
        "problems",
        "size",
        "tag",
        "top",
        "value",
    )

    def __init__(self, is_scalar: bool, tag: str, line: int, top: int, base: Loc) -> None:
        self.is_scalar = is_scalar
        self.tag = tag
        self.line = line
        self.top = top  # the depth of the node's parent
        self.deepest = top + (0 if is_scalar else 1)
        self.base = base
        self.value: Any = None
        self.bad: str | None = None
        self.size = 1
        self.done = False
        self.log = (0, 0)  # the slice of the reader's line log made inside the node
        self.problems = (0, 0)  # and of its problems


_RESOLVER = Resolver()


def _resolve(kind: type[yaml.Node], value: str | None, implicit: tuple[bool, bool]) -> str:
    """The tag PyYAML's resolver gives a node without an explicit one."""
    tag: str = _RESOLVER.resolve(kind, value, implicit)  # type: ignore[no-untyped-call]
    return tag


class _Reader:
    """Turns one document's parser events into plain Python, with lines when ``track``.

    Without ``track`` the reading stops at the first problem (``_Retry``); with it, it records
    every problem and the line of every location, as the reading of a node graph did: a
    mapping value has its key's line, a sequence entry and the document its node's line, and an
    alias's entries those of the anchored node."""

    def __init__(
        self, loader: Loader, text: str, limits: ReadLimits, track: bool, fallback: bool
    ) -> None:
        self.loader = loader
        self.text = text
        self.limits = limits
        self.track = track
        self.fallback = fallback
        self.question = fallback and "?" in text
        self.anchors: dict[str, _Anchor] = {}
        self.open_anchors: list[_Anchor] = []
        self.nodes = 0
        self.added = 0
        self.problems: list[YamlProblem] = []
        self.log: list[tuple[Loc, int]] = []
        self.all_lines: dict[Loc, int] = {}
        self.hidden = False

    def read(self) -> tuple[Any, dict[Loc, int], list[YamlProblem]]:
        parser = self.loader(self.text)
        try:
            value = self._document(parser)
        except ValueError as exc:
            # SafeLoader's scanner lets one through for an escape past the last character,
            # such as "\U7fffffff".
            mark = parser.get_mark() if hasattr(parser, "get_mark") else None
            line = mark.line + 1 if mark is not None else 1
            raise _Refused(line, f"YAML syntax: an escape names no character ({exc})") from None
        finally:
            parser.dispose()
        if not self.track:
            return value, {}, []
        lines = self.all_lines
        problems = self.problems
        if self.hidden:
            lines = {loc: n for loc, n in lines.items() if not _is_hidden(loc)}
            problems = [p for p in problems if not _is_hidden(p.loc)]
        return value, lines, problems

    def _document(self, parser: Any) -> Any:
        get = parser.get_event
        get()  # the stream start
        event = get()
        if event.__class__ is StreamEndEvent:
            raise _Refused(1, "the file is empty")
        value = self._root(get)
        get()  # the document end
        event = get()
        if event.__class__ is not StreamEndEvent:
            # The words and the line of PyYAML's composer, as for any syntax error.
            raise _Refused(event.start_mark.line + 1, "YAML syntax: but found another document")
        return value

    def _problem(self, line: int, loc: Loc, reason: str) -> None:
        if not self.track:
            raise _Retry
        self.problems.append(YamlProblem(line, loc, reason))

    def _root(self, get: Callable[[], Any]) -> Any:
        track = self.track
        question = self.question
        max_depth = self.limits.max_depth
        open_anchors = self.open_anchors
        plain: dict[str, tuple[str, Any]] = {}
        # A frame: [container, is_mapping, state, loc, is_flow, anchor or None].
        stack: list[list[Any]] = []
        flow = 0
        while True:
            event = get()
            cls = event.__class__
            if cls is ScalarEvent:
                self.nodes += 1
                value = event.value
                tag = event.tag
                bad = None
                if tag is None and event.implicit[0]:
                    cached = plain.get(value)
                    if cached is None:
                        tag = _resolve(ScalarNode, value, event.implicit)
                        if tag in (_STR, _TIMESTAMP):
                            cached = plain[value] = (tag, value)
                        elif tag == _MERGE:
                            cached = (tag, None)  # refused as a key, not constructed as one
                        else:
                            result, bad = _construct(tag, event, self.fallback)
                            cached = (tag, result)
                            if bad is None:
                                plain[value] = cached
                    tag, result = cached
                    if question and flow and "?" in value and not event.style:
                        raise _NeedsSafeLoader
                elif tag is None:
                    tag, result = _STR, value
                else:
                    if tag == "!":
                        tag = _resolve(ScalarNode, value, event.implicit)
                    if tag != _MERGE:
                        result, bad = _construct(tag, event, self.fallback)
                    else:
                        result = None
                is_key = bool(stack) and stack[-1][1] and stack[-1][2] is _EXPECT_KEY
                if tag == _MERGE and (not is_key or event.anchor is not None):
                    result, bad = _construct(tag, event, self.fallback)
                line = event.start_mark.line + 1
                loc: Loc = ()
                if track:
                    loc = self._start(stack, line)
                if event.anchor is not None:
                    anchor = self._anchor(event, True, tag, line, len(stack), loc)
                    anchor.value = result
                    anchor.bad = bad
                    self._close(anchor)
                if bad is not None and not is_key:
                    self._problem(line, loc, bad)
                if not stack:
                    return result
                top = stack[-1]
                if top[1]:
                    state = top[2]
                    if state is _EXPECT_KEY:
                        top[2] = self._key(top, result, tag, bad, line)
                    else:
                        if state is not _SKIP_VALUE:
                            top[0][state] = result
                        top[2] = _EXPECT_KEY
                else:
                    top[0].append(result)
            elif cls is MappingStartEvent or cls is SequenceStartEvent:
                self.nodes += 1
                is_map = cls is MappingStartEvent
                line = event.start_mark.line + 1
                depth = len(stack) + 1
                if depth > max_depth:
                    raise _Refused(
                        line, f"the document is nested more than {max_depth} levels deep"
                    )
                for anchor in open_anchors:
                    anchor.deepest = max(anchor.deepest, depth)
                tag = event.tag
                if tag is None or tag == "!":
                    tag = _resolve(MappingNode if is_map else SequenceNode, None, event.implicit)
                loc = ()
                if stack and stack[-1][1] and stack[-1][2] is _EXPECT_KEY:
                    # A key that is a mapping or a sequence is refused; its inside is not read.
                    top = stack[-1]
                    if tag == _MERGE:
                        self._problem(line, top[3], "merge keys (<<) are not allowed")
                    else:
                        self._problem(line, top[3], "a key must be a plain value")
                        self._problem(line, top[3], "a key must be text")
                    top[2] = _REFUSED_KEY
                    loc = (*top[3], _hidden())
                    self.hidden = True
                elif track:
                    loc = self._start(stack, line)
                anchor = None
                if event.anchor is not None:
                    anchor = self._anchor(event, False, tag, line, len(stack), loc)
                is_flow = bool(event.flow_style)
                flow += is_flow
                stack.append([{} if is_map else [], is_map, _EXPECT_KEY, loc, is_flow, anchor])
            elif cls is MappingEndEvent or cls is SequenceEndEvent:
                container, _, _, _, is_flow, anchor = stack.pop()
                flow -= is_flow
                if anchor is not None:
                    anchor.value = container
                    self._close(anchor)
                if not stack:
                    return container
                top = stack[-1]
                if top[1]:
                    state = top[2]
                    if state is _REFUSED_KEY:
                        top[2] = _SKIP_VALUE
                    else:
                        if state is not _SKIP_VALUE:
                            top[0][state] = container
                        top[2] = _EXPECT_KEY
                else:
                    top[0].append(container)
            elif cls is AliasEvent:
                anchor = self._alias(event, len(stack))
                line = anchor.line
                if track and not (stack and stack[-1][1] and stack[-1][2] is _EXPECT_KEY):
                    self._replay(anchor, self._start(stack, line))
                if not stack:  # pragma: no cover - an alias cannot be the whole document
                    return anchor.value
                top = stack[-1]
                if top[1]:
                    state = top[2]
                    if state is _EXPECT_KEY:
                        if anchor.is_scalar:
                            top[2] = self._key(top, anchor.value, anchor.tag, anchor.bad, line)
                        else:
                            if anchor.tag == _MERGE:
                                self._problem(line, top[3], "merge keys (<<) are not allowed")
                            else:
                                self._problem(line, top[3], "a key must be a plain value")
                                self._problem(line, top[3], "a key must be text")
                            top[2] = _SKIP_VALUE
                    else:
                        if state is not _SKIP_VALUE:
                            top[0][state] = anchor.value
                        top[2] = _EXPECT_KEY
                else:
                    top[0].append(anchor.value)
            else:  # pragma: no cover - the parser gives nothing else inside a document
                raise AssertionError(f"unexpected {event!r}")

    def _start(self, stack: list[list[Any]], line: int) -> Loc:
        """The location of a node that starts now; record the line of a sequence entry or of
        the document."""
        if not stack:
            self._line((), line)
            return ()
        top = stack[-1]
        if top[1]:
            state = top[2]
            if state is _EXPECT_KEY:
                mapping_loc: Loc = top[3]
                return mapping_loc  # a key: its problems are the mapping's
            if state is _SKIP_VALUE:
                self.hidden = True
                return (*top[3], _hidden())
            return (*top[3], state)  # a value: its key's line is recorded
        loc = (*top[3], len(top[0]))
        self._line(loc, line)
        return loc

    def _line(self, loc: Loc, line: int) -> None:
        self.all_lines[loc] = line
        self.log.append((loc, line))

    def _key(self, frame: list[Any], key: Any, tag: str, bad: str | None, line: int) -> Any:
        """The state of a mapping after the scalar ``key``: the key, or ``_SKIP_VALUE``."""
        loc = frame[3]
        if tag == _MERGE:
            self._problem(line, loc, "merge keys (<<) are not allowed")
            return _SKIP_VALUE
        if bad is not None:
            self._problem(line, loc, bad)
        if bad is not None or not isinstance(key, str | int):
            self._problem(line, loc, "a key must be text")
            return _SKIP_VALUE
        if key in frame[0]:
            if not self.track:
                raise _Retry
            key_loc = (*loc, key)
            first = self.all_lines.get(key_loc, 0)
            self._problem(line, key_loc, f"duplicate key {key!r} (first defined on line {first})")
            return _SKIP_VALUE
        if self.track:
            self._line((*loc, key), line)
        return key

    def _anchor(
        self, event: Any, is_scalar: bool, tag: str, line: int, top: int, loc: Loc
    ) -> _Anchor:
        name = event.anchor
        if name in self.anchors:
            raise _Refused(event.start_mark.line + 1, "YAML syntax: second occurrence")
        anchor = _Anchor(is_scalar, tag, line, top, loc)
        anchor.size = self.nodes - 1  # the count before the node; ``_close`` makes it a size
        anchor.log = (len(self.log), 0)
        anchor.problems = (len(self.problems), 0)
        self.anchors[name] = anchor
        self.open_anchors.append(anchor)
        return anchor

    def _close(self, anchor: _Anchor) -> None:
        anchor.size = self.nodes - anchor.size
        anchor.log = (anchor.log[0], len(self.log))
        anchor.problems = (anchor.problems[0], len(self.problems))
        anchor.done = True
        self.open_anchors.remove(anchor)

    def _alias(self, event: Any, depth: int) -> _Anchor:
        name = event.anchor
        line = event.start_mark.line + 1
        anchor = self.anchors.get(name)
        if anchor is None:
            raise _Refused(line, f"YAML syntax: found undefined alias {name!r}")
        if not anchor.done:
            raise _Refused(line, f"alias *{name} is inside the node it names (a recursive alias)")
        height = anchor.deepest - anchor.top
        if depth + height > self.limits.max_depth:
            raise _Refused(
                line,
                f"alias *{name} nests the document more than {self.limits.max_depth} levels deep",
            )
        for outer in self.open_anchors:
            outer.deepest = max(outer.deepest, depth + height)
        self.nodes += anchor.size
        self.added += anchor.size
        if self.added > self.limits.max_alias_nodes:
            raise _Refused(
                line,
                f"aliases add more than {self.limits.max_alias_nodes} nodes to the document "
                f"(alias *{name} adds {anchor.size}); a rule file needs few aliases or none",
            )
        return anchor

    def _replay(self, anchor: _Anchor, loc: Loc) -> None:
        """Record the lines and problems of the anchored node again, at ``loc``."""
        if anchor.is_scalar:
            if anchor.bad is not None:
                self._problem(anchor.line, loc, anchor.bad)
            return
        cut = len(anchor.base)
        start, end = anchor.log
        for inner, line in self.log[start:end]:
            self._line((*loc, *inner[cut:]), line)
        start, end = anchor.problems
        for problem in self.problems[start:end]:
            self.problems.append(
                YamlProblem(problem.line, (*loc, *problem.loc[cut:]), problem.reason)
            )
        if _is_hidden(loc):
            self.hidden = True


def _is_hidden(loc: Loc) -> bool:
    return any(isinstance(part, _Hidden) for part in loc)


def _construct(tag: str, event: Any, fallback: bool) -> tuple[Any, str | None]:
    """A scalar of a tag other than a string or a timestamp, or its problem."""
    if tag in (_STR, _TIMESTAMP):
        return event.value, None
    if tag == _INT and ":" in event.value and len(event.value) > MAX_BASE60_CHARACTERS:
        return None, f"bad value: a base-60 number longer than {MAX_BASE60_CHARACTERS} characters"
    node = ScalarNode(tag, event.value, event.start_mark, event.end_mark, style=event.style)
    try:
        return SafeConstructor().construct_object(node, deep=True), None
    except ConstructorError as exc:
        if fallback:  # its message quotes the document, which only SafeLoader's marks hold
            raise _NeedsSafeLoader from None
        return None, f"bad value: {exc}"
    except ValueError as exc:
        return None, f"bad value: {exc}"


# -- The quick reading of plain block YAML ------------------------------------------------------
#
# Rule files are written in a small part of YAML: block mappings and sequences, one-line plain
# scalars, simple quoted scalars, folded and literal blocks, and one-line flow collections of
# plain scalars. A document entirely in that part is read line by line here, several times
# faster than through the parser's events, to the same value. Anything else (a comment or an
# indentation this does not expect, a multi-line plain or flow scalar, an escape, an anchor, a
# tag, a duplicate or refused key, a character PyYAML treats specially) gives up, and the
# document is read through the events, which also report every problem.

_UNREAD: Any = object()

# Characters outside which the quick reading gives up: printable, no tab, no carriage return,
# no byte order mark, no line or paragraph separator or next-line character (YAML 1.1 breaks
# lines there), nothing YAML refuses.
_UNUSUAL = re.compile(
    "[^\n\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd\U00010000-\U0010ffff]"
)
# A key line (after its indentation): a plain key, ``:``, and the rest.
_KEY_LINE = re.compile(r"([A-Za-z0-9_][A-Za-z0-9_./()\-]*):(?: +(.*))?$")
# The characters a plain scalar may not start with in the quick reading.
_NOT_PLAIN_START = frozenset("-?:,[]{}#&*!|>'\"%@`")
# What a one-line flow collection of plain scalars may not hold.
_NOT_IN_FLOW = re.compile(r"[\[\]{}#&*!|>'\"%@`?:]")
_NOT_IN_FLOW_MAP = re.compile(r"[{}#&*!|>'\"%@`?]")


# The first characters of the plain scalars that the resolver may give a tag other than a
# string's (all of them if it has a resolver for any first character).
_IMPLICIT_STARTS: frozenset[str | None] = (
    frozenset(Resolver.yaml_implicit_resolvers)
    if None not in Resolver.yaml_implicit_resolvers
    else frozenset(chr(code) for code in range(0x110000))
)


class _GiveUp(Exception):
    """The document is not in the part of YAML the quick reading knows."""


def _read_plain_block(
    text: str, limits: ReadLimits = DEFAULT_LIMITS, known_lines: dict[str, Any] | None = None
) -> Any:
    """The value of a document in the plain block part of YAML, or ``_UNREAD``."""
    if not text:
        return _UNREAD
    known = {} if known_lines is None else known_lines
    try:
        return _QuickReader(text.split("\n"), limits.max_depth, known).read()
    except _GiveUp:
        return _UNREAD


# The kinds of line: nothing, a key and its value, a key whose value follows on the next lines,
# a key and a block scalar's header; and a sequence entry that holds a value, or any of the
# three kinds of key line.
_SKIP_LINE, _KEY_VALUE, _KEY_OPEN, _KEY_BLOCK, _ENTRY_VALUE = 0, 1, 2, 3, 4
_ENTRY_KEY = 4


class _QuickReader:
    def __init__(self, lines: list[str], max_depth: int, known: dict[str, Any]) -> None:
        self.lines = lines
        self.known = known  # what each line holds, by its text
        self.max_depth = max_depth - 2  # room for a flow sequence in a flow mapping
        self.plain: dict[str, Any] = {}

    def scalar(self, text: str) -> Any:
        """A plain scalar, as the resolver and the constructor make it."""
        if text and text[0] not in _IMPLICIT_STARTS:
            return text  # no implicit tag but a string's starts with this character
        plain = self.plain
        value = plain.get(text, _UNREAD)
        if value is not _UNREAD:
            return value
        tag = _resolve(ScalarNode, text, (True, False))
        if tag in (_STR, _TIMESTAMP):
            value = text
        elif tag == _MERGE or (tag == _INT and ":" in text):
            raise _GiveUp
        else:
            try:
                value = SafeConstructor().construct_object(ScalarNode(tag, text), deep=True)
            except (ConstructorError, ValueError):
                raise _GiveUp from None
        plain[text] = value
        return value

    def key(self, text: str, mapping: dict[Any, Any]) -> Any:
        key = self.scalar(text)
        if not isinstance(key, str | int) or key in mapping:
            raise _GiveUp
        return key

    def value(self, text: str) -> Any:
        """A value written on the line of its key or sequence entry (not a block scalar)."""
        first = text[0]
        if first == "[":
            return self.flow_sequence(text)
        if first == "{":
            return self.flow_mapping(text)
        if first == "'":
            end = text.find("'", 1)
            while end != -1 and text[end + 1 : end + 2] == "'":
                end = text.find("'", end + 2)
            if end == -1 or not _only_comment(text, end + 1):
                raise _GiveUp
            return text[1:end].replace("''", "'")
        if first == '"':
            end = text.find('"', 1)
            if end == -1 or "\\" in text[:end] or not _only_comment(text, end + 1):
                raise _GiveUp
            return text[1:end]
        if first in _NOT_PLAIN_START:
            raise _GiveUp
        cut = text.find(" #")
        if cut != -1:
            text = text[:cut]
        text = text.rstrip(" ")
        if ": " in text or text.endswith(":"):
            raise _GiveUp
        return self.scalar(text)

    def flow_items(self, inner: str) -> list[str]:
        if not inner.strip(" "):
            return []
        items = [item.strip(" ") for item in inner.split(",")]
        for item in items:
            if not item or item[0] in _NOT_PLAIN_START:
                raise _GiveUp
        return items

    def flow_sequence(self, text: str) -> list[Any]:
        end = text.find("]")
        if end == -1 or not _only_comment(text, end + 1):
            raise _GiveUp
        inner = text[1:end]
        if _NOT_IN_FLOW.search(inner) is not None:
            raise _GiveUp
        scalar = self.scalar
        return [scalar(item) for item in self.flow_items(inner)]

    def flow_mapping(self, text: str) -> dict[Any, Any]:
        end = text.rfind("}")
        if end == -1 or not _only_comment(text, end + 1):
            raise _GiveUp
        inner = text[1:end]
        if _NOT_IN_FLOW_MAP.search(inner) is not None:
            raise _GiveUp
        result: dict[Any, Any] = {}
        # Entries are separated by the commas outside the one level of brackets allowed.
        entries: list[str] = []
        depth = 0
        start = 0
        for index, char in enumerate(inner):
            if char == "[":
                depth += 1
                if depth > 1:
                    raise _GiveUp
            elif char == "]":
                depth -= 1
                if depth < 0:
                    raise _GiveUp
            elif char == "," and depth == 0:
                entries.append(inner[start:index])
                start = index + 1
        if depth:
            raise _GiveUp
        entries.append(inner[start:])
        if len(entries) == 1 and not entries[0].strip(" "):
            return result
        for entry in entries:
            key_text, sep, rest = entry.strip(" ").partition(": ")
            rest = rest.strip(" ")
            if not sep or not rest or ":" in key_text or ":" in rest.replace("]", ""):
                raise _GiveUp
            if _KEY_LINE.match(key_text + ":") is None:
                raise _GiveUp
            key = self.key(key_text, result)
            if rest[0] == "[":
                if not rest.endswith("]"):
                    raise _GiveUp
                result[key] = [self.scalar(i) for i in self.flow_items(rest[1:-1])]
            elif rest[0] in _NOT_PLAIN_START or "[" in rest or "]" in rest:
                raise _GiveUp
            else:
                result[key] = self.scalar(rest)
        return result

    def classify(self, line: str) -> tuple[int, int, int, Any, Any]:
        """What one line holds: ``(kind, indent, key column, key, value)``."""
        if _UNUSUAL.search(line) is not None:
            raise _GiveUp
        body = line.lstrip(" ")
        if not body or body[0] == "#":
            return _SKIP_LINE, 0, 0, None, None
        indent = len(line) - len(body)
        entry = body[0] == "-" and (len(body) == 1 or body[1] == " ")
        if entry:
            body = body[1:].lstrip(" ")
            if not body or body[0] == "#" or body[0] == "-":
                raise _GiveUp
        column = len(line) - len(body)
        match = _KEY_LINE.match(body)
        if match is None:
            if not entry:
                raise _GiveUp
            return _ENTRY_VALUE, indent, column, None, self.value(body)
        key = self.scalar(match[1])
        if not isinstance(key, str | int):
            raise _GiveUp
        rest = match[2]
        if not rest or rest[0] == "#":
            kind, value = _KEY_OPEN, None
        elif rest[0] == ">" or rest[0] == "|":
            kind, value = _KEY_BLOCK, rest
        else:
            kind, value = _KEY_VALUE, self.value(rest)
        return kind + (_ENTRY_KEY if entry else 0), indent, column, key, value

    def read(self) -> Any:
        lines = self.lines
        count = len(lines)
        known = self.known
        classify = self.classify
        block_scalar = self.block_scalar
        max_depth = self.max_depth
        skip_line, key_value, key_open = _SKIP_LINE, _KEY_VALUE, _KEY_OPEN
        entry_value, entry_key = _ENTRY_VALUE, _ENTRY_KEY
        # A frame: [indent, container, is_mapping]; a key waiting for its block value is
        # ``pending`` (its mapping, the key and the mapping's indent).
        stack: list[list[Any]] = []
        pending: tuple[dict[Any, Any], Any, int] | None = None
        root: Any = _UNREAD
        # The innermost collection: the common line is one more key of it.
        top_indent: int = -1
        top_container: Any = None
        index = 0
        while index < count:
            line = lines[index]
            index += 1
            parsed = known.get(line)
            if parsed is None:
                parsed = known[line] = classify(line)
            kind, indent, column, key, value = parsed
            if kind == key_value and indent == top_indent and pending is None:
                if key in top_container:
                    raise _GiveUp
                top_container[key] = value
                continue
            if kind == skip_line:
                continue
            is_entry = kind >= entry_value
            if pending is not None:
                mapping, pending_key, key_indent = pending
                pending = None
                if is_entry and indent >= key_indent:
                    child: list[Any] = []
                    mapping[pending_key] = child
                    stack.append([indent, child, False])
                elif not is_entry and indent > key_indent:
                    child_map: dict[Any, Any] = {}
                    mapping[pending_key] = child_map
                    stack.append([indent, child_map, True])
            while stack and stack[-1][0] > indent:
                stack.pop()
            if len(stack) >= max_depth:
                raise _GiveUp  # to be refused, with its line, by the reading through events
            if not stack:
                if root is not _UNREAD or indent or is_entry:
                    raise _GiveUp
                root = {}
                stack.append([0, root, True])
            top = stack[-1]
            if top[0] != indent:
                raise _GiveUp
            if is_entry:
                if top[2]:
                    raise _GiveUp
                if kind == entry_value:
                    top[1].append(value)
                    top_indent = -1  # a sequence is not a mapping to add keys to
                    continue
                kind -= entry_key
                mapping = {}
                top[1].append(mapping)
                top = [column, mapping, True]
                stack.append(top)
            else:
                if not top[2]:
                    stack.pop()  # a sequence at its key's indent ends
                    if not stack or stack[-1][0] != indent or not stack[-1][2]:
                        raise _GiveUp
                    top = stack[-1]
                mapping = top[1]
            if key in mapping:
                raise _GiveUp
            if kind == key_value:
                mapping[key] = value
            elif kind == key_open:
                pending = (mapping, key, top[0])
                mapping[key] = None
            else:
                mapping[key], index = block_scalar(value, top[0], index)
            top_indent, top_container = top[0], mapping
        if root is _UNREAD:
            raise _GiveUp
        return root

    def block_scalar(self, header: str, parent: int, index: int) -> tuple[str, int]:
        """A folded (``>``) or literal (``|``) block scalar that starts after line ``index``,
        clipped or stripped, with no blank line in it and (folded) no more-indented line."""
        if header not in (">-", ">", "|-", "|"):
            raise _GiveUp
        folded = header[0] == ">"
        lines = self.lines
        count = len(lines)
        content: list[str] = []
        indent = -1
        while index < count:
            line = lines[index]
            body = line.lstrip(" ")
            if not body:
                # A blank line: the end of the scalar, unless more of it follows. A line of
                # spaces beyond the indentation would be content.
                if indent == -1 or len(line) > indent:
                    raise _GiveUp
                later = index + 1
                while later < count and not lines[later].lstrip(" "):
                    later += 1
                if later < count and len(lines[later]) - len(lines[later].lstrip(" ")) > parent:
                    raise _GiveUp
                break
            this = len(line) - len(body)
            if this != indent:
                if indent == -1:
                    if this <= parent:
                        raise _GiveUp
                    indent = this
                elif this < indent:
                    if this > parent:
                        raise _GiveUp
                    break
                elif folded:
                    raise _GiveUp
            content.append(line[indent:])
            index += 1
        if not content:
            raise _GiveUp
        text = (" " if folded else "\n").join(content)
        if _UNUSUAL.search(text) is not None:
            raise _GiveUp
        if header[1:] == "-" or index == count:  # stripped, or the file ends without a break
            return text, index
        return text + "\n", index


def _only_comment(text: str, start: int) -> bool:
    """Whether ``text`` holds nothing but spaces and a comment from ``start``."""
    rest = text[start:]
    stripped = rest.lstrip(" ")
    return not stripped or (stripped[0] == "#" and len(stripped) < len(rest))
