"""Screen many names against a list fast, with exactly the results of brute force.

``ScreeningIndex`` finds every candidate that ``Matcher.match`` would flag, and scores only
those with the matcher itself, so scores and explanations are the matcher's own. Candidates
come from the strings the matcher scores by (``Matcher.readings``), never from a guess:

- identifiers and acronyms by exact lookup (a shared identifier scores 1.0; an acronym is
  decided by set membership, so a lookup finds every one);
- every other path of both matchers scores ``fuzz.ratio`` between two strings of one kind
  (characters, token-sorted form, joined form) and takes the best. So a candidate can match
  only if one of its strings reaches the threshold against one of the query's strings of the
  same kind. The index computes exactly that, for a block of queries against every string of
  the list at once, with ``rapidfuzz.process.cdist`` and a score cutoff: compiled code on all
  cores, which skips a pair as soon as the lengths alone rule it out;
- the country adjustment lifts a score by at most +0.02, so a query with a country is
  compared at ``threshold - 0.02`` and the matcher decides.

A q-gram index (a bigram prefix filter with the bound of the q-gram lemma for the Indel
similarity) is lossless too, but at the default threshold it keeps about a quarter of a list
of Latin names as candidates and, run in Python, is slower than the compiled comparison of
every pair; benchmarks/README.md has the figures.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
from rapidfuzz import fuzz, process

from rarex.core.matching import Candidate, Match, Matcher, Query

COUNTRY_LIFT = 0.02  # the most a same-country adjustment adds (``Matcher.match``)
_SLACK = 1e-6  # on rapidfuzz's 0-100 scale: a borderline pair may be kept, never dropped
BLOCK = 2048  # queries compared at once at most: 2,048 x 25,000 strings is 51 MB of scores
_SCORE_BYTES = 64_000_000  # fewer queries at once for longer lists, so memory stays bounded


@dataclass
class _Space:
    """The list's strings of one kind, each with the index of the candidate it belongs to."""

    owners: list[int] = field(default_factory=list)
    strings: list[str] = field(default_factory=list)

    def add(self, owner: int, text: str) -> None:
        self.owners.append(owner)
        self.strings.append(text)

    def reaching(
        self, texts: list[str], rows: list[int], cutoff: float, found: list[set[int]]
    ) -> None:
        """Add to ``found[row]`` each candidate with a string reaching ``cutoff`` against it."""
        if not texts or not self.strings or cutoff > 100:  # above 100 no name can reach it
            return
        # a score at or above a cutoff of 1 or more stays non-zero when truncated to a byte
        scores = process.cdist(
            texts,
            self.strings,
            scorer=fuzz.ratio,
            score_cutoff=cutoff,
            dtype=np.uint8 if cutoff >= 1 else np.float32,
            workers=-1,
        )
        for i in np.flatnonzero(scores.any(axis=1)):  # most rows have no hit at all
            found[rows[i]].update(self.owners[j] for j in np.flatnonzero(scores[i]))


class ScreeningIndex:
    """Every candidate a matcher flags for a query, scored by the matcher and by nothing else."""

    def __init__(self, matcher: Matcher, candidates: Sequence[Candidate]) -> None:
        self.matcher = matcher
        self.candidates = list(candidates)
        # token forms of names with characters (``_sorted_cjk``...) only meet Latin queries:
        # two names with characters are compared by their characters alone
        self._cjk = _Space()
        self._sorted, self._joined = _Space(), _Space()
        self._sorted_cjk, self._joined_cjk = _Space(), _Space()
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
                sorted_space, joined_space = (
                    (self._sorted_cjk, self._joined_cjk)
                    if readings.cjk
                    else (self._sorted, self._joined)
                )
                for text in readings.sorted_forms:
                    sorted_space.add(index, text)
                for text in readings.joined_forms:
                    joined_space.add(index, text)
                if readings.short:
                    self._short.setdefault(readings.short, []).append(index)
                for key in readings.initials:
                    self._initials.setdefault(key, []).append(index)

        largest = max(len(space.strings) for space in self._spaces())
        self._block = max(16, min(BLOCK, _SCORE_BYTES // max(largest, 1)))

    def _spaces(self) -> tuple[_Space, ...]:
        return (self._cjk, self._sorted, self._joined, self._sorted_cjk, self._joined_cjk)

    def _generate(self, queries: Sequence[Query]) -> list[set[int]]:
        """For each query, a superset of the candidates the matcher flags."""
        found: list[set[int]] = [set() for _ in queries]
        everyone = range(len(self.candidates))
        # (space, cutoff) -> the query strings to compare and the query each belongs to
        work: dict[tuple[int, float], tuple[list[str], list[int]]] = {}
        for row, query in enumerate(queries):
            for ident in query.identifiers:
                found[row].update(self._ids.get(ident, ()))
            floor = self.matcher.threshold - (COUNTRY_LIFT if query.country else 0.0)
            cutoff = floor * 100 - _SLACK
            if cutoff <= 0:  # every name reaches it, even with a score of 0
                found[row].update(everyone)
                continue
            readings = self.matcher.readings(query.name)
            latin = not readings.cjk
            for space, texts in (
                (0, (readings.cjk,) if readings.cjk else ()),
                (1, readings.sorted_forms),
                (2, readings.joined_forms),
                (3, readings.sorted_forms if latin else ()),
                (4, readings.joined_forms if latin else ()),
            ):
                if texts:
                    strings, rows = work.setdefault((space, cutoff), ([], []))
                    strings.extend(texts)
                    rows.extend(row for _ in texts)
            if readings.short:
                found[row].update(self._initials.get(readings.short, ()))
            for key in readings.initials:
                found[row].update(self._short.get(key, ()))
        spaces = self._spaces()
        for (space, cutoff), (strings, rows) in work.items():
            spaces[space].reaching(strings, rows, cutoff, found)
        return found

    def search(self, query: Query) -> list[tuple[int, Match]]:
        """Every candidate whose match is_match, as (index into candidates, Match), best first."""
        return self.search_many([query])[0]

    def search_many(
        self, queries: Sequence[Query], progress: Callable[[int], None] | None = None
    ) -> list[list[tuple[int, Match]]]:
        """``search`` for each query, in order.

        ``progress`` is called after each block of queries with the number screened in it.
        """
        results: list[list[tuple[int, Match]]] = []
        for start in range(0, len(queries), self._block):
            block = queries[start : start + self._block]
            for query, found in zip(block, self._generate(block), strict=True):
                hits = []
                for index in found:
                    match = self.matcher.match(query, self.candidates[index])
                    if match.is_match:
                        hits.append((index, match))
                hits.sort(key=lambda hit: (-hit[1].score, hit[0]))
                results.append(hits)
            if progress is not None:
                progress(len(block))
        return results
