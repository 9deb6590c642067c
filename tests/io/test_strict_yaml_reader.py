"""The event reader and the quick line reader of strict YAML, against the node-based reader
they replaced and against each other, on generated and mutated documents; and their limits."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rarex.io import strict_yaml
from rarex.io.rule_loader import bundled_rules_dir
from rarex.io.strict_yaml import ReadLimits, StrictYamlError, load_strict
from tests.io import reference_strict_yaml as reference

BUNDLED = sorted(bundled_rules_dir().rglob("*.yaml"))
BROKEN = sorted((Path(__file__).parent.parent / "fixtures" / "broken").rglob("*.yaml"))
PROPERTY = settings(
    max_examples=300,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
# The refusals the reference reader did not have: it read these documents, or recursed.
NEW_REFUSALS = ("nested more than", "aliases add more than", "recursive alias", "base-60")


def read(module: Any, text: str, loader: Any = None) -> tuple[Any, ...]:
    try:
        value, lines = module.load_strict(text, loader)
    except module.StrictYamlError as exc:
        return ("problems", [(p.line, p.loc, p.reason) for p in exc.problems])
    return ("value", value, dict(lines.lines))


# -- Generated documents ---------------------------------------------------------------------

KEYS = st.sampled_from(
    ["id", "title", "limbs", "value", "sources", "1", "true", "null", "<<", "a b", "x:y", "é"]
)
SCALARS = st.one_of(
    st.sampled_from(
        [
            "official",
            "2025-10-09",
            "0001-01-01",
            "1e999999",
            "=",
            "~",
            ".nan",
            "0x_",
            "1:30",
            "12_345",
            "0o17",
            "yes",
            "",
            " padded ",
            "a: b",
            "# not a comment",
            "it's",
            'say "x"',
            "line\nbreak",
            "tab\there",
            "\u2028",
            "CN-2025-61/cl1.1",
        ]
    ),
    st.text(max_size=12),
    st.integers(),
    st.booleans(),
    st.none(),
)
TREES = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(KEYS, inner, max_size=4),
    max_leaves=25,
)
FRAGMENTS = st.sampled_from(
    [
        "&a ",
        "*a",
        "&b [x, *a]\n",
        "<<: ",
        ": ",
        "- ",
        "\n  ",
        "\n",
        "[",
        "]",
        "{",
        "}",
        "#",
        "'",
        '"',
        "!!str ",
        "|\n",
        ">-\n",
        "\t",
        "?",
        "---\n",
        ",",
        "\\",
        "\ufeff",
        "\x07",
        "k: v\nk: w\n",
        "  ",
    ]
)


@st.composite
def documents(draw: st.DrawFn) -> str:
    tree = draw(TREES)
    flow = draw(st.sampled_from([False, True, None]))
    text = yaml.safe_dump(tree, default_flow_style=flow, allow_unicode=draw(st.booleans()))
    for _ in range(draw(st.integers(0, 3))):
        at = draw(st.integers(0, len(text)))
        if draw(st.booleans()):
            text = text[:at] + draw(FRAGMENTS) + text[at:]
        else:
            text = text[:at] + text[at + draw(st.integers(1, 5)) :]
    return text


@st.composite
def rule_like_documents(draw: st.DrawFn) -> str:
    """A bundled rule file, mutated a little: the quick reader's own ground."""
    text = draw(st.sampled_from(BUNDLED)).read_text(encoding="utf-8")
    lines = text.split("\n")
    for _ in range(draw(st.integers(0, 3))):
        at = draw(st.integers(0, len(lines) - 1))
        line = lines[at]
        match draw(st.integers(0, 4)):
            case 0:
                lines.insert(at, line)  # a duplicate line: often a duplicate key
            case 1:
                lines[at] = " " + line  # an indentation one off
            case 2:
                lines[at] = line[: draw(st.integers(0, len(line)))]
            case 3:
                cut = draw(st.integers(0, len(line)))
                lines[at] = line[:cut] + draw(FRAGMENTS) + line[cut:]
            case _:
                lines[at] = line.partition(": ")[0] + ": " + str(draw(SCALARS))
    return "\n".join(lines)


ANY_DOCUMENT = st.one_of(documents(), rule_like_documents())


@PROPERTY
@given(ANY_DOCUMENT)
def test_the_quick_reading_gives_the_events_value_or_gives_up(text: str) -> None:
    quick = strict_yaml._read_plain_block(text)
    if quick is strict_yaml._UNREAD:
        return
    value, _ = load_strict(text, yaml.SafeLoader)  # a document it reads must be valid
    assert quick == value


@PROPERTY
@given(ANY_DOCUMENT)
def test_libyaml_and_the_quick_reading_change_nothing(text: str) -> None:
    assert read(strict_yaml, text) == read(strict_yaml, text, yaml.SafeLoader)


