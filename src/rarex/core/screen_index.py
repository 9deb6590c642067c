"""Screening many names against a list: every candidate at the matcher's threshold."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from rarex.core.matching import Candidate, Match, Matcher, Query


class ScreeningIndex:
    def __init__(self, matcher: Matcher, candidates: Sequence[Candidate]) -> None:
        self.matcher = matcher
        self.candidates = list(candidates)

    def search(self, query: Query) -> list[tuple[int, Match]]:
        """Every candidate whose match is_match, as (index into candidates, Match), best first."""
        found = []
        for i, candidate in enumerate(self.candidates):
            match = self.matcher.match(query, candidate)
            if match.is_match:
                found.append((i, match))
        found.sort(key=lambda pair: (-pair[1].score, pair[0]))
        return found

    def search_many(
        self, queries: Sequence[Query], progress: Callable[[int], None] | None = None
    ) -> list[list[tuple[int, Match]]]:
        results = []
        for query in queries:
            results.append(self.search(query))
            if progress is not None:
                progress(1)
        return results
