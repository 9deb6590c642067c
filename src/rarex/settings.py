"""Settings, built once at the entry point and passed in (environment prefix ``RAREX_``)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from rarex.clock import Clock
from rarex.io.limits import CSV_FIELD_CHARS, DEFAULT_LIMITS, ImportLimits


class Settings(BaseSettings):
    """Runtime settings. Every field can be set as ``RAREX_<NAME>`` in the environment."""

    model_config = SettingsConfigDict(env_prefix="RAREX_", extra="ignore")

    rules_dir: Path | None = Field(
        default=None,
        description="An extra rules directory merged over the bundled rulebook.",
    )
    database_url: str = Field(
        default="sqlite:///./rarex.db",
        description="SQLAlchemy URL of the database; PostgreSQL: postgresql+psycopg://…",
    )
    secret_key: SecretStr | None = Field(
        default=None,
        description="Signs session cookies; at least 32 characters. Required by the server "
        "except in the demo, which makes a random one per run.",
    )
    audit_key: SecretStr | None = Field(
        default=None,
        description="Keys the audit trail's hash chain (HMAC-SHA256) and signs its checkpoints; "
        "at least 32 characters, kept outside the database and its backups. Required by the "
        "server except in the demo, which makes one per run.",
    )
    max_request_bytes: int = Field(
        default=25 * 1024 * 1024, description="Largest request body the server accepts."
    )
    session_hours: int = Field(default=12, description="How long a login session lasts.")
    behind_tls: bool = Field(
        default=False,
        description="The server is reached over HTTPS (directly or through a proxy): session "
        "cookies are Secure and responses carry HSTS.",
    )
    trusted_proxies: str = Field(
        default="127.0.0.1",
        description="Comma-separated addresses of proxies whose X-Forwarded-For and "
        "X-Forwarded-Proto headers `rarex serve` trusts.",
    )
    today: date | None = Field(
        default=None,
        description="Pin the day answers are given for (YYYY-MM-DD), for demos and tests. "
        "Default: the system clock's day.",
    )
    matcher: str = Field(
        default="name_v1",
        description="The name matcher the server screens with (name_v1 or name_v2).",
    )

    import_max_rows: int = Field(
        default=DEFAULT_LIMITS.max_rows,
        gt=0,
        description="Most data rows an imported file, sheet or JSON list may have.",
    )
    import_max_cell_chars: int = Field(
        default=DEFAULT_LIMITS.max_cell_chars,
        gt=0,
        le=CSV_FIELD_CHARS,
        description="Most characters one imported value may have (Excel's own cell limit).",
    )
    import_max_workbook_bytes: int = Field(
        default=DEFAULT_LIMITS.max_workbook_bytes,
        gt=0,
        description="Most bytes an imported .xlsx workbook may unpack to.",
    )
    import_max_compression_ratio: int = Field(
        default=DEFAULT_LIMITS.max_compression_ratio,
        gt=0,
        description="Most a part of an imported workbook may be compressed (unpacked size "
        "to packed size); a zip bomb goes far beyond.",
    )
    import_max_sheet_cells: int = Field(
        default=DEFAULT_LIMITS.max_sheet_cells,
        gt=0,
        description="Most cells one sheet of an imported workbook may have.",
    )

    def import_limits(self) -> ImportLimits:
        """The importers' limits, passed down by the entry points."""
        return ImportLimits(
            max_rows=self.import_max_rows,
            max_cell_chars=self.import_max_cell_chars,
            max_workbook_bytes=self.import_max_workbook_bytes,
            max_compression_ratio=self.import_max_compression_ratio,
            max_sheet_cells=self.import_max_sheet_cells,
        )

    def clock(self) -> Clock:
        """The clock the entry points pass down: pinned to ``today`` when it is set."""
        return Clock(self.today)
