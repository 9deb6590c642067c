"""Request and response bodies of the HTTP API (separate from tables and domain objects)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from rarex.core.licences import LicenceType
from rarex.core.vocab import EndUse, EndUserType, Status
from rarex.core.workflow import Action, PauseReason


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


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
    destination: str = Field(pattern=r"^[A-Z]{2}$")
    watch_listed: bool = False


class ApplicationEdit(Body):
    version: int = Field(ge=1, description="The version the change is based on (optimistic lock).")
    exporter: str | None = Field(default=None, min_length=1, max_length=300)
    consignee: str | None = Field(default=None, min_length=1, max_length=300)
    watch_listed: bool | None = None


class ItemIn(Body):
    version: int | None = Field(default=None, ge=1)
    part_id: str = Field(min_length=1, max_length=200)
    description: str = Field(default="", max_length=500)
    control_code: str | None = Field(default=None, max_length=40)
    quantity: Decimal = Field(gt=0)
    value: Decimal = Field(ge=0)


class TransitionIn(Body):
    action: Action
    on: date
    version: int | None = Field(default=None, ge=1)
    pause_reason: PauseReason | None = None


class LicenceIn(Body):
    number: str = Field(min_length=1, max_length=100)
    licence_type: LicenceType
    valid_from: date
    valid_until: date
    quantity: Decimal = Field(ge=0)
    value: Decimal = Field(ge=0)
    end_users: list[str] = Field(min_length=1)


class ShipmentIn(Body):
    shipped_on: date
    quantity: Decimal = Field(gt=0)
    value: Decimal = Field(ge=0)
    report: dict[str, Any] = Field(default_factory=dict)


class PartyIn(Body):
    name: str = Field(min_length=1, max_length=300)
    country: str | None = Field(default=None, pattern=r"^[A-Z]{2}$")
    kind: str = Field(default="end_user", pattern=r"^(exporter|consignee|end_user|other)$")
    identifiers: dict[str, str] = Field(default_factory=dict)


class AssessmentIn(Body):
    version_id: int = Field(ge=1)
    as_of: date
    export_from: str | None = Field(default=None, pattern=r"^[A-Z]{2}$")
    destination: str | None = Field(default=None, pattern=r"^[A-Z]{2}$")
    end_user: str | None = Field(default=None, max_length=300)
    end_user_type: EndUserType = EndUserType.UNKNOWN
    end_use: EndUse = EndUse.UNKNOWN
    products: list[str] | None = None
    assume: dict[str, Status] = Field(default_factory=dict)


class AmendmentIn(Body):
    changes: dict[str, str] = Field(min_length=1)
    on: date


class AmendmentDecisionIn(Body):
    approve: bool
    on: date
