"""Fuzzing the rule loader: structured garbage in a user rules directory ends in a
``RuleLoadError`` that locates every problem, or in a valid rulebook; never in another
exception.

The budget in the suite is small (``FUZZ_EXAMPLES``, default 100 runs, a few seconds). A longer
run: ``RAREX_FUZZ_EXAMPLES=3000 pytest -p no:cacheprovider tests/io/test_rule_loader_fuzz.py``
(see benchmarks/README.md for the last one and what it found)."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from rarex.io.rule_loader import LoadedRules, RuleLoadError, bundled_rules_dir, load_rules
from rarex.io.strict_yaml import ReadLimits

FUZZ_EXAMPLES = int(os.environ.get("RAREX_FUZZ_EXAMPLES", "100"))
BUNDLED = bundled_rules_dir()
RULE_FILES = [
    *sorted((BUNDLED / "instruments").glob("*.yaml")),
    *sorted((BUNDLED / "market").glob("*.yaml")),
    BUNDLED / "sources.yaml",
]
# Small limits, so that the fuzzer reaches them; the loader must refuse past them all the same.
LIMITS = ReadLimits(max_file_bytes=200_000, max_depth=24, max_alias_nodes=500)

ODD_SCALARS = [
    "0001-01-01",
    "9999-12-31",
    "2025-02-30",
    "1e999999",
    "-1e999999",
    "1E-999999",
    "0.0000000000000000000000000000001",
    "=",
    "<<",
    "~",
    "null",
    ".nan",
    ".inf",
    "-.inf",
    "0x_",
    "0b",
    "1:2:3",
    "1" + ":1" * 80,
    "12345678901234567890123456789",
    "9" * 5000,
    "yes",
    "Off",
    '"\\ud800"',
    '"\\U7fffffff"',
    '"\\x00"',
    "!!binary AAAA",
    "!!python/object:os.system x",
    "*undefined",
    "&anchor value",
    "[",
    "{a: 1, a: 2}",
    "[[[[[[[[]]]]]]]]",
    "- x",
    "'''",
    "|+\n  x\n\n",
    ">-\n  folded\n\n   more\n",
    "\u2028",
    "\ufeff",
    "\x07",
    "\uff11\uff12",  # full-width digits
    "",
    " ",
    "CN-2025-61/cl1.1",
    "US-NOWHERE",
]
FRAGMENTS = [
    *ODD_SCALARS,
    ": ",
    "\n",
    "\n  ",
    "  ",
    "#",
    "\t",
    "?",
    "---\n",
    "...\n",
    "%YAML 1.1\n",
    ",",
    "\\",
    "\x00",
    "\r",
    "\x85",
    "<<: *a\n",
    "a: &a [*a]\n",
]


@st.composite
def mutated_rule_files(draw: st.DrawFn) -> tuple[str, str]:
    """A bundled rule file and its place, with a few mutations: an odd value, a fragment put
    in, a slice cut out, a line repeated or shifted, the end cut off."""
    path = draw(st.sampled_from(RULE_FILES))
    lines = path.read_text(encoding="utf-8").split("\n")
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, len(lines) - 1))
        line = lines[at]
        match draw(st.integers(0, 6)):
            case 0:
                lines[at] = line.partition(": ")[0] + ": " + draw(st.sampled_from(ODD_SCALARS))
            case 1:
                cut = draw(st.integers(0, len(line)))
                lines[at] = line[:cut] + draw(st.sampled_from(FRAGMENTS)) + line[cut:]
            case 2:
                lines[at] = line[: draw(st.integers(0, len(line)))]
            case 3:
                lines.insert(at, line)
            case 4:
                lines[at] = " " * draw(st.integers(1, 3)) + line
            case 5:
                del lines[at : at + draw(st.integers(1, 20))]
                lines = lines or [""]
            case _:
                lines[at] = line.replace(" - ", " " + draw(st.sampled_from(FRAGMENTS)), 1)
    place = path.relative_to(BUNDLED).as_posix()
    return place, "\n".join(lines)


YAMLISH = st.text(alphabet=st.sampled_from(list("ab01 :-\n[]{}#&*!|>'\"?,.~\t%@`<=")), max_size=400)


@st.composite
def yamlish_files(draw: st.DrawFn) -> tuple[str, str]:
    """Random YAML-ish text, often after a real start, as an instrument or a market file."""
    head = draw(st.sampled_from(["", "id: CN-FUZZ\n", "id: CN-FUZZ\nlimbs:\n  - "]))
    place = draw(st.sampled_from(["instruments/CN-FUZZ.yaml", "market/fuzz.yaml", "sources.yaml"]))
    return place, head + draw(YAMLISH)


@st.composite
def deep_files(draw: st.DrawFn) -> tuple[str, str]:
    depth = draw(st.integers(1, 3000))
    body = draw(
        st.sampled_from(
            [
                "limbs: " + "[" * depth + "]" * depth,
                "limbs: " + "{a: " * depth + "1" + "}" * depth,
                "limbs:\n" + "- " * depth + "x",
                "".join(" " * i + f"k{i}:\n" for i in range(min(depth, 300))),
                "a0: &a0 [x, x, x]\n"
                + "".join(f"a{i}: &a{i} [*a{i - 1}, *a{i - 1}, *a{i - 1}]\n" for i in range(1, 12)),
            ]
        )
    )
    return "instruments/CN-FUZZ.yaml", "id: CN-FUZZ\n" + body + "\n"


RULE_DIRECTORIES = st.lists(
    st.one_of(mutated_rule_files(), yamlish_files(), deep_files()), min_size=1, max_size=3
)


def load(files: list[tuple[str, str]]) -> LoadedRules | RuleLoadError:
    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp)
        for place, text in files:
            (directory / place).parent.mkdir(parents=True, exist_ok=True)
            (directory / place).write_text(text, encoding="utf-8", newline="")
        try:
            return load_rules(directory, LIMITS)
        except RuleLoadError as exc:
            return exc


@settings(
    max_examples=FUZZ_EXAMPLES,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(RULE_DIRECTORIES)
def test_the_loader_ends_in_a_rule_error_or_a_rulebook(files: list[tuple[str, str]]) -> None:
    outcome = load(files)
    event("a rule error" if isinstance(outcome, RuleLoadError) else "a rulebook")
    if isinstance(outcome, RuleLoadError):
        assert outcome.errors
        for error in outcome.errors:
            assert error.line >= 1
            assert error.reason
            assert error.file
    else:
        assert len(outcome.rulebook.sha256) == 64


def test_a_mutation_that_keeps_the_file_valid_loads() -> None:
    """The fuzzer's other ending is reachable: an unchanged bundled file in a user directory
    loads (it overrides itself)."""
    path = BUNDLED / "instruments" / "CN-2025-72.yaml"
    outcome = load([("instruments/CN-2025-72.yaml", path.read_text(encoding="utf-8"))])
    assert isinstance(outcome, LoadedRules)
    assert outcome.overridden == ["CN-2025-72"]
