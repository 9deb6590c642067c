"""The screening index finds exactly what brute force with the matcher finds.

Candidates are the names of the labelled pairs (tests/data/name_pairs.csv) with aliases,
countries and identifiers; queries are those names and seeded random perturbations of them
(typos, swapped words, legal forms, traditional characters, pinyin, abbreviations, initials).
"""

from __future__ import annotations

import csv
import itertools
import random
from pathlib import Path

import opencc
import pytest
from rapidfuzz import fuzz

from rarex.core.matchers import MATCHERS, matcher_for
from rarex.core.matching import Candidate, Match, Matcher, Query, has_cjk
from rarex.core.screen_index import BLOCK, ScreeningIndex
from rarex.io.script import ChineseScript

PAIRS = Path(__file__).parent.parent / "data" / "name_pairs.csv"
SCRIPT = ChineseScript()
TO_TRADITIONAL = opencc.OpenCC("s2t")
COUNTRIES = (None, None, "US", "CN", "JP", "TW")


def _names() -> list[str]:
    with PAIRS.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    return sorted({name for row in rows for name in (row["name_a"], row["name_b"])})


NAMES = _names()


def _candidates(rng: random.Random) -> list[Candidate]:
    shuffled = NAMES[:]
    rng.shuffle(shuffled)
    candidates = []
    for i in range(0, len(shuffled), 2):
        aliases = tuple(shuffled[i + 1 : i + 2]) if i % 3 == 0 else ()
        ids = frozenset({f"LEI-{i}"}) if i % 10 == 0 else frozenset()
        candidates.append(Candidate(shuffled[i], aliases, rng.choice(COUNTRIES), ids))
        if not aliases and i + 1 < len(shuffled):
            candidates.append(Candidate(shuffled[i + 1], (), rng.choice(COUNTRIES)))
    return candidates


def perturb(name: str, rng: random.Random) -> str:
    """One realistic variant of a name, as screening sees them."""
    if has_cjk(name):
        kind = rng.choice(("traditional", "pinyin", "legal", "drop"))
        if kind == "traditional":
            return str(TO_TRADITIONAL.convert(name))
        if kind == "pinyin":
            return " ".join(SCRIPT.pinyin(name)).title()
        if kind == "legal":
            return name + rng.choice(("有限公司", "集团", "股份有限公司"))
        i = rng.randrange(len(name))
        return name[:i] + name[i + 1 :] or name
    words = name.replace(",", "").split()
    kind = rng.choice(("typo", "swap", "legal", "abbreviation", "initials", "case"))
    if kind == "typo" and len(name) > 3:
        i = rng.randrange(len(name) - 1)
        edit = rng.choice(("swap", "drop", "substitute"))
        if edit == "swap":
            return name[:i] + name[i + 1] + name[i] + name[i + 2 :]
        if edit == "drop":
            return name[:i] + name[i + 1 :]
        return name[:i] + rng.choice("aeiouxyz") + name[i + 1 :]
    if kind == "swap" and len(words) > 1:
        return " ".join([words[1], words[0], *words[2:]])
    if kind == "legal":
        return name + rng.choice((" Co., Ltd.", " Inc.", " GmbH", " Kabushiki Kaisha", " K.K."))
    if kind == "abbreviation":
        return name.replace("International", "Intl").replace("Technologies", "Tech")
    if kind == "initials" and len(words) > 2:
        return "".join(w[0] for w in words if w[0].isalpha()).upper()
    return name.upper()


def brute_force(
    matcher: Matcher, candidates: list[Candidate], query: Query
) -> list[tuple[int, Match]]:
    hits = [(i, m) for i, c in enumerate(candidates) if (m := matcher.match(query, c)).is_match]
    return sorted(hits, key=lambda hit: (-hit[1].score, hit[0]))


def _queries(rng: random.Random, count: int) -> list[Query]:
    names = rng.sample(NAMES, count)
    queries = [Query(n, rng.choice(COUNTRIES)) for n in names[: count // 2]]
    queries += [Query(perturb(n, rng), rng.choice(COUNTRIES)) for n in names[count // 2 :]]
    queries.append(Query("Anything at all", identifiers=frozenset({"LEI-0"})))
    return queries


@pytest.mark.parametrize("name", MATCHERS)
def test_index_equals_brute_force_on_labelled_names_and_variants(name: str) -> None:
    rng = random.Random(20261122)
    matcher = matcher_for(name, SCRIPT)
    candidates = _candidates(rng)
    index = ScreeningIndex(matcher, candidates)
    queries = _queries(rng, 160)
    results = index.search_many(queries)
    found = 0
    for query, result in zip(queries, results, strict=True):
        assert result == brute_force(matcher, candidates, query), query
        found += len(result)
    assert found > len(queries)  # the check is not vacuous: most queries hit something


@pytest.mark.parametrize(
    ("name", "threshold"), [("name_v1", 0.5), ("name_v2", 0.7), ("name_v1", 0), ("name_v2", 1.5)]
)
def test_index_is_exact_at_other_thresholds(name: str, threshold: float) -> None:
    rng = random.Random(7)
    matcher = matcher_for(name, SCRIPT, threshold)
    candidates = _candidates(rng)[:120]
    index = ScreeningIndex(matcher, candidates)
    for query in _queries(rng, 30):
        assert index.search(query) == brute_force(matcher, candidates, query)


def test_token_sorted_form_scores_as_the_matcher_does() -> None:
    matcher = matcher_for("name_v1", SCRIPT)
    for a, b in itertools.pairwise(NAMES):
        left, right = matcher.norm(a).tokens, matcher.norm(b).tokens
        if left and right:
            sorted_a = matcher.readings(a).sorted_forms[0]
            sorted_b = matcher.readings(b).sorted_forms[0]
            assert fuzz.ratio(sorted_a, sorted_b) == fuzz.token_sort_ratio(
                " ".join(left), " ".join(right)
            )


def test_results_are_ordered_and_progress_counts_every_query() -> None:
    matcher = matcher_for("name_v2", SCRIPT)
    candidates = [
        Candidate("Lockheed Martin Corporation", ("洛克希德·马丁公司",), "US"),
        Candidate("Lockheed Martin Corp"),
        Candidate("Raytheon"),
    ]
    index = ScreeningIndex(matcher, candidates)
    seen: list[int] = []
    queries = [Query("Lockheed Martin", "US"), Query("洛克希德马丁"), Query("Nobody")] * BLOCK
    results = index.search_many(queries, progress=seen.append)
    assert sum(seen) == len(queries)
    assert len(seen) == 3
    first = results[0]
    assert [i for i, _ in first] == [0, 1]
    assert first[0][1].score >= first[1][1].score
    assert [i for i, _ in results[1]] == [0]
    assert results[1][0][1].alias == "洛克希德·马丁公司"
    assert results[2] == []
