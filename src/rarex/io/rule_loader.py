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
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass, field
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
from rarex.io.strict_yaml import LineMap, StrictYamlError, load_strict

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


def load_rules(extra_dir: Path | None = None) -> LoadedRules:
    """Load and validate the bundled rules merged with ``extra_dir``; raise ``RuleLoadError``."""
    errors: list[RuleError] = []
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
        if registry_path.exists():
            registry = _load_model(registry_path, SourceRegistry, errors)
            for source in registry.sources if registry else ():
                sources[source.id] = source
        elif not is_user:
            errors.append(RuleError(_display(registry_path), 1, "", "sources.yaml is missing"))
        seen_here: set[str] = set()
        for path in sorted((directory / "instruments").glob("*.yaml")):
            loaded = _load_instrument(path, errors)
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
        markets.update(_load_markets(directory, errors))
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
        if path.is_file()
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


def _load_instrument(path: Path, errors: list[RuleError]) -> tuple[Instrument, LineMap] | None:
    parsed = _parse(path, errors)
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
    directory: Path, errors: list[RuleError]
) -> dict[str, tuple[MarketFigure, Path, LineMap]]:
    """The market figures of one rules directory; each file is named after its figure's id."""
    found: dict[str, tuple[MarketFigure, Path, LineMap]] = {}
    for path in sorted((directory / "market").glob("*.yaml")):
        parsed = _parse(path, errors)
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


def _load_model(path: Path, model: type[M], errors: list[RuleError]) -> M | None:
    parsed = _parse(path, errors)
    if parsed is None:
        return None
    return _validate(path, parsed[0], parsed[1], model, errors)


def load_scenarios(path: Path) -> ScenarioFile:
    """Load one scenario file strictly; raise ``RuleLoadError`` on any problem."""
    errors: list[RuleError] = []
    scenarios = _load_model(path, ScenarioFile, errors)
    if errors or scenarios is None:
        raise RuleLoadError(errors)
    return scenarios


def scenario_files(extra_dir: Path | None = None) -> list[Path]:
    dirs = [bundled_rules_dir(), *([extra_dir] if extra_dir else [])]
    return [p for d in dirs for p in sorted((d / "scenarios").glob("*.yaml"))]


def _parse(path: Path, errors: list[RuleError]) -> tuple[Any, LineMap] | None:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        errors.append(RuleError(_display(path), 1, "", f"cannot read the file: {exc}"))
        return None
    try:
        return load_strict(text)
    except StrictYamlError as exc:
        errors.extend(
            RuleError(_display(path), p.line, _dotted(p.loc), p.reason) for p in exc.problems
        )
        return None


def _validate(
    path: Path, data: Any, lines: LineMap, model: type[M], errors: list[RuleError]
) -> M | None:
    try:
        return model.model_validate(data)
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
