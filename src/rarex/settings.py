"""Settings, built once at the entry point and passed in (environment prefix ``RAREX_``)."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


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
