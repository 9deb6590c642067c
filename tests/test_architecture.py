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
