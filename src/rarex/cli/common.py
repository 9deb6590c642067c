"""Shared CLI plumbing: options, the per-invocation context, JSON output and error exits."""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console

from rarex.cli.safe import inert
from rarex.clock import Clock
from rarex.core.rulebook import RuleBook, Snapshot, UnknownReference
from rarex.core.vocab import Status
from rarex.core.workdays import check_day
from rarex.io.rule_loader import RuleLoadError, load_rules
from rarex.settings import Settings

if TYPE_CHECKING:
    from rarex.core.audit import AuditKey


class OutputFormat(StrEnum):
    TABLE = "table"
    JSON = "json"


FormatOpt = Annotated[
    OutputFormat, typer.Option("--format", "-f", help="Output format.", case_sensitive=False)
]
AsOfOpt = Annotated[
    str | None, typer.Option("--as-of", help="Date of the answer (YYYY-MM-DD). Default: today.")
]
AssumeOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--assume",
        help="Override a status for what-if work: ID=STATUS or ID/LIMB=STATUS. Repeatable.",
    ),
]
RulesDirOpt = Annotated[
    Path | None,
    typer.Option(
        "--rules-dir",
        help="Extra rules directory merged over the bundled rules (env RAREX_RULES_DIR).",
    ),
]


@dataclass
class Context:
    """What one command invocation needs: settings, the clock, consoles and the rulebook."""

    settings: Settings
    rules_dir: Path | None
    clock: Clock
    console: Console = field(default_factory=Console)
    err: Console = field(default_factory=lambda: Console(stderr=True))
    files: dict[str, str] = field(default_factory=dict)

    @classmethod
    def of(cls, ctx: typer.Context, rules_dir: Path | None) -> Context:
        settings = ctx.obj if isinstance(ctx.obj, Settings) else Settings()
        return cls(
            settings=settings, rules_dir=rules_dir or settings.rules_dir, clock=settings.clock()
        )

    def rulebook(self) -> RuleBook:
        """Load the rulebook or exit 1 with every error (file, line, field, reason)."""
        try:
            loaded = load_rules(self.rules_dir)
        except RuleLoadError as exc:
            for error in exc.errors:
                self.err.print(inert(error), soft_wrap=True)
            self.err.print("The rulebook is invalid; run `rarex rules check`.", style="bold red")
            raise typer.Exit(1) from None
        self.files = loaded.files
        return loaded.rulebook

    def day(self, text: str | None) -> date:
        """Parse a YYYY-MM-DD option; without one, the clock's day (``RAREX_TODAY`` pins it)."""
        if text is None:
            return self.clock.today()
        try:
            day = date.fromisoformat(text)
        except ValueError:
            raise typer.BadParameter(f"{text!r} is not a date (YYYY-MM-DD)") from None
        try:
            return check_day(day)
        except ValueError as exc:
            raise typer.BadParameter(str(exc)) from None

    def snapshot(
        self, rulebook: RuleBook, as_of: str | None, assume: list[str] | None = None
    ) -> Snapshot:
        """The rulebook as of the ``--as-of`` day with the ``--assume`` overrides."""
        day = self.day(as_of)
        assumptions = parse_assumptions(assume)
        try:
            return rulebook.at(day, assumptions)
        except UnknownReference as exc:
            self.err.print(inert(f"Error: --assume names an {exc}", "bold red"))
            raise typer.Exit(2) from None

    def workspace_url(self) -> str:
        """The settings' database URL once the database is there and migrated; otherwise exit 2
        naming the database and what to run. The check creates nothing."""
        from rarex.io.storage.db import DatabaseNotReady, check_ready

        url = self.settings.database_url
        try:
            check_ready(url)
        except DatabaseNotReady as exc:
            self.err.print(inert(f"Error: {exc}", "bold red"), soft_wrap=True)
            self.err.print(
                "The demo (`make demo`) keeps its workspace in rarex-demo/rarex-demo.db: "
                "RAREX_DATABASE_URL=sqlite:///rarex-demo/rarex-demo.db",
                markup=False,
                highlight=False,
                soft_wrap=True,
            )
            raise typer.Exit(2) from None
        return url

    def audit_key(self, required: str | None = None) -> AuditKey | None:
        """``RAREX_AUDIT_KEY`` as the audit chain's key; exit 2 if it is too short, or if it is
        missing and ``required`` says what it is needed for."""
        from rarex.core.audit import AuditKey

        secret = self.settings.audit_key
        if secret is None:
            if required is None:
                return None
            self.err.print(f"Error: set RAREX_AUDIT_KEY: {required}", style="bold red")
            raise typer.Exit(2)
        try:
            return AuditKey(secret.get_secret_value())
        except ValueError as exc:
            self.err.print(f"Error: RAREX_AUDIT_KEY: {exc}", style="bold red")
            raise typer.Exit(2) from None

    def checked_ref(self, rulebook: RuleBook, ref: str) -> str:
        try:
            rulebook.resolve_ref(ref)
        except UnknownReference as exc:
            self.err.print(inert(f"Error: {exc}", "bold red"))
            raise typer.Exit(2) from None
        return ref


def parse_assumptions(values: list[str] | None) -> dict[str, Status]:
    """``["CN-2025-61=in_force"]`` → ``{"CN-2025-61": Status.IN_FORCE}``."""
    result: dict[str, Status] = {}
    for value in values or []:
        ref, sep, status = value.partition("=")
        if not sep or not ref:
            raise typer.BadParameter(f"{value!r}: expected ID=STATUS", param_hint="--assume")
        try:
            result[ref.strip()] = Status(status.strip())
        except ValueError:
            allowed = ", ".join(s.value for s in Status)
            raise typer.BadParameter(
                f"{value!r}: unknown status {status!r} (one of {allowed})", param_hint="--assume"
            ) from None
    return result


def json_text(document: Any) -> str:
    """``document`` as JSON text; a NaN or infinite number raises ``ValueError`` instead of
    being written as the ``NaN``/``Infinity`` that JSON readers reject."""
    return json.dumps(document, indent=2, ensure_ascii=False, allow_nan=False, default=str)


def emit_json(payload: Any) -> None:
    """Print a document as JSON; a NaN or infinite number is refused (``ValueError``), never
    printed as invalid JSON."""
    text = json_text(payload)  # before anything is written: a refusal prints nothing
    sys.stdout.write(text + "\n")
