"""``rarex match``: compare two names, or every pair of a CSV file, with the screening matcher."""

from __future__ import annotations

import csv
import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from rarex.cli.common import Context, FormatOpt, OutputFormat
from rarex.cli.safe import inert
from rarex.cli.tables import show_table
from rarex.core.matchers import matcher_for
from rarex.core.matching import DEFAULT_THRESHOLD, Candidate, Query
from rarex.io.script import ChineseScript


class MatcherName(StrEnum):
    """The versions of ``rarex.core.matchers.MATCHERS``."""

    NAME_V1 = "name_v1"
    NAME_V2 = "name_v2"


def match_command(
    ctx: typer.Context,
    name_a: Annotated[str | None, typer.Argument(help="First name.")] = None,
    name_b: Annotated[str | None, typer.Argument(help="Second name.")] = None,
    pairs: Annotated[
        Path | None, typer.Option(help="A CSV file with columns name_a and name_b.")
    ] = None,
    threshold: Annotated[
        float, typer.Option(min=0.0, max=1.0, help="Decision threshold.")
    ] = DEFAULT_THRESHOLD,
    matcher_name: Annotated[
        MatcherName,
        typer.Option(
            "--matcher",
            help="Matcher version: name_v1, or name_v2 (adds acronyms, abbreviations, "
            "written-out legal forms and a glossary of Chinese organisation words).",
        ),
    ] = MatcherName.NAME_V1,
    fmt: FormatOpt = OutputFormat.TABLE,
) -> None:
    """Score how likely two names denote the same party, and explain the score."""
    c = Context.of(ctx, None)
    matcher = matcher_for(matcher_name.value, ChineseScript(), threshold)
    if pairs is not None:
        if name_a or name_b:
            raise typer.BadParameter("give two names or --pairs, not both")
        rows = _read_pairs(c, pairs)
    elif name_a is not None and name_b is not None:
        rows = [(name_a, name_b)]
    else:
        raise typer.BadParameter("give two names, or --pairs FILE")
    results = []
    for a, b in rows:
        match = matcher.match(Query(a), Candidate(b))
        results.append(
            {
                "name_a": a,
                "name_b": b,
                "score": match.score,
                "is_match": match.is_match,
                "matcher": match.matcher,
                "threshold": threshold,
                "explanation": match.explanation(),
            }
        )
    if fmt is OutputFormat.JSON:
        for result in results:
            sys.stdout.write(json.dumps(result, ensure_ascii=False) + "\n")
        return
    table = Table(
        "Name A", "Name B", "Score", "Match", "Why", title=f"{matcher.name} at {threshold}"
    )
    for r in results:
        explanation: list[dict[str, object]] = r["explanation"]  # type: ignore[assignment]
        why = "; ".join(
            f"{e['query'] or e['candidate']}: {e['how']}"
            for e in explanation
            if e["feature"] in ("token", "characters", "legal_form", "acronym", "glossary")
        )
        table.add_row(
            str(r["name_a"]),
            str(r["name_b"]),
            f"{r['score']:.3f}",
            "yes" if r["is_match"] else "no",
            why,
        )
    show_table(c.console, table)


def _read_pairs(c: Context, path: Path) -> list[tuple[str, str]]:
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.DictReader(handle)
            missing = {"name_a", "name_b"} - set(reader.fieldnames or ())
            if missing:
                c.err.print(
                    inert(
                        f"{path}: row 1: missing column(s) {', '.join(sorted(missing))}",
                        "bold red",
                    )
                )
                raise typer.Exit(2)
            rows = []
            for number, row in enumerate(reader, start=2):
                a, b = (row.get("name_a") or "").strip(), (row.get("name_b") or "").strip()
                if not a or not b:
                    c.err.print(
                        inert(
                            f"{path}: row {number}: both name_a and name_b are required",
                            "bold red",
                        )
                    )
                    raise typer.Exit(2)
                rows.append((a, b))
            return rows
    except (OSError, UnicodeDecodeError) as exc:
        c.err.print(inert(f"{path}: cannot read: {exc}", "bold red"))
        raise typer.Exit(2) from None
