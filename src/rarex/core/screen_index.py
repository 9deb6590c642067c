"""Screen many names against a list fast, with exactly the results of brute force.

``ScreeningIndex`` finds every candidate that ``Matcher.match`` would flag, and scores only
those with the matcher itself, so scores and explanations are the matcher's own. Candidates
come from lossless filters over the strings the matcher scores by (``Matcher.readings``):

- identifiers and acronyms by exact lookup (a shared identifier scores 1.0; an acronym is
  decided by set membership, so a lookup finds every one);
- every other path of both matchers scores ``fuzz.ratio`` between two strings of one kind:
  ``2 * LCS / (|a| + |b|)``, rapidfuzz's normalised Indel similarity. A score ``s >= t``
  needs ``LCS >= t * n / 2`` with ``n = |a| + |b|``. Pad both strings with one sentinel on
  each side: a longest common subsequence then has ``L + 2`` characters, and each run of
  deleted characters breaks at most one of its bigrams, so the two padded strings share at
  least ``3 * L - n + 1`` bigrams, counted with multiplicity (the q-gram lemma for Indel
  distance, q = 2). Numbering repeated bigrams turns the multiset into a set, and the prefix
  filter (sort every set by one global order, rarest first; two sets sharing ``tau``
  elements share one within their first ``|set| - tau + 1``) then finds every pair with
  ``s >= t``, each side using the smallest ``tau`` its length allows;
- the country adjustment lifts a score by at most +0.02, so the filter uses
  ``threshold - 0.02`` when the query has a country, and the exact threshold otherwise.

If the threshold is so low that a bound cannot prune (``tau <= 0``), the affected strings are
compared with every string of their kind, so the result stays exact.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from rapidfuzz import fuzz

from rarex.core.matching import Candidate, Match, Matcher, Query

COUNTRY_LIFT = 0.02  # the most a same-country adjustment adds (``Matcher.match``)
_EPS = 1e-9  # float slack: the filters may keep a borderline pair, never drop one
_PAD_START, _PAD_END = "\x02", "\x03"  # cannot occur in a normalised name
_CHUNK = 1000


def _grams(text: str) -> list[str]:
    """Numbered bigrams of the padded string: a set whose overlap is the multiset overlap."""
    padded = _PAD_START + text + _PAD_END
    seen: Counter[str] = Counter()
    grams = []
    for i in range(len(padded) - 1):
        gram = padded[i : i + 2]
        k = seen[gram]
        seen[gram] = k + 1
        grams.append(gram if k == 0 else f"{gram}\x00{k}")
    return grams


def min_shared_grams(len_a: int, len_b: int, threshold: float) -> int | None:
    """Fewest shared numbered bigrams two strings need for ``fuzz.ratio >= threshold``.

    ``None`` if the lengths alone rule the pair out.
    """
    n = len_a + len_b
    lcs = max(0, math.ceil(threshold * n / 2 - _EPS))
    if lcs > min(len_a, len_b):
        return None
    return 3 * lcs - n + 1


def _min_tau(length: int, threshold: float) -> int:
    """The smallest shared-bigram bound over every partner length that could reach the threshold."""
    if threshold <= 0:
        return 0
    upper = math.ceil(length * (2 - threshold) / threshold) + 2
    taus = [
        tau
        for other in range(1, upper + 1)
        if (tau := min_shared_grams(length, other, threshold)) is not None
    ]
    return min(taus, default=length + 2)  # nothing can reach it: any prefix of size <= 0


@dataclass
class _Space:
    """One kind of string (characters, token-sorted, joined) with its prefix index."""

    threshold: float  # the lowest effective threshold any query can have
    owners: list[int] = field(default_factory=list)
    strings: list[str] = field(default_factory=list)
    postings: dict[int, list[int]] = field(default_factory=dict)
    always: list[int] = field(default_factory=list)  # strings no prefix can exclude
    rank: dict[str, int] = field(default_factory=dict)
    _tau: dict[tuple[int, float], int] = field(default_factory=dict)

    def add(self, owner: int, text: str) -> None:
        self.owners.append(owner)
        self.strings.append(text)

    def build(self) -> None:
        grams = [_grams(s) for s in self.strings]
        frequency = Counter(g for entry in grams for g in entry)
        order = sorted(frequency, key=lambda g: (frequency[g], g))
        self.rank = {g: r for r, g in enumerate(order)}
        for entry, (text, entry_grams) in enumerate(zip(self.strings, grams, strict=True)):
            size = len(entry_grams) - self.tau(len(text), self.threshold) + 1
            if size > len(entry_grams):
                self.always.append(entry)
                continue
            for r in sorted(self.rank[g] for g in entry_grams)[: max(size, 0)]:
                self.postings.setdefault(r, []).append(entry)

    def tau(self, length: int, threshold: float) -> int:
        key = (length, threshold)
        cached = self._tau.get(key)
        if cached is None:
            cached = self._tau[key] = _min_tau(length, threshold)
        return cached

    def candidates(self, text: str, threshold: float) -> set[int]:
        """Entries that may reach ``threshold`` against ``text`` (a superset, never fewer)."""
        query_grams = _grams(text)
        size = len(query_grams) - self.tau(len(text), threshold) + 1
        if size > len(query_grams):
            return set(range(len(self.strings)))
        found = set(self.always)
        ranks = sorted(self.rank.get(g, -1) for g in query_grams)[: max(size, 0)]
        for r in ranks:
            found.update(self.postings.get(r, ()))
        return found

    def owners_reaching(self, texts: Sequence[str], threshold: float, out: set[int]) -> None:
        """Add the owner of every entry whose ratio with one of ``texts`` reaches the threshold."""
        cutoff = max(0.0, threshold * 100 - 1e-6)
        for text in texts:
            for entry in self.candidates(text, threshold):
                owner = self.owners[entry]
                if owner in out:
                    continue
                if cutoff <= 0 or fuzz.ratio(text, self.strings[entry], score_cutoff=cutoff):
                    out.add(owner)


class ScreeningIndex:
    """Every candidate a matcher flags for a query, found without comparing against all."""

    def __init__(self, matcher: Matcher, candidates: Sequence[Candidate]) -> None:
        self.matcher = matcher
        self.candidates = list(candidates)
        floor = matcher.threshold - COUNTRY_LIFT - _EPS
        self._brute = floor <= 0  # every name could match: nothing to prune
        self._cjk, self._sorted, self._joined = _Space(floor), _Space(floor), _Space(floor)
        self._ids: dict[str, list[int]] = {}
        self._short: dict[str, list[int]] = {}
        self._initials: dict[str, list[int]] = {}
        for index, candidate in enumerate(self.candidates):
            for ident in candidate.identifiers:
                self._ids.setdefault(ident, []).append(index)
            for alias in dict.fromkeys((candidate.name, *candidate.aliases)):
                readings = matcher.readings(alias)
                if readings.cjk:
                    self._cjk.add(index, readings.cjk)
                for text in readings.sorted_forms:
                    self._sorted.add(index, text)
                for text in readings.joined_forms:
                    self._joined.add(index, text)
                if readings.short:
                    self._short.setdefault(readings.short, []).append(index)
                for key in readings.initials:
                    self._initials.setdefault(key, []).append(index)
        for space in (self._cjk, self._sorted, self._joined):
            space.build()

    def _generate(self, query: Query) -> set[int]:
        if self._brute:
            return set(range(len(self.candidates)))
        found: set[int] = set()
        for ident in query.identifiers:
            found.update(self._ids.get(ident, ()))
        threshold = self.matcher.threshold - (COUNTRY_LIFT if query.country else 0.0) - _EPS
        readings = self.matcher.readings(query.name)
        if readings.cjk:
            self._cjk.owners_reaching((readings.cjk,), threshold, found)
        self._sorted.owners_reaching(readings.sorted_forms, threshold, found)
        self._joined.owners_reaching(readings.joined_forms, threshold, found)
        if readings.short:
            found.update(self._initials.get(readings.short, ()))
        for key in readings.initials:
            found.update(self._short.get(key, ()))
        return found

    def search(self, query: Query) -> list[tuple[int, Match]]:
        """Every candidate whose match is_match, as (index into candidates, Match), best score first."""
        hits = []
        for index in self._generate(query):
            match = self.matcher.match(query, self.candidates[index])
            if match.is_match:
                hits.append((index, match))
        hits.sort(key=lambda hit: (-hit[1].score, hit[0]))
        return hits

    def search_many(
        self, queries: Sequence[Query], progress: Callable[[int], None] | None = None
    ) -> list[list[tuple[int, Match]]]:
        """``search`` for each query, in order; ``progress`` gets the number screened since its last call."""
        results = []
        for start in range(0, len(queries), _CHUNK):
            chunk = queries[start : start + _CHUNK]
            results.extend(self.search(query) for query in chunk)
            if progress is not None:
                progress(len(chunk))
        return results
