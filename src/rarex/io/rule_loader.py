"""Load the rulebook from YAML: the bundled rules, optionally merged with a user directory.

A rules directory has this layout::

    sources.yaml          sources that facts cite (optional in a user directory)
    instruments/*.yaml    one legal instrument per file, named after its id
    market/*.yaml         dated market figures (production by country), one per file
    scenarios/*.yaml      scenario tests (read by ``load_scenarios``)

A user directory (``--rules-dir`` or ``RAREX_RULES_DIR``) is merged over the bundled one:
an instrument or source with the same id replaces the bundled one, a new id is added. A YAML
file in it that the layout does not place (an instrument directly in the directory, a ``.yml``
file, a file in another subdirectory) is an error rather than silently ignored, and so is a
user directory that holds no rule file at all.
Everything is validated before anything is returned; on any error ``RuleLoadError`` lists
every problem with file, line, field and reason, and no rulebook is built.

Only regular files are read (a FIFO, a device or a directory named ``*.yaml``, or a symbolic
link to one, is an error naming it and is never opened), and no larger than
``ReadLimits.max_file_bytes``; ``ReadLimits`` also bounds the nesting and the aliases of each
document (see ``rarex.io.strict_yaml``). Hostile input ends in a ``RuleLoadError`` too.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import DecimalException
from importlib import resources
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from rarex.core.rulebook import RuleBook, RulebookInvalid
from rarex.core.schema import (
    Instrument,
    MarketFigure,
    ScenarioFile,
    Source,
    SourceRegistry,
    schema_models,
)
from rarex.io.strict_yaml import (
    DEFAULT_LIMITS,
    LineMap,
    ReadLimits,
    StrictYamlError,
    load_strict,
    no_gc,
)

M = TypeVar("M", bound=BaseModel)

_model_field_names = {name for model in schema_models() for name in model.model_fields}


@dataclass(frozen=True, order=True)
class RuleError:
    """One problem in a rule file."""

    file: str
    line: int
    field: str
    reason: str

    def __str__(self) -> str:
        where = f" {self.field}:" if self.field else ""
        return f"{self.file}:{self.line}:{where} {self.reason}"


class RuleLoadError(Exception):
    def __init__(self, errors: list[RuleError]) -> None:
        self.errors = sorted(errors)
        super().__init__("\n".join(str(e) for e in self.errors))


@dataclass
class LoadedRules:
    """A validated rulebook and where each instrument came from."""

    rulebook: RuleBook
    files: dict[str, str]
    overridden: list[str] = field(default_factory=list)


def bundled_rules_dir() -> Path:
    return Path(str(resources.files("rarex") / "rules"))


def load_rules(extra_dir: Path | None = None, limits: ReadLimits = DEFAULT_LIMITS) -> LoadedRules:
    """Load and validate the bundled rules merged with ``extra_dir``; raise ``RuleLoadError``.

    ``limits`` bounds each file; the defaults suit any real rules directory."""
    with no_gc():
        return _load_rules(extra_dir, limits)


def _load_rules(extra_dir: Path | None, limits: ReadLimits) -> LoadedRules:
    errors: list[RuleError] = []
    reading = _Reading(limits)
    dirs = [bundled_rules_dir()]
    if extra_dir is not None:
        if not extra_dir.is_dir():
            raise RuleLoadError([RuleError(str(extra_dir), 1, "", "rules directory not found")])
        errors.extend(_layout_errors(extra_dir))
        dirs.append(extra_dir)

    sources: dict[str, Source] = {}
    instruments: dict[str, Instrument] = {}
    files: dict[str, str] = {}
    line_maps: dict[str, LineMap] = {}
    overridden: list[str] = []
    for index, directory in enumerate(dirs):
        is_user = index > 0
        registry_path = directory / "sources.yaml"
        if os.path.lexists(registry_path):
            registry = _load_model(registry_path, SourceRegistry, errors, reading)
            for source in registry.sources if registry else ():
                sources[source.id] = source
        elif not is_user:
            errors.append(RuleError(_display(registry_path), 1, "", "sources.yaml is missing"))
        seen_here: set[str] = set()
        for path in sorted((directory / "instruments").glob("*.yaml")):
            loaded = _load_instrument(path, errors, reading)
            if loaded is None:
                continue
            inst, lines = loaded
            if inst.id in seen_here:
                errors.append(
                    RuleError(
                        _display(path),
                        lines.line_of(("id",)),
                        "id",
                        f"instrument id {inst.id!r} is defined twice",
                    )
                )
                continue
            seen_here.add(inst.id)
            if inst.id in instruments and is_user:
                overridden.append(inst.id)
            instruments[inst.id] = inst
            files[inst.id] = _display(path)
            line_maps[inst.id] = lines
    markets: dict[str, tuple[MarketFigure, Path, LineMap]] = {}
    for directory in dirs:
        markets.update(_load_markets(directory, errors, reading))
    for figure, path, lines in markets.values():
        for index, source_id in enumerate(figure.sources):
            if source_id not in sources:
                errors.append(
                    RuleError(
                        _display(path),
                        lines.line_of(("sources", index)),
                        f"sources[{index}]",
                        f"unknown source {source_id!r}",
                    )
                )
    if errors:
        raise RuleLoadError(errors)
    try:
        rulebook = RuleBook.build(
            instruments.values(), sources.values(), (m[0] for m in markets.values())
        )
    except RulebookInvalid as exc:
        raise RuleLoadError(
            [
                RuleError(
                    files[p.instrument],
                    line_maps[p.instrument].line_of(p.loc),
                    _dotted(p.loc),
                    p.reason,
                )
                for p in exc.problems
            ]
        ) from None
    return LoadedRules(rulebook, files, overridden)


# The subdirectories whose ``*.yaml`` files are read; ``sources.yaml`` is read at the top.
RULE_SUBDIRS = ("instruments", "market", "scenarios")


def _is_read(directory: Path, path: Path) -> bool:
    """Whether the loader (or ``scenario_files``) reads ``path`` of rules ``directory``."""
    parts = path.relative_to(directory).parts
    if parts == ("sources.yaml",):
        return True
    return len(parts) == 2 and parts[0] in RULE_SUBDIRS and parts[1].endswith(".yaml")


def _layout(directory: Path) -> str:
    where = _display(directory)
    return (
        f"instrument files go in {where}/instruments/, market figures in {where}/market/, "
        f"scenarios in {where}/scenarios/; sources in {where}/sources.yaml"
    )


def _layout_errors(directory: Path) -> list[RuleError]:
    """A user directory's YAML files that would not be read, or the lack of any rule file.

    Hidden files and directories (``.git``, ``.github``, ``.pre-commit-config.yaml``) are not
    rule files and are not looked at."""
    read = [
        path
        for path in [directory / "sources.yaml"]
        + [p for sub in RULE_SUBDIRS for p in (directory / sub).glob("*.yaml")]
        if os.path.lexists(path)
    ]
    unread: list[Path] = []
    for root, subdirs, names in os.walk(directory):
        subdirs[:] = sorted(d for d in subdirs if not d.startswith("."))
        for name in sorted(names):
            path = Path(root) / name
            if name.startswith(".") or path.suffix.lower() not in (".yaml", ".yml"):
                continue
            if not _is_read(directory, path):
                unread.append(path)
    if unread:
        return [RuleError(_display(p), 1, "", f"not read: {_layout(directory)}") for p in unread]
    if not read:
        return [
            RuleError(
                _display(directory),
                1,
                "",
                f"holds no rule files; expected layout: {_layout(directory)}",
            )
        ]
    return []


def _load_instrument(
    path: Path, errors: list[RuleError], reading: _Reading
) -> tuple[Instrument, LineMap] | None:
    parsed = _parse(path, errors, reading)
    if parsed is None:
        return None
    data, lines = parsed
    inst = _validate(path, data, lines, Instrument, errors)
    if inst is None:
        return None
    if path.stem != inst.id:
        errors.append(
            RuleError(
                _display(path),
                lines.line_of(("id",)),
                "id",
                f"the file of instrument {inst.id!r} must be named {inst.id}.yaml",
            )
        )
        return None
    return inst, lines


def _load_markets(
    directory: Path, errors: list[RuleError], reading: _Reading
) -> dict[str, tuple[MarketFigure, Path, LineMap]]:
    """The market figures of one rules directory; each file is named after its figure's id."""
    found: dict[str, tuple[MarketFigure, Path, LineMap]] = {}
    for path in sorted((directory / "market").glob("*.yaml")):
        parsed = _parse(path, errors, reading)
        if parsed is None:
            continue
        figure = _validate(path, parsed[0], parsed[1], MarketFigure, errors)
        if figure is None:
            continue
        if path.stem != figure.id:
            errors.append(
                RuleError(
                    _display(path),
                    parsed[1].line_of(("id",)),
                    "id",
                    f"the file of market figure {figure.id!r} must be named {figure.id}.yaml",
                )
            )
            continue
        found[figure.id] = (figure, path, parsed[1])
    return found