@PROPERTY
@given(ANY_DOCUMENT)
def test_the_reader_gives_what_the_node_reader_gave(text: str) -> None:
    try:
        before = read(reference, text)
    except (RecursionError, ValueError):  # ValueError: an escape past the last character
        return
    after = read(strict_yaml, text)
    if after[0] == "problems" and any(r in p[2] for p in after[1] for r in NEW_REFUSALS):
        return
    if before[0] == "problems" and after[0] == "problems":
        # The reference worded an undefined alias as libyaml does when it read the document
        # with it: compare the lines, then the rest.
        assert [p[:2] for p in after[1]] == [p[:2] for p in before[1]]
        return
    assert after == before


@pytest.mark.parametrize("path", BUNDLED + BROKEN, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_every_rules_file_reads_as_the_node_reader_read_it(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert read(strict_yaml, text) == read(reference, text)


def test_most_bundled_files_are_read_by_the_quick_reading() -> None:
    """It is what makes large files fast; it must not give up on the usual rule file."""
    read_quickly = [
        p
        for p in BUNDLED
        if strict_yaml._read_plain_block(p.read_text(encoding="utf-8")) is not strict_yaml._UNREAD
    ]
    assert len(read_quickly) > len(BUNDLED) * 0.7


def test_lines_of_a_quickly_read_document_are_those_of_the_events() -> None:
    text = (bundled_rules_dir() / "instruments" / "CN-2025-72.yaml").read_text()
    assert strict_yaml._read_plain_block(text) is not strict_yaml._UNREAD
    _, lines = load_strict(text)
    _, event_lines = load_strict(text, yaml.SafeLoader)
    assert lines.lines == event_lines.lines
    assert lines.line_of(("limbs", 0, "commences", "value")) > 1


# -- Limits ----------------------------------------------------------------------------------


def problems(text: str, limits: ReadLimits) -> list[tuple[int, str]]:
    with pytest.raises(StrictYamlError) as info:
        load_strict(text, limits=limits)
    return [(p.line, p.reason) for p in info.value.problems]


@pytest.mark.parametrize("block", [False, True])
def test_depth_up_to_the_limit_is_read_and_one_more_is_refused(block: bool) -> None:
    def nested(depth: int) -> str:
        if block:  # a mapping in a mapping, each on its own line: the quick reading's part
            return "".join(" " * i + f"k{i}:\n" for i in range(depth - 1)) + " " * depth + "k: v\n"
        return "a: " + "[" * (depth - 1) + "]" * (depth - 1) + "\n"

    limits = ReadLimits(max_depth=10)
    value, _ = load_strict(nested(10), limits=limits)
    assert value is not None
    [(line, reason)] = problems(nested(11), limits)
    assert reason == "the document is nested more than 10 levels deep"
    assert line == (11 if block else 1)


def test_an_alias_counts_the_depth_of_what_it_names() -> None:
    text = "a: &a [[[x]]]\nb: [[[[[[[*a]]]]]]]\n"
    [(line, reason)] = problems(text, ReadLimits(max_depth=10))
    assert (line, reason) == (2, "alias *a nests the document more than 10 levels deep")
    assert load_strict(text, limits=ReadLimits(max_depth=11))[0]["b"][0][0][0][0][0][0][0] == [
        [["x"]]
    ]


def test_aliases_up_to_the_limit_are_read_and_their_value_shared() -> None:
    text = "a: &a [1, 2, 3]\nb: [*a, *a]\nc: *a\n"  # each alias adds 4 nodes
    value, lines = load_strict(text, limits=ReadLimits(max_alias_nodes=12))
    assert value == {"a": [1, 2, 3], "b": [[1, 2, 3], [1, 2, 3]], "c": [1, 2, 3]}
    assert lines.line_of(("c", 2)) == 1  # the entries of an alias are on the anchor's lines
    [(line, reason)] = problems(text, ReadLimits(max_alias_nodes=11))
    assert line == 3
    assert reason.startswith("aliases add more than 11 nodes to the document (alias *a adds 4)")


def test_the_bundled_aliases_are_far_below_the_limit() -> None:
    """The bundled rules share commencement dates with anchors (CN-DUAL-USE-REGULATION's add
    198 nodes): a hundredth of the default limit allows them."""
    users = [p for p in BUNDLED if "*" in p.read_text() and "&" in p.read_text()]
    assert len(users) >= 4
    for path in users:
        load_strict(path.read_text(), limits=ReadLimits(max_alias_nodes=1_000))


def test_a_base60_number_within_the_length_is_read() -> None:
    assert load_strict("a: 1:30\n")[0] == {"a": 90}
    [(line, reason)] = problems("a: 1" + ":1" * 60 + "\n", ReadLimits())
    assert (line, reason) == (1, "bad value: a base-60 number longer than 100 characters")
