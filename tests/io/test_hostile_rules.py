"""Hostile rule files: each is refused by ``rarex rules check`` with exit 1 and the file, line
and reason, without a traceback, in bounded memory and without hanging.

Each check runs the command in a child process: a regression that hangs (a FIFO opened for
reading waits for a writer) then fails on the timeout instead of stopping the suite, and the
child's peak memory (its RSS high-water mark, on Linux) shows that nothing was expanded."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pytest

from rarex.io.rule_loader import RuleLoadError, bundled_rules_dir, load_rules
from rarex.io.strict_yaml import DEFAULT_LIMITS

# Well above the ~50 MB the command takes on the bundled rules, far below what expanding any
# of these documents would take (a billion-laughs document expands to 10^10 nodes).
MAX_MEMORY_MB = 400
TIMEOUT_S = 120


@dataclass
class Outcome:
    code: int
    out: str
    err: str
    peak_mb: float


# Runs ``rarex`` and writes its peak RSS (kB) to the file named first: the peak of the child
# itself, not of the test process it was forked from.
CHILD = """
import atexit, sys
from pathlib import Path

report = Path(sys.argv.pop(1))

def peak():
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            report.write_text(line.split()[1])

atexit.register(peak)
sys.argv[0] = "rarex"
from rarex.cli.app import main
main()
"""


def rules_check(directory: Path) -> Outcome:
    """``rarex rules check --rules-dir DIRECTORY`` in a child process, and its peak memory."""
    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "peak"
        try:
            child = subprocess.run(
                [
                    sys.executable,
                    "-c",
                    CHILD,
                    str(report),
                    "rules",
                    "check",
                    "--rules-dir",
                    directory,
                ],
                stdin=subprocess.DEVNULL,
                capture_output=True,
                text=True,
                timeout=TIMEOUT_S,
                env={**os.environ, "COLUMNS": "400"},
            )
        except subprocess.TimeoutExpired:
            pytest.fail(f"rarex rules check did not finish in {TIMEOUT_S} s")
        peak_kb = int(report.read_text()) if report.exists() else 0
    return Outcome(child.returncode, child.stdout, child.stderr, peak_kb / 1024)


def instrument_dir(tmp_path: Path, text: str, name: str = "CN-X.yaml") -> Path:
    (tmp_path / "instruments").mkdir()
    (tmp_path / "instruments" / name).write_text(text, encoding="utf-8")
    return tmp_path


def assert_refused(outcome: Outcome, path: Path, line: int, reason: str) -> None:
    assert outcome.code == 1, outcome.err
    assert "Traceback" not in outcome.err + outcome.out
    assert f"{path}:{line}: " in outcome.err, outcome.err
    assert reason in outcome.err, outcome.err
    assert "nothing was loaded" in outcome.err
    if Path("/proc/self/status").exists():
        assert 0 < outcome.peak_mb < MAX_MEMORY_MB


def billion_laughs(levels: int = 10) -> str:
    """Ten aliases of the level below on each line: level 9 stands for 10^10 nodes."""
    lines = ["id: CN-X", "a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    for level in range(1, levels):
        aliases = ", ".join([f"*a{level - 1}"] * 10)
        lines.append(f"a{level}: &a{level} [{aliases}]")
    return "\n".join(lines) + "\n"


def test_billion_laughs_is_refused_at_the_alias_that_passes_the_limit(tmp_path: Path) -> None:
    directory = instrument_dir(tmp_path, billion_laughs())
    # a_n stands for 1 + 10 * size(a_n-1) nodes: a3 for 11,111. The aliases on the lines of a1
    # to a3 add 110 + 1,110 + 11,110 = 12,330 nodes; on line 6 (a4) the eighth alias of a3
    # passes 100,000. The whole document would be 10^10 nodes.
    outcome = rules_check(directory)
    path = directory / "instruments" / "CN-X.yaml"
    assert_refused(outcome, path, 6, "aliases add more than 100000 nodes")
    assert "(alias *a3 adds 11111)" in outcome.err


def test_a_recursive_alias_is_refused_at_its_line(tmp_path: Path) -> None:
    directory = instrument_dir(tmp_path, "id: CN-X\nlimbs: &l\n  - id: x\n  - *l\n")
    outcome = rules_check(directory)
    path = directory / "instruments" / "CN-X.yaml"
    assert_refused(outcome, path, 4, "alias *l is inside the node it names (a recursive alias)")


@pytest.mark.parametrize(
    ("body", "line"),
    [
        ("limbs: " + "[" * 20_000 + "]" * 20_000 + "\n", 2),  # flow sequences
        ("limbs: " + "{a: " * 20_000 + "1" + "}" * 20_000 + "\n", 2),  # flow mappings
        ("limbs:\n" + "- " * 20_000 + "x\n", 3),  # block sequences
        ("".join(" " * i + f"k{i}:\n" for i in range(2_000)), 66),  # k63 opens level 65
    ],
    ids=["flow-sequences", "flow-mappings", "block-sequences", "block-mappings"],
)
def test_a_document_nested_20000_deep_is_refused_at_the_line_too_deep(
    tmp_path: Path, body: str, line: int
) -> None:
    directory = instrument_dir(tmp_path, "id: CN-X\n" + body)
    outcome = rules_check(directory)
    path = directory / "instruments" / "CN-X.yaml"
    assert_refused(outcome, path, line, "the document is nested more than 64 levels deep")


def test_a_nul_byte_is_refused_at_its_line(tmp_path: Path) -> None:
    directory = instrument_dir(tmp_path, "id: CN-X\nkind: law\x00\n")
    outcome = rules_check(directory)
    path = directory / "instruments" / "CN-X.yaml"
    assert_refused(outcome, path, 2, "a character YAML does not allow: '\\x00'")


def test_a_huge_base60_number_is_a_bad_value(tmp_path: Path) -> None:
    """PyYAML's conversion of "1:1:1:..." takes time that grows with the square of its length
    (an 8 MB one would take hours); past 100 characters it is refused unconverted."""
    directory = instrument_dir(tmp_path, "id: CN-X\nkind: 1" + ":1" * 300_000 + "\n")
    outcome = rules_check(directory)
    path = directory / "instruments" / "CN-X.yaml"
    assert_refused(outcome, path, 2, "bad value: a base-60 number longer than 100 characters")


def test_a_file_over_the_size_limit_is_refused_unread(tmp_path: Path) -> None:
    size = DEFAULT_LIMITS.max_file_bytes + 1
    text = "id: CN-X\nnote: " + "x" * (size - len("id: CN-X\nnote: \n")) + "\n"
    directory = instrument_dir(tmp_path, text)
    assert (directory / "instruments" / "CN-X.yaml").stat().st_size == size
    outcome = rules_check(directory)
    path = directory / "instruments" / "CN-X.yaml"
    assert_refused(
        outcome, path, 1, f"the file is {size:,} bytes, more than the limit of 8,388,608 bytes;"
    )


def test_a_fifo_named_like_a_rule_file_is_refused_without_opening_it(tmp_path: Path) -> None:
    """Opening a FIFO for reading waits for a writer: the check must not open it."""
    (tmp_path / "instruments").mkdir()
    fifo = tmp_path / "instruments" / "X.yaml"
    os.mkfifo(fifo)
    outcome = rules_check(tmp_path)
    assert_refused(outcome, fifo, 1, "not a regular file: a FIFO (named pipe)")


def test_a_symlink_to_a_fifo_and_a_fifo_as_sources_are_refused(tmp_path: Path) -> None:
    (tmp_path / "instruments").mkdir()
    os.mkfifo(tmp_path / "pipe")
    link = tmp_path / "instruments" / "X.yaml"
    link.symlink_to(tmp_path / "pipe")
    os.mkfifo(tmp_path / "sources.yaml")
    outcome = rules_check(tmp_path)
    assert_refused(outcome, link, 1, "not a regular file: a symbolic link to a FIFO (named pipe)")
    assert_refused(outcome, tmp_path / "sources.yaml", 1, "not a regular file: a FIFO")


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="no /dev/zero")
def test_a_symlink_to_a_device_is_refused_without_reading_it(tmp_path: Path) -> None:
    """/dev/zero never ends: reading it would fill the memory."""
    (tmp_path / "instruments").mkdir()
    link = tmp_path / "instruments" / "X.yaml"
    link.symlink_to("/dev/zero")
    outcome = rules_check(tmp_path)
    assert_refused(outcome, link, 1, "not a regular file: a symbolic link to a character device")


def test_a_directory_named_like_a_rule_file_is_refused(tmp_path: Path) -> None:
    (tmp_path / "instruments" / "X.yaml").mkdir(parents=True)
    outcome = rules_check(tmp_path)
    path = tmp_path / "instruments" / "X.yaml"
    assert_refused(outcome, path, 1, "not a regular file: a directory")


def test_values_out_of_range_in_the_model_checks_are_rule_errors(tmp_path: Path) -> None:
    """A limb ending exclusively on 0001-01-01 has no last day, and a market share of 1e999999
    over 1e-999999 overflows: both used to escape pydantic as tracebacks."""
    bundled = bundled_rules_dir()
    (tmp_path / "instruments").mkdir()
    (tmp_path / "market").mkdir()
    instrument = (bundled / "instruments" / "CN-2025-68.yaml").read_text(encoding="utf-8")
    instrument = instrument.replace(
        "    commences: *posted\n",
        "    commences: *posted\n    ends: {value: 0001-01-01, inclusive: false,"
        " inclusive_verification: official, after: expires, verification: official,"
        " sources: [C17]}\n",
        1,
    )
    (tmp_path / "instruments" / "CN-2025-68.yaml").write_text(instrument, encoding="utf-8")
    market = (bundled / "market" / "antimony-production.yaml").read_text(encoding="utf-8")
    market = market.replace("share: 0.48", "value: 1e999999") + "world_total: 1e-999999\nunit: t\n"
    (tmp_path / "market" / "antimony-production.yaml").write_text(market, encoding="utf-8")
    with pytest.raises(RuleLoadError) as info:
        load_rules(tmp_path)
    reasons = {Path(e.file).name: (e.line, e.reason) for e in info.value.errors}
    assert reasons == {
        "CN-2025-68.yaml": (5, "a value is out of range: date value out of range"),
        "antimony-production.yaml": (
            2,
            "a value is out of range: a decimal too large to compute with",
        ),
    }
