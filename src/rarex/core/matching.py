"""Name matching for party screening, versioned: ``name_v1``.

A name is normalised (Unicode width, case, punctuation, legal-form words in English and
Chinese), Chinese script is folded to simplified characters and also read as pinyin, and
the two names are compared token by token regardless of order. The score is the best over
the candidate's aliases; country is a supporting signal and identifiers match exactly.
Every score comes with the features it was made of, so a reviewer can see why.

Script conversion is passed in (``Script``), so this module stays pure: the adapter in
``rarex.io.script`` reads OpenCC's and pypinyin's dictionaries.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import ClassVar, Protocol

from rapidfuzz import fuzz

MATCHER = "name_v1"
DEFAULT_THRESHOLD = 0.88

LEGAL_FORMS_LATIN = frozenset(
    """inc incorporated corp corporation co company ltd limited llc lp llp plc gmbh ag sa
    sas spa srl bv nv kk pte pty oy ab as jsc pjsc ojsc oao zao the group holdings
    holding jituan gongsi youxian youxiangongsi gufen""".split()  # noqa: SIM905
)
# longest first, so that 股份有限公司 is removed before 有限公司 and 公司
LEGAL_FORMS_CJK = (
    "股份有限公司",
    "有限责任公司",
    "有限公司",
    "集团公司",
    "株式会社",
    "集团",
    "公司",
)
SEPARATORS = re.compile(r"[\s\W_·・•]+", re.UNICODE)


class Script(Protocol):
    def simplified(self, text: str) -> str:
        """Traditional Chinese folded to simplified characters."""

    def pinyin(self, text: str) -> list[str]:
        """Toneless pinyin syllables of the Chinese characters in ``text``."""


def has_cjk(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" or "\u3400" <= ch <= "\u4dbf" for ch in text)


@dataclass(frozen=True)
class Normalised:
    original: str
    tokens: tuple[str, ...]  # Latin tokens (for CJK names: pinyin syllables joined per word)
    cjk: str  # simplified CJK characters without legal forms ("" for Latin names)
    removed: tuple[str, ...]  # legal-form words taken out
    steps: tuple[str, ...]  # what normalisation did, for the explanation


def normalise(name: str, script: Script) -> Normalised:
    steps: list[str] = []
    text = unicodedata.normalize("NFKC", name)
    if text != name:
        steps.append("width and compatibility forms folded (NFKC)")
    removed: list[str] = []
    cjk = ""
    if has_cjk(text):
        simple = script.simplified(text)
        if simple != text:
            steps.append("traditional characters folded to simplified")
        text = simple
        for form in LEGAL_FORMS_CJK:
            if form in text:
                text = text.replace(form, " ")
                removed.append(form)
        cjk = "".join(ch for ch in text if has_cjk(ch))
        syllables = script.pinyin(cjk)
        latin_rest = [t for t in SEPARATORS.split(text.casefold()) if t and not has_cjk(t)]
        tokens = ["".join(syllables)] if syllables else []
        tokens += [t for t in latin_rest if t not in LEGAL_FORMS_LATIN]
        steps.append("read as pinyin: " + " ".join(syllables))
    else:
        folded = "".join(
            ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch)
        )
        if folded != text:
            steps.append("diacritics removed")
            text = folded
        raw = [t for t in SEPARATORS.split(text.casefold()) if t]
        tokens = []
        for token in raw:
            if token in LEGAL_FORMS_LATIN:
                removed.append(token)
            else:
                tokens.append(token)
        if text.casefold() != text:
            steps.append("case folded")
    return Normalised(name, tuple(tokens), cjk, tuple(removed), tuple(steps))


@dataclass(frozen=True)
class Feature:
    """One piece of evidence: what in the query met what in the candidate, and how."""

    feature: str
    query: str
    candidate: str
    how: str
    weight: float


@dataclass(frozen=True)
class Comparison:
    score: float
    alias: str
    features: tuple[Feature, ...]


@dataclass(frozen=True)
class Candidate:
    """A listed party as the matcher sees it."""

    name: str
    aliases: tuple[str, ...] = ()
    country: str | None = None
    identifiers: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Query:
    name: str
    country: str | None = None
    identifiers: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Match:
    score: float
    is_match: bool
    alias: str
    features: tuple[Feature, ...]
    matcher: str = MATCHER
    threshold: float = DEFAULT_THRESHOLD

    def explanation(self) -> list[dict[str, object]]:
        return [
            {
                "feature": f.feature,
                "query": f.query,
                "candidate": f.candidate,
                "how": f.how,
                "weight": round(f.weight, 4),
            }
            for f in self.features
        ]


@dataclass(frozen=True)
class Readings:
    """The strings a matcher scores a name by, so that an index can find every match.

    Contract: when both names have characters (``cjk``), their similarity is the
    ``fuzz.ratio`` of the characters; otherwise it is at most the best ``fuzz.ratio`` between
    two ``sorted_forms`` or two ``joined_forms``. Either way an acronym can lift it: the
    ``short`` form of one name among the ``initials`` of the other (a fixed score).
    """

    cjk: str
    sorted_forms: tuple[str, ...]
    joined_forms: tuple[str, ...]
    short: str = ""
    initials: frozenset[str] = frozenset()


@dataclass
class Matcher:
    """``name_v1``: compare a query with candidates; normalisations are cached."""

    name: ClassVar[str] = MATCHER
    script: Script
    threshold: float = DEFAULT_THRESHOLD
    _cache: dict[str, Normalised] = field(default_factory=dict)

    def norm(self, name: str) -> Normalised:
        cached = self._cache.get(name)
        if cached is None:
            cached = normalise(name, self.script)
            self._cache[name] = cached
        return cached

    def compare_names(self, a: str, b: str) -> Comparison:
        return compare(self.norm(a), self.norm(b))

    def readings(self, name: str) -> Readings:
        """What ``compare`` scores ``name`` by: its characters, token-sorted and joined forms."""
        n = self.norm(name)
        if not n.tokens:
            return Readings(n.cjk, (), ())
        return Readings(n.cjk, (" ".join(sorted(n.tokens)),), ("".join(n.tokens),))

    def match(self, query: Query, candidate: Candidate) -> Match:
        shared_ids = query.identifiers & candidate.identifiers
        if shared_ids:
            ident = sorted(shared_ids)[0]
            feature = Feature("identifier", ident, ident, "identical identifier", 1.0)
            return Match(1.0, True, candidate.name, (feature,), self.name, threshold=self.threshold)
        best: Comparison | None = None
        for alias in (candidate.name, *candidate.aliases):
            result = self.compare_names(query.name, alias)
            if best is None or result.score > best.score:
                best = result
        assert best is not None
        score = best.score
        features = list(best.features)
        if query.country and candidate.country:
            if query.country == candidate.country:
                score = min(1.0, score + 0.02)
                features.append(
                    Feature(
                        "country",
                        query.country,
                        candidate.country,
                        "same country (supporting)",
                        0.02,
                    )
                )
            else:
                score = max(0.0, score - 0.08)
                features.append(
                    Feature(
                        "country",
                        query.country,
                        candidate.country,
                        "different country (against)",
                        -0.08,
                    )
                )
        return Match(
            round(score, 4),
            score >= self.threshold,
            best.alias,
            tuple(features),
            self.name,
            threshold=self.threshold,
        )


def compare(a: Normalised, b: Normalised) -> Comparison:
    """Similarity of two normalised names in [0, 1], with the features behind it."""
    features: list[Feature] = [
        Feature("normalised", a.original, b.original, step, 0.0) for step in (*a.steps, *b.steps)
    ]
    for form in a.removed:
        features.append(Feature("legal_form", form, "", "legal-form word ignored", 0.0))
    for form in b.removed:
        features.append(Feature("legal_form", "", form, "legal-form word ignored", 0.0))
    if a.cjk and b.cjk:
        ratio = fuzz.ratio(a.cjk, b.cjk) / 100
        how = "identical characters" if a.cjk == b.cjk else f"characters {ratio:.0%} alike"
        features.append(Feature("characters", a.cjk, b.cjk, how, ratio))
        return Comparison(ratio, b.original, tuple(features))
    left, right = " ".join(a.tokens), " ".join(b.tokens)
    if not left or not right:
        return Comparison(0.0, b.original, tuple(features))
    # token order does not matter; compare the joined forms too, so that "Lockheed Martin"
    # meets pinyin written as one word or as syllables
    sort = fuzz.token_sort_ratio(left, right) / 100
    joined = fuzz.ratio(left.replace(" ", ""), right.replace(" ", "")) / 100
    score = max(sort, joined)
    features.extend(token_features(a.tokens, b.tokens))
    if a.cjk or b.cjk:
        features.append(
            Feature("script", left, right, "Chinese read as pinyin against Latin", score)
        )
    features.append(
        Feature(
            "similarity",
            left,
            right,
            "token order ignored" if sort >= joined else "spacing ignored",
            score,
        )
    )
    return Comparison(score, b.original, tuple(features))


def token_features(query: Sequence[str], candidate: Sequence[str]) -> Iterable[Feature]:
    for token in query:
        if token in candidate:
            yield Feature("token", token, token, "exact", 1.0)
            continue
        container = next((other for other in candidate if len(token) > 1 and token in other), "")
        if container:
            yield Feature("token", token, container, "found inside the joined reading", 1.0)
            continue
        best = max(candidate, key=lambda other: fuzz.ratio(token, other), default="")
        ratio = fuzz.ratio(token, best) / 100 if best else 0.0
        if ratio >= 0.8:
            yield Feature("token", token, best, f"fuzzy ({ratio:.0%})", ratio)
        else:
            yield Feature("token", token, "", "no counterpart", 0.0)