def _load_model(path: Path, model: type[M], errors: list[RuleError], reading: _Reading) -> M | None:
    parsed = _parse(path, errors, reading)
    if parsed is None:
        return None
    return _validate(path, parsed[0], parsed[1], model, errors)


def load_scenarios(path: Path, limits: ReadLimits = DEFAULT_LIMITS) -> ScenarioFile:
    """Load one scenario file strictly; raise ``RuleLoadError`` on any problem."""
    errors: list[RuleError] = []
    scenarios = _load_model(path, ScenarioFile, errors, _Reading(limits))
    if errors or scenarios is None:
        raise RuleLoadError(errors)
    return scenarios


def scenario_files(extra_dir: Path | None = None) -> list[Path]:
    dirs = [bundled_rules_dir(), *([extra_dir] if extra_dir else [])]
    return [p for d in dirs for p in sorted((d / "scenarios").glob("*.yaml"))]


@dataclass
class _Reading:
    """What the reading of one rules directory shares: the limits, and what its files' lines
    hold (many lines, such as ``verification: official``, recur from file to file)."""

    limits: ReadLimits
    known_lines: dict[str, Any] = field(default_factory=dict)


def _parse(path: Path, errors: list[RuleError], reading: _Reading) -> tuple[Any, LineMap] | None:
    try:
        text = read_rule_file(path, reading.limits.max_file_bytes)
    except UnreadableFile as exc:
        errors.append(RuleError(_display(path), exc.line, "", exc.reason))
        return None
    try:
        return load_strict(text, limits=reading.limits, known_lines=reading.known_lines)
    except StrictYamlError as exc:
        errors.extend(
            RuleError(_display(path), p.line, _dotted(p.loc), p.reason) for p in exc.problems
        )
        return None


