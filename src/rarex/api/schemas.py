"""Request and response bodies of the HTTP API (separate from tables and domain objects)."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import Annotated, Any

from fastapi import Path
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictBool,
    model_validator,
)

from rarex.core.licences import LicenceType
from rarex.core.vocab import EndUse, EndUserType, Status
from rarex.core.workdays import check_day
from rarex.core.workflow import Action, PauseReason
from rarex.io.importers import COUNTRIES

ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
MAX_ID = 2**31 - 1  # the largest id an INTEGER column holds on PostgreSQL


def _iso_day(value: Any) -> Any:
    """Only a YYYY-MM-DD string (or a date) is a day: ``0`` is not 1970-01-01."""
    if isinstance(value, date) or (isinstance(value, str) and ISO_DAY.fullmatch(value)):
        return value
    raise ValueError("expected a date as YYYY-MM-DD")


def _country(value: str) -> str:
    if value not in COUNTRIES:
        raise ValueError(f"{value!r} is not an ISO 3166-1 alpha-2 country code")
    return value


Day = Annotated[date, BeforeValidator(_iso_day), AfterValidator(check_day)]
Country = Annotated[str, Field(pattern=r"^[A-Z]{2}$"), AfterValidator(_country)]
# Numeric(20, 6) and Numeric(30, 6) columns: a larger figure is refused here, not by the database.
Money = Annotated[Decimal, Field(ge=0, max_digits=20, decimal_places=6)]
Quantity = Annotated[Decimal, Field(max_digits=30, decimal_places=6)]
Id = Annotated[int, Path(ge=1, le=MAX_ID, description="A positive id.")]


def _has_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, list | tuple):
        return any(_has_nul(v) for v in value)
    return False


def no_nul(value: str) -> str:
    """Text holds no NUL character: PostgreSQL cannot store one, and no name needs one."""
    if "\x00" in value:
        raise ValueError("text may not contain a NUL character")
    return value


Text = Annotated[str, AfterValidator(no_nul)]


class Body(BaseModel):
    """A JSON request body: unknown fields are refused, and so is a NUL in any text."""

    model_config = ConfigDict(extra="forbid")

    @model_validator(mode="before")
    @classmethod
    def _no_nul(cls, data: Any) -> Any:
        if isinstance(data, dict):
            for key, value in data.items():
                if _has_nul(key) or _has_nul(value):
                    raise ValueError(f"{key}: text may not contain a NUL character")
        return data


class Login(Body):
    email: str = Field(min_length=3, max_length=254)
    password: str = Field(min_length=1, max_length=500)


class TokenRequest(Body):
    label: str = Field(min_length=1, max_length=200)


class ApplicationIn(Body):
    reference: str = Field(min_length=1, max_length=100)
    exporter: str = Field(min_length=1, max_length=300)
    consignee: str = Field(min_length=1, max_length=300)
    end_user: str = Field(min_length=1, max_length=300)
    end_use: EndUse
    destination: Country
    watch_listed: StrictBool = False


class ApplicationEdit(Body):
    version: int = Field(
        ge=1, le=MAX_ID, description="The version the change is based on (optimistic lock)."
    )
    exporter: str | None = Field(default=None, min_length=1, max_length=300)
    consignee: str | None = Field(default=None, min_length=1, max_length=300)
    watch_listed: StrictBool | None = None


class ItemIn(Body):
    version: int | None = Field(default=None, ge=1, le=MAX_ID)
    part_id: str = Field(min_length=1, max_length=200)
    description: str = Field(default="", max_length=500)
    control_code: str | None = Field(default=None, max_length=40)
    quantity: Quantity = Field(gt=0)
    value: Money


class TransitionIn(Body):
    action: Action
    on: Day
    version: int | None = Field(default=None, ge=1, le=MAX_ID)
    pause_reason: PauseReason | None = None


class LicenceIn(Body):
    number: str = Field(min_length=1, max_length=100)
    licence_type: LicenceType
    valid_from: Day
    valid_until: Day
    quantity: Quantity = Field(ge=0)
    value: Money
    end_users: list[str] = Field(min_length=1)


class ShipmentIn(Body):
    shipped_on: Day
    quantity: Quantity = Field(gt=0)
    value: Money
    report: dict[str, Any] = Field(default_factory=dict)


class PartyIn(Body):
    name: str = Field(min_length=1, max_length=300)
    country: Country | None = None
    kind: str = Field(default="end_user", pattern=r"^(exporter|consignee|end_user|other)$")
    identifiers: dict[str, str] = Field(default_factory=dict)


class AssessmentIn(Body):
    version_id: int = Field(ge=1, le=MAX_ID)
    as_of: Day
    export_from: Country | None = None
    destination: Country | None = None
    end_user: str | None = Field(default=None, max_length=300)
    end_user_type: EndUserType = EndUserType.UNKNOWN
    end_use: EndUse = EndUse.UNKNOWN
    products: list[str] | None = None
    assume: dict[str, Status] = Field(default_factory=dict)


class AmendmentIn(Body):
    changes: dict[str, str] = Field(min_length=1)
    on: Day


class AmendmentDecisionIn(Body):
    approve: StrictBool
    on: Day
