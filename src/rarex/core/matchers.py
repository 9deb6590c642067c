"""The name matchers by version, so that a screening can name the one it used and replay it."""

from __future__ import annotations

from rarex.core.matching import DEFAULT_THRESHOLD, MATCHER, Matcher, Script
from rarex.core.name_v2 import MATCHER_V2, MatcherV2

MATCHERS = (MATCHER, MATCHER_V2)


def matcher_for(name: str, script: Script, threshold: float | None = None) -> Matcher:
    """The matcher called ``name`` (one of ``MATCHERS``); ``ValueError`` for any other name."""
    chosen = DEFAULT_THRESHOLD if threshold is None else threshold
    if name == MATCHER:
        return Matcher(script, chosen)
    if name == MATCHER_V2:
        return MatcherV2(script, chosen)
    raise ValueError(f"unknown matcher {name!r}; known: {', '.join(MATCHERS)}")
