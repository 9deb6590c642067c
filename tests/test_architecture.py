"""The core is pure: no I/O, no clock, no framework imports."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

CORE = Path(__file__).parent.parent / "src" / "rarex" / "core"
FORBIDDEN_MODULES = {
    "yaml",
    "sqlalchemy",
    "alembic",
    "fastapi",
    "starlette",
    "typer",
    "rich",
    "duckdb",
    "pyspark",
    "httpx",
    "requests",
    "os",
    "pathlib",
    "io",
    "shutil",
    "subprocess",
    "socket",
    "sqlite3",
    "rarex.io",
    "rarex.cli",
    "rarex.api",
    "rarex.web",
    "rarex.settings",
}
FORBIDDEN_CALLS = {"open", "today", "now", "utcnow", "time", "getenv"}


def core_files() -> list[Path]:
    return sorted(CORE.rglob("*.py"))


@pytest.mark.parametrize("path", core_files(), ids=lambda p: p.name)
def test_core_module_is_pure(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    problems = []
    for node in ast.walk(tree):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            names = [node.module]
        for name in names:
            if any(name == bad or name.startswith(bad + ".") for bad in FORBIDDEN_MODULES):
                problems.append(f"line {getattr(node, 'lineno', 0)}: imports {name}")
        if isinstance(node, ast.Call):
            func = node.func
            called = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if called in FORBIDDEN_CALLS:
                problems.append(f"line {node.lineno}: calls {called}()")
    assert not problems, f"{path.name} is not pure: {problems}"


def test_there_are_core_modules() -> None:
    assert len(core_files()) >= 5


PACKAGE = CORE.parent
CLOCK_READS = {
    ("date", "today"),
    ("datetime", "now"),
    ("datetime", "today"),
    ("datetime", "utcnow"),
    ("time", "time"),
    ("time", "time_ns"),
    ("time", "localtime"),
}


def clock_reads(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [
        f"line {node.lineno}: {node.value.id}.{node.attr}"
        for node in ast.walk(tree)
        if isinstance(node, ast.Attribute)
        and isinstance(node.value, ast.Name)
        and (node.value.id, node.attr) in CLOCK_READS
    ]


@pytest.mark.parametrize(
    "path",
    [p for p in sorted(PACKAGE.rglob("*.py")) if p != PACKAGE / "clock.py"],
    ids=lambda p: str(p.relative_to(PACKAGE)),
)
def test_only_the_clock_reads_the_system_clock(path: Path) -> None:
    """Time is an input: entry points pass the clock (``rarex.clock``) or its day down."""
    assert not clock_reads(path), f"{path.name} reads the system clock: {clock_reads(path)}"


def test_the_clock_check_sees_a_clock_read(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text("from datetime import date\nday = date.today()\n", encoding="utf-8")
    assert clock_reads(module) == ["line 2: date.today"]
