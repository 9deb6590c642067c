"""``name_v2``: ``name_v1`` plus acronyms, abbreviations, spelled-out legal forms and a glossary.

What ``name_v1`` misses on the labelled pairs is mostly acronyms ("AIDC" for "Aerospace
Industrial Development Corp."), abbreviations ("Intl", "Tech", "Mfg"), legal forms written out
("Aktiengesellschaft", "Kabushiki Kaisha", "K.K.") and Chinese names against their English
translation. ``name_v2`` starts from ``name_v1``'s normalisation, then

- drops the legal forms of ``LEGAL_PHRASES`` and the ``STOPWORDS``, and folds abbreviations
  and plurals to one word (``CANONICAL_WORDS``), on both names;
- reads a Chinese name also in English where it holds words of the ``GLOSSARY`` (研究所 →
  "institute"), the rest in pinyin, each combination of renderings a further reading;
- scores a name written in capitals ("NUDT", "I.B.M.") that spells the initials of the other
  name's words, stopwords and legal forms optional, at ``ACRONYM_SCORE``: evidence enough to
  review, not a certainty, and below the threshold when the countries differ.

The score is otherwise the best token-order-free similarity over the two names' readings, and
every step shows in the features. ``name_v1`` stays as it was and selectable.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from dataclasses import dataclass, field, replace
from typing import ClassVar

from rapidfuzz import fuzz

from rarex.core.matching import (
    LEGAL_FORMS_LATIN,
    SEPARATORS,
    Comparison,
    Feature,
    Matcher,
    Normalised,
    Readings,
    Script,
    has_cjk,
    normalise,
    token_features,
)
from rarex.core.name_glossary import CANONICAL_WORDS, GLOSSARY, LEGAL_PHRASES, STOPWORDS

MATCHER_V2 = "name_v2"
ACRONYM_SCORE = 0.9
MAX_READINGS = 8  # combinations of glossary renderings tried per name, in glossary order
_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]+")
_LONGEST_GLOSSARY_WORD = max(map(len, GLOSSARY))
_LEGAL_WORDS = LEGAL_FORMS_LATIN | {w for p in LEGAL_PHRASES for w in p if len(w) > 1}


@dataclass(frozen=True)
class NormalisedV2(Normalised):
    readings: tuple[tuple[str, ...], ...] = ()  # canonical tokens; glossary readings after
    glossary: tuple[tuple[str, str], ...] = ()  # (Chinese word, rendering) used by readings
    short: str = ""  # the name as an acronym ("ibm"), if written as one
    initials: frozenset[str] = frozenset()  # acronyms the name's words spell
    notes: tuple[Feature, ...] = ()  # what name_v2 changed, for the explanation


def canonical_tokens(tokens: tuple[str, ...], notes: list[Feature]) -> tuple[str, ...]:
    """Legal phrases and stopwords dropped, abbreviations and plurals folded."""
    kept = list(tokens)
    present = set(kept)
    for phrase in (p for p in LEGAL_PHRASES if p[0] in present):  # removing adds no word
        size = len(phrase)
        i = 0
        while i + size <= len(kept):
            if tuple(kept[i : i + size]) == phrase:
                # single letters ("k k", "a s") only count at the end, where legal forms stand
                if all(len(w) == 1 for w in phrase) and i + size != len(kept):
                    i += 1
                    continue
                notes.append(Feature("legal_form", " ".join(phrase), "", "legal form ignored", 0))
                del kept[i : i + size]
            else:
                i += 1
    result = []
    for token in kept:
        if token in STOPWORDS:
            notes.append(Feature("stopword", token, "", "word ignored", 0.0))
            continue
        canonical = CANONICAL_WORDS.get(token, token)
        if canonical != token:
            notes.append(Feature("abbreviation", token, canonical, "read as one word", 0.0))
        result.append(canonical)
    return tuple(result)


def _acronyms(name: str) -> tuple[str, frozenset[str]]:
    """The name as an acronym (if it is written as one), and the acronyms its words spell."""
    text = unicodedata.normalize("NFKD", unicodedata.normalize("NFKC", name))
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    if has_cjk(text):
        return "", frozenset()
    words = [w for w in SEPARATORS.split(text) if w]
    optional = [w.casefold() in _LEGAL_WORDS or w.casefold() in STOPWORDS for w in words]
    core = [w for w, opt in zip(words, optional, strict=True) if not opt]
    letters = "".join(core)
    written_as_acronym = (
        bool(core)
        and all(w.isascii() and w.isalpha() and w.isupper() for w in core)
        and (len(core) <= 2 or all(len(w) == 1 for w in core))
        and 3 <= len(letters) <= 8
    )
    if written_as_acronym:
        return letters.casefold(), frozenset()
    if len(core) < 2 or not all(w[0].isascii() and w[0].isalnum() for w in words):
        return "", frozenset()
    slots = [i for i, opt in enumerate(optional) if opt]
    choices = (
        itertools.product((False, True), repeat=len(slots))
        if len(slots) <= 4
        else iter(((False,) * len(slots), (True,) * len(slots)))
    )
    initials = set()
    for choice in choices:
        taken = dict(zip(slots, choice, strict=True))
        spelled = "".join(
            w[0].casefold() for i, w in enumerate(words) if not optional[i] or taken[i]
        )
        if len(spelled) >= 3:
            initials.add(spelled)
    return "", frozenset(initials)


def _glossary_readings(
    cjk: str, latin: tuple[str, ...], script: Script
) -> tuple[list[tuple[str, ...]], list[tuple[str, str]]]:
    """English readings of a Chinese name: glossary words rendered, the rest in pinyin."""
    segments: list[tuple[str, ...]] = []  # renderings of each segment
    used: list[tuple[str, str]] = []
    run = ""
    i = 0
    while i < len(cjk):
        word = next(
            (
                cjk[i : i + size]
                for size in range(min(_LONGEST_GLOSSARY_WORD, len(cjk) - i), 0, -1)
                if cjk[i : i + size] in GLOSSARY
            ),
            "",
        )
        if not word:
            run += cjk[i]
            i += 1
            continue
        if run:
            segments.append(("".join(script.pinyin(run)),))
            run = ""
        segments.append(GLOSSARY[word])
        used.append((word, GLOSSARY[word][0]))
        i += len(word)
    if not used:
        return [], []
    if run:
        segments.append(("".join(script.pinyin(run)),))
    readings = []
    for choice in itertools.islice(itertools.product(*segments), MAX_READINGS):
        words = tuple(w for part in choice for w in part.split())
        tokens = canonical_tokens(words + latin, [])
        if tokens:
            readings.append(tokens)
    return readings, used


def normalise_v2(name: str, script: Script) -> NormalisedV2:
    base = normalise(name, script)
    notes: list[Feature] = []
    readings = [canonical_tokens(base.tokens, notes)]
    used: list[tuple[str, str]] = []
    if base.cjk:
        # Latin letters written next to characters ("IHI宇航") are words of their own here
        latin = tuple(
            t
            for t in SEPARATORS.split(_CJK.sub(" ", unicodedata.normalize("NFKC", name)).casefold())
            if t and t not in LEGAL_FORMS_LATIN
        )
        syllables = "".join(script.pinyin(base.cjk))
        base = replace(base, tokens=(syllables, *latin) if syllables else latin)
        extra, used = _glossary_readings(base.cjk, latin, script)
        readings += [r for r in extra if r not in readings]
    short, initials = _acronyms(name)
    return NormalisedV2(
        base.original,
        readings[0],
        base.cjk,
        base.removed,
        base.steps,
        tuple(r for r in readings if r),
        tuple(used),
        short,
        initials,
        tuple(dict.fromkeys(notes)),
    )


def _acronym_feature(a: NormalisedV2, b: NormalisedV2) -> Feature | None:
    if a.short and a.short in b.initials:
        return Feature(
            "acronym", a.original, b.original, "initials of the other name", ACRONYM_SCORE
        )
    if b.short and b.short in a.initials:
        return Feature("acronym", a.original, b.original, "initials of this name", ACRONYM_SCORE)
    return None


def compare_v2(a: NormalisedV2, b: NormalisedV2) -> Comparison:
    """Similarity of two names in [0, 1] under ``name_v2``, with the features behind it."""
    features: list[Feature] = [
        Feature("normalised", a.original, b.original, step, 0.0) for step in (*a.steps, *b.steps)
    ]
    features += [Feature("legal_form", f, "", "legal-form word ignored", 0.0) for f in a.removed]
    features += [Feature("legal_form", "", f, "legal-form word ignored", 0.0) for f in b.removed]
    features += [*a.notes, *b.notes]
    if a.cjk and b.cjk:
        ratio = fuzz.ratio(a.cjk, b.cjk) / 100
        how = "identical characters" if a.cjk == b.cjk else f"characters {ratio:.0%} alike"
        features.append(Feature("characters", a.cjk, b.cjk, how, ratio))
        return Comparison(ratio, b.original, tuple(features))
    best: tuple[float, bool, int, int] | None = None
    for i, left in enumerate(a.readings):
        for j, right in enumerate(b.readings):
            sort = fuzz.token_sort_ratio(" ".join(left), " ".join(right)) / 100
            joined = fuzz.ratio("".join(left), "".join(right)) / 100
            if best is None or max(sort, joined) > best[0]:
                best = (max(sort, joined), sort >= joined, i, j)
    score = 0.0
    if best is not None:
        score, by_sort, i, j = best
        left, right = a.readings[i], b.readings[j]
        for side, word, rendering in (
            *(("query", w, r) for w, r in a.glossary if i > 0),
            *(("candidate", w, r) for w, r in b.glossary if j > 0),
        ):
            query, candidate = (word, rendering) if side == "query" else (rendering, word)
            features.append(Feature("glossary", query, candidate, "Chinese word read", 0.0))
        features.extend(token_features(left, right))
        if a.cjk or b.cjk:
            how = "Chinese read in English and pinyin" if i or j else "Chinese read as pinyin"
            features.append(Feature("script", " ".join(left), " ".join(right), how, score))
        features.append(
            Feature(
                "similarity",
                " ".join(left),
                " ".join(right),
                "token order ignored" if by_sort else "spacing ignored",
                score,
            )
        )
    acronym = _acronym_feature(a, b)
    if acronym is not None and score < ACRONYM_SCORE:
        score = ACRONYM_SCORE
        features.append(acronym)
    return Comparison(score, b.original, tuple(features))


@dataclass
class MatcherV2(Matcher):
    """``name_v2``: ``Matcher`` with the readings above; ``match`` is inherited unchanged."""

    name: ClassVar[str] = MATCHER_V2
    _cache_v2: dict[str, NormalisedV2] = field(default_factory=dict)

    def norm(self, name: str) -> NormalisedV2:
        cached = self._cache_v2.get(name)
        if cached is None:
            cached = self._cache_v2[name] = normalise_v2(name, self.script)
        return cached

    def compare_names(self, a: str, b: str) -> Comparison:
        return compare_v2(self.norm(a), self.norm(b))

    def readings(self, name: str) -> Readings:
        n = self.norm(name)
        return Readings(
            n.cjk,
            tuple(dict.fromkeys(" ".join(sorted(r)) for r in n.readings)),
            tuple(dict.fromkeys("".join(r) for r in n.readings)),
            n.short,
            n.initials,
        )