class UnreadableFile(Exception):
    """A rule file that is not read: not a regular file, too large, or not UTF-8."""

    def __init__(self, reason: str, line: int = 1) -> None:
        super().__init__(reason)
        self.reason = reason
        self.line = line


_FILE_KINDS = (
    (stat.S_ISDIR, "a directory"),
    (stat.S_ISFIFO, "a FIFO (named pipe)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


def read_rule_file(path: Path, max_bytes: int) -> str:
    """The text of a rule file, read as ``Path.read_text`` would (UTF-8, universal newlines).

    Raise ``UnreadableFile`` unless ``path`` is, or links to, a regular file of at most
    ``max_bytes`` bytes. Anything else is refused from its ``stat`` and never opened: opening a
    FIFO waits for a writer, and reading a device may never end. A file swapped for another kind
    between the check and the open is opened without waiting and refused too."""
    try:
        info = path.stat()  # follows a symbolic link, and opens nothing
        if not stat.S_ISREG(info.st_mode):
            raise UnreadableFile(_not_regular(path, info.st_mode))
        if info.st_size > max_bytes:
            raise UnreadableFile(_too_large(info.st_size, max_bytes))
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
        with os.fdopen(fd, "rb") as file:
            mode = os.fstat(file.fileno()).st_mode
            if not stat.S_ISREG(mode):
                raise UnreadableFile(_not_regular(path, mode))
            data = file.read(max_bytes + 1)
    except OSError as exc:
        raise UnreadableFile(f"cannot read the file: {exc}") from None
    if len(data) > max_bytes:
        raise UnreadableFile(_too_large(None, max_bytes))
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise UnreadableFile(f"cannot read the file: {exc}", line) from None
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text


def _not_regular(path: Path, mode: int) -> str:
    kind = next((name for test, name in _FILE_KINDS if test(mode)), "not a regular file")
    link = "a symbolic link to " if path.is_symlink() else ""
    return f"not a regular file: {link}{kind}; only regular files are read"


def _too_large(size: int | None, max_bytes: int) -> str:
    """Why a file is not read; ``size`` is ``None`` when it grew past the limit while read."""
    what = f"{size:,} bytes" if size is not None else "larger than that"
    return (
        f"the file is {what}, more than the limit of {max_bytes:,} bytes; "
        "a rule file holds one instrument"
    )


def _validate(
    path: Path, data: Any, lines: LineMap, model: type[M], errors: list[RuleError]
) -> M | None:
    try:
        return model.model_validate(data)
    except ArithmeticError as exc:
        # A check of the model computed with a value out of range: a day before 0001-01-01
        # from an exclusive end on that day, or a decimal too large to divide.
        detail = "a decimal too large to compute with" if isinstance(exc, DecimalException) else exc
        reason = f"a value is out of range: {detail}"
        errors.append(RuleError(_display(path), lines.line_of(()), "", reason))
        return None
    except ValidationError as exc:
        raw = exc.errors(include_url=False)
        for err in raw:
            if err["type"] == "too_short" and any(
                other["loc"][: len(err["loc"])] == err["loc"] and other is not err for other in raw
            ):
                continue  # the list is short only because one of its entries was refused
            loc = _data_loc(err["loc"], lines)
            errors.append(RuleError(_display(path), lines.line_of(loc), _dotted(loc), err["msg"]))
        return None


def _data_loc(loc: Iterable[str | int], lines: LineMap) -> tuple[str | int, ...]:
    """Keep the parts of a pydantic location that exist in the document.

    Pydantic adds union-member tags (``str``, ``CodeFact``) that are not keys of the file.
    """
    kept: tuple[str | int, ...] = ()
    for part in loc:
        if (*kept, part) in lines.lines or isinstance(part, int):
            kept = (*kept, part)
        elif (not kept or kept in lines.lines) and part in _model_field_names:
            kept = (*kept, part)  # a missing field: named although it is not in the file
    return kept


def _dotted(loc: Iterable[str | int]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _display(path: Path) -> str:
    """A path to show: relative to the package for bundled files, as given otherwise."""
    bundled = bundled_rules_dir()
    try:
        return str(Path("rarex/rules") / path.relative_to(bundled))
    except ValueError:
        return str(path)
