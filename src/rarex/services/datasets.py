"""Versioned parts and BOMs, and stored assessments that can be replayed.

An import stores every validated row; importing under the same name again adds a version, so
an old assessment still points at exactly the data it was made from.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterator, Sequence
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from rarex.core.assess import Assessment, AssessmentError, assess
from rarex.core.parts import BOM_COLUMNS, PART_COLUMNS, Dataset, Part
from rarex.core.rulebook import RuleBook
from rarex.core.verdict import Shipment
from rarex.core.vocab import EndUse, EndUserType, Status
from rarex.core.workflow import Role
from rarex.io.importers import InputInvalid, build_dataset, load_dataset
from rarex.io.limits import DEFAULT_LIMITS, ImportLimits
from rarex.io.storage import repositories as repo
from rarex.io.storage.tables import AssessmentRow, BomLine, DatasetVersion, PartRow
from rarex.reports.serialise import assessment_document
from rarex.services.accounts import Actor
from rarex.services.errors import Forbidden, Invalid, NotFoundError

ANALYSTS = frozenset({Role.ANALYST, Role.ADMIN})


def part_record(part: Part) -> dict[str, Any]:
    """A part as the row it was imported from (strings, exactly as validated)."""
    return {
        "part_id": part.part_id,
        "description": part.description,
        "unit_value": "" if part.unit_value is None else str(part.unit_value),
        "currency": part.currency or "",
        "origin": part.origin or "",
        "control_code": part.control_code or "",
        "hs_code": part.hs_code or "",
        "form": part.form.value if part.form else "",
        "elements": ";".join(f"{k}:{v}" for k, v in part.elements.items()),
        "attributes": ";".join(f"{k}={v}" for k, v in part.attributes.items()),
        "tech_origin": part.tech_origin or "",
        **dict(part.extra),
    }


class DatasetService:
    def __init__(self, session: Session, actor: Actor, now: Callable[[], datetime]) -> None:
        self.session = session
        self.actor = actor
        self.now = now

    def _require(self, what: str) -> None:
        if self.actor.role not in ANALYSTS:
            raise Forbidden("forbidden_role", f"role {self.actor.role.value} may not {what}")

    def import_files(
        self, name: str, *, limits: ImportLimits = DEFAULT_LIMITS, **files: Path | None
    ) -> DatasetVersion:
        """Validate and store a new version; ``InputInvalid`` leaves nothing behind."""
        self._require("import data")
        dataset = load_dataset(**files, limits=limits)
        records = [part_record(p) for p in dataset.parts]
        edges = [
            (dataset.parts[int(p)].part_id, dataset.parts[int(c)].part_id, float(q))
            for p, c, q in zip(
                dataset.bom.parent, dataset.bom.child, dataset.bom.quantity, strict=True
            )
        ]
        digest = hashlib.sha256(
            json.dumps({"parts": records, "bom": edges}, sort_keys=True).encode()
        ).hexdigest()
        latest = self.session.scalar(
            select(func.max(DatasetVersion.version)).where(
                DatasetVersion.org_id == self.actor.org_id, DatasetVersion.name == name
            )
        )
        version = DatasetVersion(
            org_id=self.actor.org_id,
            name=name,
            version=(latest or 0) + 1,
            source=dataset.source,
            sha256=digest,
            part_count=len(records),
            edge_count=len(edges),
            created_by=self.actor.user_id,
            created_at=self.now(),
        )
        self.session.add(version)
        self.session.flush()
        self.session.add_all(
            PartRow(version_id=version.id, position=i, part_id=r["part_id"], data=r)
            for i, r in enumerate(records)
        )
        self.session.add_all(
            BomLine(version_id=version.id, parent_id=p, child_id=c, quantity=Decimal(str(q)))
            for p, c, q in edges
        )
        self.session.flush()
        repo.AuditLog(self.session, self.actor.org_id).append(
            at=self.now(),
            actor=self.actor.email,
            action="dataset.imported",
            entity="dataset",
            entity_id=str(version.id),
            before=None,
            after={"name": name, "version": version.version, "sha256": digest},
            rulebook_sha256="",
        )
        return version

    def versions(self) -> Sequence[DatasetVersion]:
        return self.session.scalars(
            select(DatasetVersion)
            .where(DatasetVersion.org_id == self.actor.org_id)
            .order_by(DatasetVersion.name, DatasetVersion.version)
        ).all()

    def page(self, after: int, limit: int) -> Sequence[DatasetVersion]:
        """At most ``limit`` versions with ids above ``after``, in id order."""
        return self.session.scalars(
            select(DatasetVersion)
            .where(DatasetVersion.org_id == self.actor.org_id, DatasetVersion.id > after)
            .order_by(DatasetVersion.id)
            .limit(limit)
        ).all()

    def version(self, version_id: int) -> DatasetVersion:
        row = self.session.scalar(
            select(DatasetVersion).where(
                DatasetVersion.id == version_id, DatasetVersion.org_id == self.actor.org_id
            )
        )
        if row is None:
            raise NotFoundError("not_found", f"no dataset version {version_id}")
        return row

    def parts(self, version_id: int) -> list[dict[str, Any]]:
        self.version(version_id)
        return [
            r.data
            for r in self.session.scalars(
                select(PartRow).where(PartRow.version_id == version_id).order_by(PartRow.position)
            )
        ]

    def bom(self, version_id: int) -> list[dict[str, Any]]:
        self.version(version_id)
        return [
            {"parent_id": b.parent_id, "child_id": b.child_id, "quantity": str(b.quantity)}
            for b in self.session.scalars(
                select(BomLine).where(BomLine.version_id == version_id).order_by(BomLine.id)
            )
        ]

    def dataset(self, version_id: int) -> Dataset:
        version = self.version(version_id)
        parts = self.parts(version_id)
        bom = self.bom(version_id)
        header = sorted({k for r in parts for k in r} | set(PART_COLUMNS))
        source = f"{version.name} v{version.version}"
        return build_dataset(
            (source, header, _rows(parts)), (source + " bom", list(BOM_COLUMNS), _rows(bom)), source
        )

    def assess(
        self,
        version_id: int,
        rulebook: RuleBook,
        as_of: date,
        shipment: Shipment,
        products: list[str] | None,
        assumptions: dict[str, Status],
    ) -> AssessmentRow:
        self._require("run assessments")
        try:
            result = assess(
                rulebook,
                self.dataset(version_id),
                as_of,
                shipment,
                products=products,
                assumptions=assumptions,
            )
        except (AssessmentError, InputInvalid) as exc:
            raise Invalid("assessment_refused", str(exc)) from None
        document = assessment_document(result, rulebook)
        row = AssessmentRow(
            org_id=self.actor.org_id,
            version_id=version_id,
            as_of=as_of,
            options={
                "shipment": document["shipment"],
                "products": products,
                "assumptions": document["assumptions"],
            },
            rulebook_sha256=rulebook.sha256,
            result=document,
            created_by=self.actor.user_id,
            created_at=self.now(),
        )
        self.session.add(row)
        self.session.flush()
        repo.AuditLog(self.session, self.actor.org_id).append(
            at=self.now(),
            actor=self.actor.email,
            action="assessment.run",
            entity="assessment",
            entity_id=str(row.id),
            before=None,
            after={
                "version_id": version_id,
                "as_of": as_of.isoformat(),
                "outcomes": {r["part_id"]: r["outcome"] for r in document["results"]},
            },
            rulebook_sha256=rulebook.sha256,
        )
        return row

    def rerun(
        self, assessment_id: int, rulebook: RuleBook, as_of: date | None = None
    ) -> Assessment:
        """A stored assessment's data and options run again, on its own day or on ``as_of``.
        Nothing is stored: this answers "what would it have said on that day"."""
        row = self.assessment(assessment_id)
        shipment, assumptions = stored_options(row)
        return assess(
            rulebook,
            self.dataset(row.version_id),
            as_of or row.as_of,
            shipment,
            products=row.options["products"],
            assumptions=assumptions,
        )

    def assessments(self) -> Sequence[AssessmentRow]:
        """Every stored assessment of the organisation, newest first."""
        return self.session.scalars(
            select(AssessmentRow)
            .where(AssessmentRow.org_id == self.actor.org_id)
            .order_by(AssessmentRow.id.desc())
        ).all()

    def replay(self, assessment_id: int, rulebook: RuleBook) -> dict[str, Any]:
        """Run a stored assessment again on its own data version and options."""
        row = self.assessment(assessment_id)
        result = self.rerun(assessment_id, rulebook)
        document = assessment_document(result, rulebook)
        same = [(r["part_id"], r["outcome"], r["worst_case_outcome"]) for r in document["results"]]
        before = [
            (r["part_id"], r["outcome"], r["worst_case_outcome"]) for r in row.result["results"]
        ]
        return {
            "assessment_id": row.id,
            "rulebook_sha256_then": row.rulebook_sha256,
            "rulebook_sha256_now": rulebook.sha256,
            "rulebook_changed": row.rulebook_sha256 != rulebook.sha256,
            "same_outcomes": same == before,
            "result": document,
        }

    def assessment(self, assessment_id: int) -> AssessmentRow:
        row = self.session.scalar(
            select(AssessmentRow).where(
                AssessmentRow.id == assessment_id, AssessmentRow.org_id == self.actor.org_id
            )
        )
        if row is None:
            raise NotFoundError("not_found", f"no assessment {assessment_id}")
        return row


def stored_options(row: AssessmentRow) -> tuple[Shipment, dict[str, Status]]:
    """The shipment and what-if assumptions a stored assessment was run with."""
    shipment = Shipment(
        **{
            **row.options["shipment"],
            "end_user_type": EndUserType(row.options["shipment"]["end_user_type"]),
            "end_use": EndUse(row.options["shipment"]["end_use"]),
        }
    )
    return shipment, {k: Status(v) for k, v in row.options["assumptions"].items()}


def _rows(records: list[dict[str, Any]]) -> Iterator[tuple[int, dict[str, Any]]]:
    return ((i + 2, r) for i, r in enumerate(records))
