"""The stored assessments replayed as of any day: which products need a licence then, and which
answers depend on measures whose status is uncertain. Read-only: nothing is stored."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date

from rarex.core.assess import Assessment
from rarex.core.rulebook import RuleBook
from rarex.core.verdict import ProductResult, Shipment, Verdict
from rarex.io.storage.tables import AssessmentRow, DatasetVersion
from rarex.services.datasets import DatasetService, stored_options


@dataclass(frozen=True)
class ProductAnswer:
    """One product's answer on the day: the outcome counts measures in force, the worst case
    also those whose status is uncertain."""

    part_id: str
    description: str
    outcome: Verdict
    worst_case: Verdict
    drivers: tuple[str, ...]
    uncertain_drivers: tuple[str, ...]

    @property
    def depends_on_uncertain(self) -> bool:
        return self.outcome is not self.worst_case

    @property
    def needs_licence(self) -> bool:
        return self.outcome is not Verdict.NO_LICENCE_REQUIRED


@dataclass(frozen=True)
class AssessedDataset:
    """The newest stored assessment of one data set, run again as of ``as_of``."""

    assessment_id: int
    dataset: DatasetVersion
    shipment: Shipment
    stored_as_of: date
    as_of: date
    answers: tuple[ProductAnswer, ...]


def answer_of(result: ProductResult) -> ProductAnswer:
    now = tuple(sorted({f.ref for f in result.drivers()}))
    worst = tuple(sorted({f.ref for f in result.drivers(worst=True)} - set(now)))
    return ProductAnswer(
        result.part_id,
        result.description,
        result.outcome,
        result.worst_case_outcome,
        now,
        worst if result.worst_case_outcome is not result.outcome else (),
    )


def latest_assessments(datasets: DatasetService) -> list[AssessmentRow]:
    """The newest stored assessment of each data set name and set of options (shipment,
    products, assumptions): one per question the organisation has asked."""
    seen: set[str] = set()
    rows = []
    for row in datasets.assessments():
        key = json.dumps([datasets.version(row.version_id).name, row.options], sort_keys=True)
        if key not in seen:
            seen.add(key)
            rows.append(row)
    return sorted(rows, key=lambda r: (datasets.version(r.version_id).name, r.id))


def as_of(datasets: DatasetService, rulebook: RuleBook, day: date) -> list[AssessedDataset]:
    """Every data set's newest stored assessment, run again as of ``day``."""
    out = []
    for row in latest_assessments(datasets):
        result: Assessment = datasets.rerun(row.id, rulebook, day)
        out.append(
            AssessedDataset(
                row.id,
                datasets.version(row.version_id),
                stored_options(row)[0],
                row.as_of,
                day,
                tuple(answer_of(r) for r in result.results),
            )
        )
    return out
