"""Screening results as JSON-ready documents (the CLI, the API and storage share them)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from rarex.core.ownership import OwnershipFlag
from rarex.core.screening import Change, Decision, Hit, Screening


def decision_document(decision: Decision | None) -> dict[str, Any] | None:
    if decision is None:
        return None
    return {
        "verdict": decision.verdict.value,
        "reason": decision.reason,
        "fingerprint": decision.fingerprint,
        "ref": decision.ref,
    }


def hit_document(hit: Hit) -> dict[str, Any]:
    party = hit.party
    return {
        "list": party.list_id,
        "limb": party.limb,
        "listed_name": party.name,
        "aliases": list(party.aliases),
        "country": party.country,
        "source": party.source,
        "entry_key": party.key,
        "fingerprint": party.fingerprint,
        "citation": party.citation,
        "listing_status": hit.status.value,
        "status_reason": hit.status_reason,
        "score": hit.match.score,
        "matched_alias": hit.match.alias,
        "matcher": hit.match.matcher,
        "threshold": hit.match.threshold,
        "explanation": hit.match.explanation(),
        "suppressed": hit.suppressed,
        "decision": decision_document(hit.decision),
        "earlier_decision_on_changed_entry": decision_document(hit.stale_decision),
    }


def _share(share: Decimal) -> str:
    """A share without trailing zeros ("0.6", "0.54"), whatever precision it was stored at."""
    return format(share.normalize(), "f")


def ownership_document(flag: OwnershipFlag, owner_status: str, basis: str) -> dict[str, Any]:
    return {
        "listed_owner": flag.listed_owner,
        "owner_listing_status": owner_status,
        "share": _share(flag.share),
        "chains": [
            {"parties": list(chain.parties), "share": _share(chain.share)} for chain in flag.chains
        ],
        "why": basis,
    }


def screening_document(screening: Screening) -> dict[str, Any]:
    query = screening.query
    return {
        "query": {
            "name": query.name,
            "country": query.country,
            "identifiers": sorted(query.identifiers),
        },
        "as_of": screening.as_of.isoformat(),
        "open_hits": len(screening.open_hits),
        "hits": [hit_document(h) for h in screening.hits],
        "not_in_force": [hit_document(h) for h in screening.inactive],
        "ownership": [
            ownership_document(
                f, screening.owner_status[f.listed_owner].value, screening.ownership_basis
            )
            for f in screening.ownership
        ],
    }


def change_document(change: Change) -> dict[str, Any]:
    return {
        "party": change.party,
        "party_id": change.party_id,
        "change": change.kind,
        "entry_key": change.entry_key,
        "detail": change.detail,
    }
