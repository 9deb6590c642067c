"""The assessment as a JSON-ready document (the contract other tools read).

JSON has no NaN or infinity: the document never holds one (a non-finite figure is ``null``).
"""

from __future__ import annotations

import math
from typing import Any

from rarex.core.assess import Assessment
from rarex.core.rulebook import RuleBook
from rarex.core.verdict import Finding, ProductResult


def finite(value: Any) -> Any:
    """``value`` with every NaN or infinite float, however deep, made ``None``."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: finite(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [finite(v) for v in value]
    return value


def assessment_document(assessment: Assessment, rulebook: RuleBook) -> dict[str, Any]:
    """``{"as_of", "rulebook": {"sha256"}, "assumptions", "results": [...]}`` and context."""
    document: dict[str, Any] = finite(_document(assessment, rulebook))
    return document


def _document(assessment: Assessment, rulebook: RuleBook) -> dict[str, Any]:
    shipment = assessment.shipment
    return {
        "as_of": assessment.as_of.isoformat(),
        "rulebook": {"sha256": assessment.rulebook_sha256},
        "assumptions": {k: v.value for k, v in assessment.assumptions.items()},
        "shipment": {
            "export_from": shipment.export_from,
            "destination": shipment.destination,
            "end_user": shipment.end_user,
            "end_user_type": shipment.end_user_type.value,
            "end_use": shipment.end_use.value,
        },
        "source": assessment.source,
        "currency": assessment.currency,
        "listing_hits": [
            {
                "list": hit.list_id,
                "listing": hit.limb,
                "status": hit.status.value,
                "listed_name": hit.listed_name,
                "match": hit.how,
                "announcement": hit.announcement,
            }
            for hit in assessment.listing_hits
        ],
        "results": [result_document(r, assessment, rulebook) for r in assessment.results],
    }


def result_document(
    result: ProductResult, assessment: Assessment, rulebook: RuleBook
) -> dict[str, Any]:
    classification = assessment.classifications.get(result.part_id)
    return {
        "part_id": result.part_id,
        "description": result.description,
        "outcome": result.outcome.value,
        "worst_case_outcome": result.worst_case_outcome.value,
        "content_share": result.content_share,
        "content": {
            "value_per_unit": result.content_value,
            "currency": assessment.currency,
            "by_input_item": dict(result.content_by_item),
            "by_element": dict(result.content_by_element),
            "china_technology": result.china_technology,
        },
        "unknown_inputs": list(result.unknown_inputs),
        "classification": [
            {
                "item": m.ref,
                "control_code": m.control_code,
                "certainty": m.certainty.value,
                "route": m.route.value,
                "reason": m.reason,
                "verification": m.verification.value,
            }
            for m in (classification.matches if classification else ())
        ],
        "findings": [finding_document(f, rulebook) for f in result.findings],
    }


def finding_document(finding: Finding, rulebook: RuleBook) -> dict[str, Any]:
    return {
        "measure": finding.measure,
        "limb": finding.limb,
        "status": finding.status.value,
        "outcome": finding.outcome.value,
        "content_share": finding.content_share,
        "threshold": finding.threshold,
        "paths": [list(path) for path in finding.paths],
        "explanation": finding.explanation,
        "verification": finding.verification.value,
        "citations": [
            {
                "measure": finding.measure,
                "limb": finding.limb,
                "source": source_id,
                "title": rulebook.sources[source_id].title,
                "url": rulebook.sources[source_id].url,
            }
            for source_id in finding.citations
            if source_id in rulebook.sources
        ],
    }
