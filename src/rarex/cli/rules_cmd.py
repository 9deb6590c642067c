"""``rarex rules``: list, show, status, check, timeline and schema of the rulebook."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from rarex.cli import render
from rarex.cli.common import (
    AsOfOpt,
    AssumeOpt,
    Context,
    FormatOpt,
    OutputFormat,
    RulesDirOpt,
    emit_json,
)
from rarex.cli.safe import inert
from rarex.cli.tables import show_table
from rarex.core.rulebook import RuleBook, Snapshot
from rarex.core.scenarios import run_scenario
from rarex.core.schema import Code, Instrument, code_value, schema_models
from rarex.core.timeline import clip, measure_windows
from rarex.core.vocab import Status
from rarex.io.atomic import write_atomically
from rarex.io.rule_loader import RuleLoadError, load_rules, load_scenarios, scenario_files

app = typer.Typer(
    help="The dated rulebook of China's critical-mineral export controls.", no_args_is_help=True
)


@app.command("list")
def list_measures(
    ctx: typer.Context,
    as_of: AsOfOpt = None,
    status: Annotated[Status | None, typer.Option(help="Only measures with this status.")] = None,
    assume: AssumeOpt = None,
    rules_dir: RulesDirOpt = None,
    fmt: FormatOpt = OutputFormat.TABLE,
) -> None:
    """Every measure with its status and its limbs' statuses as of a date."""
    c = Context.of(ctx, rules_dir)
    rulebook = c.rulebook()
    snapshot = c.snapshot(rulebook, as_of, assume)
    ids = [m for m in rulebook.instruments if status is None or snapshot.status(m) is status]
    if fmt is OutputFormat.JSON:
        emit_json(
            {
                "as_of": snapshot.as_of.isoformat(),
                "rulebook_sha256": snapshot.rulebook_sha256,
                "assumptions": {k: v.value for k, v in snapshot.assumptions.items()},
                "measures": [
                    render.measure_json(snapshot, snapshot.measure(m), rulebook.instruments[m])
                    for m in ids
                ],
            }
        )
        return
    show_table(c.console, render.measures_table(rulebook, snapshot, ids))
    c.console.print(f"rulebook sha256 {snapshot.rulebook_sha256}", style="dim")


@app.command()
def status(
    ctx: typer.Context,
    measure: Annotated[str, typer.Argument(help="Measure id, or MEASURE/LIMB for one limb.")],
    as_of: AsOfOpt = None,
    assume: AssumeOpt = None,
    rules_dir: RulesDirOpt = None,
    fmt: FormatOpt = OutputFormat.TABLE,
) -> None:
    """The status of one measure and its limbs as of a date."""
    c = Context.of(ctx, rules_dir)
    rulebook = c.rulebook()
    snapshot = c.snapshot(rulebook, as_of, assume)
    measure_id = c.checked_ref(rulebook, measure).partition("/")[0]
    state = snapshot.measure(measure_id)
    payload = render.measure_json(snapshot, state, rulebook.instruments[measure_id])
    if "/" in measure:
        payload["limbs"] = [limb for limb in payload["limbs"] if limb["ref"] == measure]
        payload["status"] = payload["limbs"][0]["status"]
    if fmt is OutputFormat.JSON:
        emit_json(payload)
        return
    _print_status(c, snapshot, payload)


def _print_status(c: Context, snapshot: Snapshot, payload: dict[str, Any]) -> None:
    c.console.print(
        Text.assemble(
            (f"{payload['id']} ", "bold"),
            f"as of {snapshot.as_of}: ",
            render.status_text(Status(payload["status"])),
            " (assumed)" if payload["assumed"] else "",
        )
    )
    table = Table("Limb", "Status", "Why", "Rests on")
    for limb in payload["limbs"]:
        rests = "\n".join(
            f"{b['fact']} [{b['verification']}; {', '.join(b['sources'])}]"
            for b in limb["rests_on"]
        )
        table.add_row(limb["id"], render.status_text(Status(limb["status"])), limb["reason"], rests)
    show_table(c.console, table)
    c.console.print(f"rulebook sha256 {snapshot.rulebook_sha256}", style="dim")


