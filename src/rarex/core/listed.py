"""Exact and normalised end-user checks against the entity lists, as of a date.

This is the plain check the assessment needs: the same name after case, width, punctuation
and legal-form normalisation. Fuzzy, transliterated and ownership-aware screening builds on
it elsewhere.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from rarex.core.matching import Candidate, Matcher, Query
from rarex.core.rulebook import RuleBook, Snapshot
from rarex.core.vocab import InstrumentKind, Status

LEGAL_FORMS = (
    "incorporated",
    "inc",
    "corporation",
    "corp",
    "company",
    "co",
    "limited",
    "ltd",
    "llc",
    "lp",
    "llp",
    "plc",
    "gmbh",
    "ag",
    "sa",
    "nv",
    "bv",
    "kk",
    "pte",
    "pty",
    "the",
    "股份有限公司",
    "有限责任公司",
    "有限公司",
    "株式会社",
    "公司",
)
_PUNCTUATION = re.compile(r"[\W_]+", re.UNICODE)


def normalise_name(name: str) -> str:
    """Case-folded, width-folded, punctuation-free name without legal-form words."""
    text = unicodedata.normalize("NFKC", name).casefold()
    for form in LEGAL_FORMS:
        if not form.isascii():
            text = text.replace(form, " ")
    tokens = [t for t in _PUNCTUATION.split(text) if t and t not in LEGAL_FORMS]
    return " ".join(tokens)


@dataclass(frozen=True)
class ListingHit:
    """The end user's name equals a listed party's name (after normalisation)."""

    list_id: str
    limb: str
    status: Status
    listed_name: str
    how: str  # "exact", "normalised", or the matcher's name and score
    announcement: str | None

    @property
    def ref(self) -> str:
        return f"{self.list_id}/{self.limb}"


def find_listings(
    rulebook: RuleBook, snapshot: Snapshot, name: str, matcher: Matcher | None = None
) -> list[ListingHit]:
    """Every listing naming ``name``, with the listing's status as of the snapshot.

    Exact and normalised names always count; with a ``matcher`` (``name_v1``) a fuzzy,
    transliterated or other-script match at its threshold counts too, with its score.
    """
    wanted = normalise_name(name)
    hits = []
    for inst in rulebook.instruments.values():
        if inst.kind is not InstrumentKind.ENTITY_LIST:
            continue
        for limb in inst.limbs:
            for entity in limb.entities:
                names = [
                    entity.name,
                    *entity.aliases,
                    *([entity.name_zh] if entity.name_zh else []),
                ]
                how = ""
                if name.strip() in names:
                    how = "exact"
                elif wanted and wanted in {normalise_name(n) for n in names}:
                    how = "normalised"
                elif matcher is not None:
                    match = matcher.match(
                        Query(name), Candidate(names[0], tuple(names[1:]), entity.country)
                    )
                    if match.is_match:
                        how = f"{match.matcher} score {match.score:.2f} (alias {match.alias!r})"
                if how:
                    status = snapshot.limb(f"{inst.id}/{limb.id}").status
                    hits.append(
                        ListingHit(inst.id, limb.id, status, entity.name, how, limb.announcement)
                    )
    return hits


def listed_on(hits: list[ListingHit], statuses: tuple[Status, ...]) -> set[str]:
    """The entity lists with a hit whose listing has one of ``statuses``."""
    return {hit.list_id for hit in hits if hit.status in statuses}
