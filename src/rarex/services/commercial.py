"""Sales and inventory stored per dataset version, for the exposure analysis.

An upload is checked against the dataset version it belongs to by the strict importers of
``io/commercial.py``: a bad row in either file refuses both, and nothing is stored. Uploads are
added, never edited; the newest upload of each kind is the one the exposure uses, so an older
answer can still be traced to the file it came from.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from pathlib import Path
from typing import TypeVar

from sqlalchemy import select

from rarex.core.exposure import Sales, Stock
from rarex.core.exposure_analysis import Commercial
from rarex.core.parts import Dataset
from rarex.io.commercial import load_inventory, load_sales, part_facts
from rarex.io.importers import InputError, InputInvalid
from rarex.io.limits import DEFAULT_LIMITS, ImportLimits
from rarex.io.storage import repositories as repo
from rarex.io.storage.tables import CommercialUpload, InventoryRow, SalesRow, User
from rarex.services.datasets import ANALYSTS, DatasetService
from rarex.services.errors import Forbidden

_T = TypeVar("_T")


class Kind(StrEnum):
    SALES = "sales"
    INVENTORY = "inventory"


@dataclass(frozen=True)
class Upload:
    """Where the stored facts of one kind came from."""

    kind: Kind
    file_name: str
    rows: int
    sha256: str
    uploaded_at: datetime
    uploaded_by: str


@dataclass(frozen=True)
class StoredFacts:
    """The facts in use for a dataset version; ``None`` when no file of that kind was stored."""

    version_id: int
    sales: dict[str, Sales] | None
    stock: dict[str, Stock] | None
    uploads: tuple[Upload, ...]

    def commercial(self, dataset: Dataset) -> Commercial:
        """With the optional part columns, as ``services.exposure.load_commercial`` does:
        a stored sales row replaces the part columns' figures for the same product."""
        facts = part_facts(dataset)
        sold = {**facts.sales, **(self.sales or {})}
        return Commercial(
            sales=sold, stock=dict(self.stock or {}), masses=facts.masses, plants=facts.plants
        )


class CommercialService:
    """Store and read the commercial facts of the organisation's dataset versions."""

    def __init__(self, datasets: DatasetService, now: Callable[[], datetime]) -> None:
        self.datasets = datasets
        self.session = datasets.session
        self.actor = datasets.actor
        self.now = now

    def import_files(
        self,
        version_id: int,
        *,
        sales: Path | None = None,
        inventory: Path | None = None,
        limits: ImportLimits = DEFAULT_LIMITS,
    ) -> list[CommercialUpload]:
        """Validate the given files against the version's parts, then store them.

        Raises ``InputInvalid`` with the errors of both files; nothing is stored then.
        """
        if self.actor.role not in ANALYSTS:
            raise Forbidden("forbidden_role", f"role {self.actor.role.value} may not import data")
        dataset = self.datasets.dataset(version_id)
        errors: list[InputError] = []
        truncated = False

        def checked(
            path: Path | None, read: Callable[[Path, Dataset, ImportLimits], _T]
        ) -> _T | None:
            nonlocal truncated
            if path is None:
                return None
            try:
                return read(path, dataset, limits)
            except InputInvalid as exc:
                errors.extend(exc.errors)
                truncated |= exc.truncated
            return None

        sold = checked(sales, load_sales)
        stock = checked(inventory, load_inventory)
        if errors:
            raise InputInvalid(errors, truncated)
        stored = []
        if sales is not None and sold is not None:
            upload = self._upload(version_id, Kind.SALES, sales, len(sold))
            self.session.add_all(
                SalesRow(
                    upload_id=upload.id,
                    position=i,
                    product_id=product,
                    annual_volume=Decimal(str(s.volume)),
                    annual_revenue=Decimal(str(s.revenue)),
                    currency=s.currency,
                )
                for i, (product, s) in enumerate(sold.items())
            )
            stored.append(upload)
        if inventory is not None and stock is not None:
            upload = self._upload(version_id, Kind.INVENTORY, inventory, len(stock))
            self.session.add_all(
                InventoryRow(
                    upload_id=upload.id,
                    position=i,
                    part_id=part,
                    on_hand=Decimal(str(s.on_hand)),
                    monthly_usage=None
                    if s.monthly_usage is None
                    else Decimal(str(s.monthly_usage)),
                )
                for i, (part, s) in enumerate(stock.items())
            )
            stored.append(upload)
        self.session.flush()
        return stored

    def _upload(self, version_id: int, kind: Kind, path: Path, rows: int) -> CommercialUpload:
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        upload = CommercialUpload(
            org_id=self.actor.org_id,
            version_id=version_id,
            kind=kind.value,
            file_name=path.name,
            sha256=digest,
            row_count=rows,
            uploaded_by=self.actor.user_id,
            uploaded_at=self.now(),
        )
        self.session.add(upload)
        self.session.flush()
        repo.AuditLog(self.session, self.actor.org_id).append(
            at=self.now(),
            actor=self.actor.email,
            action=f"{kind.value}.imported",
            entity="dataset",
            entity_id=str(version_id),
            before=None,
            after={"file": path.name, "rows": rows, "sha256": digest, "upload_id": upload.id},
            rulebook_sha256="",
        )
        return upload

    def stored(self, version_id: int) -> StoredFacts:
        """The newest sales and inventory uploads of a version, as the exposure reads them."""
        self.datasets.version(version_id)  # the organisation's own, or NotFoundError
        newest: dict[Kind, tuple[CommercialUpload, str]] = {}
        rows = self.session.execute(
            select(CommercialUpload, User.email)
            .join(User, User.id == CommercialUpload.uploaded_by)
            .where(
                CommercialUpload.version_id == version_id,
                CommercialUpload.org_id == self.actor.org_id,
            )
            .order_by(CommercialUpload.id)
        ).all()
        for upload, email in rows:
            newest[Kind(upload.kind)] = (upload, email)
        sales = stock = None
        if Kind.SALES in newest:
            sales = {
                r.product_id: Sales(float(r.annual_volume), float(r.annual_revenue), r.currency)
                for r in self.session.scalars(
                    select(SalesRow)
                    .where(SalesRow.upload_id == newest[Kind.SALES][0].id)
                    .order_by(SalesRow.position)
                )
            }
        if Kind.INVENTORY in newest:
            stock = {
                r.part_id: Stock(
                    float(r.on_hand),
                    None if r.monthly_usage is None else float(r.monthly_usage),
                )
                for r in self.session.scalars(
                    select(InventoryRow)
                    .where(InventoryRow.upload_id == newest[Kind.INVENTORY][0].id)
                    .order_by(InventoryRow.position)
                )
            }
        uploads = tuple(
            Upload(kind, u.file_name, u.row_count, u.sha256, u.uploaded_at, email)
            for kind, (u, email) in sorted(newest.items())
        )
        return StoredFacts(version_id, sales, stock, uploads)