@app.command()
def show(
    ctx: typer.Context,
    measure: Annotated[str, typer.Argument(help="Measure id, e.g. CN-2025-61.")],
    as_of: AsOfOpt = None,
    rules_dir: RulesDirOpt = None,
    fmt: FormatOpt = OutputFormat.TABLE,
) -> None:
    """Limbs, statuses, suspensions, items, policies and citations of one measure."""
    c = Context.of(ctx, rules_dir)
    rulebook = c.rulebook()
    measure_id = c.checked_ref(rulebook, measure).partition("/")[0]
    inst = rulebook.instruments[measure_id]
    snapshot = c.snapshot(rulebook, as_of)
    if fmt is OutputFormat.JSON:
        emit_json(_show_json(rulebook, snapshot, inst, c.files.get(inst.id, "")))
        return
    _print_show(c.console, rulebook, snapshot, inst)


def _cited_ids(value: Any) -> set[str]:
    found: set[str] = set()
    if isinstance(value, dict):
        for key, child in value.items():
            if key == "sources" and isinstance(child, list):
                found.update(child)
            else:
                found |= _cited_ids(child)
    elif isinstance(value, list):
        for child in value:
            found |= _cited_ids(child)
    return found


def _show_json(
    rulebook: RuleBook, snapshot: Snapshot, inst: Instrument, file: str
) -> dict[str, Any]:
    data = inst.model_dump(mode="json")
    state = snapshot.measure(inst.id)
    return {
        "instrument": data,
        "file": file,
        "as_of": snapshot.as_of.isoformat(),
        "status": render.measure_json(snapshot, state, inst),
        "applied_by_others": {
            limb.id: [
                {
                    "by": w.by,
                    "action": w.effect.action.value,
                    "starts": w.effect.starts.value.isoformat(),
                    "last_day": None
                    if w.effect.ends is None
                    else w.effect.ends.last_day.isoformat(),
                }
                for w in rulebook.windows_of(f"{inst.id}/{limb.id}")
            ]
            for limb in inst.limbs
        },
        "citations": [
            rulebook.sources[s].model_dump(mode="json") for s in sorted(_cited_ids(data))
        ],
        "rulebook_sha256": snapshot.rulebook_sha256,
    }


def _codes(codes: tuple[Code, ...]) -> str:
    return ", ".join(
        code_value(code) + ("" if isinstance(code, str) else f" [{code.verification}]")
        for code in codes
    )


def _print_show(console: Console, rulebook: RuleBook, snapshot: Snapshot, inst: Instrument) -> None:
    state = snapshot.measure(inst.id)
    head = Text.assemble(
        (inst.title.en, "bold"),
        "\n",
        inst.title.zh or "",
        "\n",
        f"{code_value(inst.number) if inst.number else 'number unknown'} · "
        f"{', '.join(inst.issuers)} · announced "
        f"{inst.announced.value if inst.announced else 'unknown'} · {inst.verification}\n",
        "Status as of ",
        str(snapshot.as_of),
        ": ",
        render.status_text(state.status),
    )
    limbs = Table(
        "Limb", "Status", "Commences", "Ends", "Suspended/terminated by", "Title", title="Limbs"
    )
    for limb, limb_state in zip(inst.limbs, state.limbs, strict=True):
        applied = "; ".join(
            f"{w.by} {w.effect.action} {w.effect.starts.value}"
            + (f"→{w.effect.ends.last_day}" if w.effect.ends else "")
            for w in rulebook.windows_of(limb_state.ref)
        )
        ends = "" if limb.ends is None else f"{limb.ends.last_day} ({limb.ends.after})"
        limbs.add_row(
            limb.id,
            render.status_text(limb_state.status),
            str(limb.commences.value) if limb.commences else "unknown",
            ends,
            applied,
            limb.title,
        )
    console.print(Panel(head, title=inst.id))
    show_table(console, limbs)
    if inst.items:
        items = Table("Item", "Code", "Description", "Customs codes", "Thresholds", title="Items")
        for item in inst.items:
            code = "" if item.control_code is None else _codes((item.control_code,))
            thresholds = "; ".join(
                f"{t.parameter}{'(' + t.element + ')' if t.element else ''} {t.op} "
                f"{t.value if t.value is not None else ','.join(t.values or ())}"
                for t in item.thresholds
            )
            items.add_row(
                item.id, code, item.description.en, _codes(item.customs_codes), thresholds
            )
        show_table(console, items)
    if inst.policies:
        policies = Table("Policy", "Limb", "Outcome", "Applies to", title="Licensing policy")
        for p in inst.policies:
            selectors = [
                f"{name}: {', '.join(str(v) for v in value)}"
                for name, value in (
                    ("destinations", p.destinations),
                    ("end users", p.end_user_types),
                    ("end uses", p.end_uses),
                    ("listed on", p.listed_parties),
                    ("items", p.items),
                )
                if value
            ]
            policies.add_row(p.id, p.limb, p.outcome.value, "\n".join(selectors) or p.scope.value)
        show_table(console, policies)
    cited = sorted(_cited_ids(inst.model_dump(mode="json")))
    console.print(
        Text(
            "Sources:\n"
            + "\n".join(
                f"  {s}: {rulebook.sources[s].title} <{rulebook.sources[s].url}>" for s in cited
            ),
            style="dim",
        ),
        soft_wrap=True,
    )


@app.command()
def check(
    ctx: typer.Context,
    rules_dir: RulesDirOpt = None,
    fmt: FormatOpt = OutputFormat.TABLE,
) -> None:
    """Validate the rulebook; on any error print file, line, field and reason and exit 1."""
    c = Context.of(ctx, rules_dir)
    try:
        loaded = load_rules(c.rules_dir)
    except RuleLoadError as exc:
        if fmt is OutputFormat.JSON:
            emit_json({"ok": False, "errors": [e.__dict__ for e in exc.errors]})
        else:
            for error in exc.errors:
                c.err.print(inert(error), soft_wrap=True)
            c.err.print(f"{len(exc.errors)} error(s); nothing was loaded.", style="bold red")
        raise typer.Exit(1) from None
    rulebook = loaded.rulebook
    payload = {
        "ok": True,
        "instruments": len(rulebook.instruments),
        "sources": len(rulebook.sources),
        "overridden": loaded.overridden,
        "rulebook_sha256": rulebook.sha256,
    }
    if fmt is OutputFormat.JSON:
        emit_json(payload)
        return
    c.console.print(
        f"OK: {payload['instruments']} instruments, {payload['sources']} sources"
        + (f", overriding {', '.join(loaded.overridden)}" if loaded.overridden else "")
    )
    c.console.print(f"rulebook sha256 {rulebook.sha256}", style="dim")


@app.command()
def timeline(
    ctx: typer.Context,
    start: Annotated[
        str | None, typer.Option("--from", help="First day shown (YYYY-MM-DD).")
    ] = None,
    end: Annotated[str | None, typer.Option("--to", help="Last day shown (YYYY-MM-DD).")] = None,
    rules_dir: RulesDirOpt = None,
    fmt: FormatOpt = OutputFormat.TABLE,
) -> None:
    """Every measure and its status windows (in force, suspended, uncertain and so on)."""
    c = Context.of(ctx, rules_dir)
    rulebook = c.rulebook()
    first = c.day(start) if start else date(2023, 1, 1)
    last = c.day(end) if end else c.day(None) + timedelta(days=365)
    if last < first:
        raise typer.BadParameter("--to is before --from")
    windows = {m: measure_windows(rulebook, m) for m in rulebook.instruments}
    if fmt is OutputFormat.JSON:
        emit_json(
            {
                "from": first.isoformat(),
                "to": last.isoformat(),
                "rulebook_sha256": rulebook.sha256,
                "measures": [
                    {"id": m, "windows": render.windows_json(clip(w, first, last))}
                    for m, w in windows.items()
                ],
            }
        )
        return
    cells = _month_cells(first, last)
    table = Table(title=f"Status windows {first} to {last} (one cell per month)")
    table.add_column("Measure", no_wrap=True)
    table.add_column(f"{cells[0]:%Y-%m} to {cells[-1]:%Y-%m}", no_wrap=True)
    table.add_column("Windows")
    for measure_id, measure in windows.items():
        shown = clip(measure, first, last)
        table.add_row(measure_id, render.bar(shown, cells), render.windows_text(shown))
    show_table(c.console, table)
    c.console.print(render.legend())


def _month_cells(first: date, last: date) -> list[date]:
    cells = [first]
    while True:
        nxt = date(cells[-1].year + cells[-1].month // 12, cells[-1].month % 12 + 1, 1)
        if nxt > last:
            return cells
        cells.append(nxt)


@app.command()
def schema(
    output: Annotated[
        Path | None, typer.Option(help="Write to this file instead of stdout.")
    ] = None,
    fmt: Annotated[
        str, typer.Option("--format", "-f", help="Output format (the schema is JSON).")
    ] = "json",
) -> None:
    """Print the JSON Schema of rule files, scenario files and sources.yaml."""
    if fmt != "json":
        raise typer.BadParameter("the schema is only available as json", param_hint="--format")
    models = schema_models()
    roots = models[:1]
    document = {
        **roots[0].model_json_schema(),
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "rarex rule files",
        "description": "Instrument files (rules/instruments/*.yaml); the $defs also describe "
        "sources.yaml (SourceRegistry), scenario files (ScenarioFile) and market figures "
        "(MarketFigure, rules/market/*.yaml).",
    }
    defs = document.setdefault("$defs", {})
    for model in models:
        sub = model.model_json_schema()
        defs.update(sub.pop("$defs", {}))
        defs.setdefault(model.__name__, sub)
    text = json.dumps(document, indent=2, ensure_ascii=False, sort_keys=True) + "\n"
    if output is None:
        typer.echo(text, nl=False)
    else:
        write_atomically(output, text)


@app.command()
def scenarios(
    ctx: typer.Context,
    rules_dir: RulesDirOpt = None,
    fmt: FormatOpt = OutputFormat.TABLE,
) -> None:
    """Run the scenario files (bundled and from --rules-dir); exit 1 if any fails."""
    c = Context.of(ctx, rules_dir)
    rulebook = c.rulebook()
    results = []
    try:
        for path in scenario_files(c.rules_dir):
            for scenario in load_scenarios(path).scenarios:
                mismatches = run_scenario(rulebook, scenario)
                results.append((path.name, scenario.name, scenario.as_of, mismatches))
    except RuleLoadError as exc:
        for error in exc.errors:
            c.err.print(inert(error), soft_wrap=True)
        raise typer.Exit(1) from None
    failed = [r for r in results if r[3]]
    if fmt is OutputFormat.JSON:
        emit_json(
            {
                "passed": len(results) - len(failed),
                "failed": len(failed),
                "failures": [
                    {
                        "file": f,
                        "name": n,
                        "as_of": d.isoformat(),
                        "mismatches": [str(m) for m in ms],
                    }
                    for f, n, d, ms in failed
                ],
                "rulebook_sha256": rulebook.sha256,
            }
        )
    else:
        for file, name, as_of, mismatches in failed:
            c.console.print(inert(f"FAIL {file}: {name} (as of {as_of})", "bold red"))
            for mismatch in mismatches:
                c.console.print(inert(f"  {mismatch}"))
        c.console.print(f"{len(results) - len(failed)} passed, {len(failed)} failed")
    if failed:
        raise typer.Exit(1)
