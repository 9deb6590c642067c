"""Screening many names against a list: ScreeningIndex against brute force, in one run.

Generates (seeded) a list of company-like entries, Latin and Chinese, with aliases and
countries, and query names, mostly not listed, some perturbed list names. Measures:

- the ScreeningIndex over every query (names/s, median of ``--repeats``; peak RSS);
- a plain brute force: ``rapidfuzz.process.cdist`` of the normalised strings against every
  list string, ``workers=-1`` and ``score_cutoff`` at the threshold (on a sample of queries
  if ``--cdist-sample`` is smaller than the query count);
- brute force with the matcher itself on a small sample (``--exact-sample``), whose hits the
  index must all find, with the same scores (asserted).

    .venv/bin/python benchmarks/bench_screening.py            # 20,000 entries, 100,000 names
    .venv/bin/python benchmarks/bench_screening.py --quick    # 2,000 entries, 5,000 names
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import random
import statistics
import sys
import time
from pathlib import Path

import numpy as np
from rapidfuzz import fuzz, process

from rarex.core.matchers import MATCHERS, matcher_for
from rarex.core.matching import Candidate, Match, Matcher, Query
from rarex.core.name_v2 import MatcherV2
from rarex.core.screen_index import ScreeningIndex
from rarex.io.script import ChineseScript

STEMS = """Apex Arctic Atlas Aurora Beacon Boreal Cascade Cedar Cobalt Condor Crest Delta Ember
Falcon Frontier Granite Harbor Helix Horizon Iron Juniper Keystone Lumen Magna Meridian
Nimbus Northstar Onyx Orion Pacific Paragon Pinnacle Polaris Quantum Radiant Ridge Sable
Sentinel Sierra Solstice Summit Talon Titan Trident Unity Vanguard Vector Vertex Zenith
Anders Becker Castillo Dubois Eriksen Fischer Garcia Hansen Ishikawa Jensen Kowalski
Lindqvist Moreau Novak Okafor Petrov Rossi Schmidt Tanaka Varga Weber Yamamoto Zhao
Brightwater Blackrock Greenfield Redstone Silverline Goldcrest Bluewave Whitestone""".split()  # noqa: SIM905
FIELDS = """Aerospace Defense Dynamics Electronics Systems Technologies Materials Metals Mining
Magnetics Semiconductors Industries Engineering Robotics Photonics Optics Energy
Chemicals Precision Instruments Logistics Trading Holdings Resources Minerals Alloys
Components Devices Solutions Marine Aviation Microwave Sensors Research Laboratories""".split()  # noqa: SIM905
LEGAL = [
    "Inc.",
    "Corp.",
    "Corporation",
    "Co., Ltd.",
    "Ltd",
    "LLC",
    "GmbH",
    "AG",
    "S.A.",
    "K.K.",
    "",
]
COUNTRIES = ["US", "DE", "JP", "GB", "FR", "KR", "TW", "IN", "NL", "CN", "RU", "IL"]
CJK_STEMS = list(
    "华中东南北海天宏鑫瑞博恒泰昌安新航宇星光金龙兴远达明信诚科嘉盛丰德富永康隆佳利"
    "辉鹏腾飞云峰山川江河湖林森松柏青蓝紫红白文武正大和平顺成立志伟国家美英法德"
    "日月晨阳春秋冬夏思源启航浩然振邦卓越联合万通汇力宝石玉坤乾元亨利贞"
)
CJK_FIELDS = [
    "电子",
    "科技",
    "航天",
    "稀土",
    "材料",
    "磁材",
    "精密",
    "半导体",
    "能源",
    "矿业",
    "仪器",
    "光电",
]
CJK_LEGAL = ["有限公司", "股份有限公司", "集团", "研究所", "公司"]


ONSETS = """b c d f g h j k l m n p r s t v w z br cr dr fr gr kr pr st tr ch sh th""".split()  # noqa: SIM905
VOWELS = """a e i o u ai ea io ou y""".split()  # noqa: SIM905
CODAS = ["", "", "n", "r", "s", "x", "l", "m", "nd", "rt", "k", "th"]


def coined_words(rng: random.Random, count: int) -> list[str]:
    """Brand-like words (Korvex, Trelan, Zaiva): the distinctive part of most company names."""
    words: set[str] = set()
    while len(words) < count:
        syllables = rng.choice((2, 2, 2, 3))
        word = "".join(rng.choice(ONSETS) + rng.choice(VOWELS) for _ in range(syllables))
        words.add((word + rng.choice(CODAS)).capitalize())
    return sorted(words)


def latin_name(rng: random.Random, coined: list[str]) -> str:
    first = rng.choice(coined) if rng.random() < 0.75 else rng.choice(STEMS)
    words = [first, *rng.sample(STEMS + coined, rng.choice((0, 0, 1)))]
    words += rng.sample(FIELDS, rng.choice((1, 1, 2)))
    legal = rng.choice(LEGAL) if rng.random() < 0.8 else ""
    return " ".join([*words, legal]).strip()


def chinese_name(rng: random.Random) -> str:
    stem = "".join(rng.sample(CJK_STEMS, rng.choice((2, 2, 3))))
    return stem + rng.choice(CJK_FIELDS) + rng.choice(CJK_LEGAL)


def perturb(name: str, rng: random.Random) -> str:
    kind = rng.random()
    if kind < 0.3 and len(name) > 4:
        i = rng.randrange(len(name) - 1)
        return name[:i] + name[i + 1] + name[i] + name[i + 2 :]
    if kind < 0.5:
        return name.upper()
    if kind < 0.7:
        words = name.split()
        return " ".join(words[1:2] + words[:1] + words[2:])
    if kind < 0.85:
        return name.replace("Technologies", "Tech").replace(",", "") + " Limited"
    return name + " Holdings"


def generate(
    entries: int, queries: int, seed: int
) -> tuple[list[Candidate], list[Query], list[int]]:
    """The list, the query names, and which of them are perturbed list names."""
    rng = random.Random(seed)
    coined = coined_words(rng, max(200, entries // 2))
    listed: list[Candidate] = []
    names: set[str] = set()
    while len(listed) < entries:
        chinese = rng.random() < 0.15
        name = chinese_name(rng) if chinese else latin_name(rng, coined)
        if name in names:
            continue
        names.add(name)
        aliases: tuple[str, ...] = ()
        if chinese and rng.random() < 0.5:
            aliases = (latin_name(rng, coined),)
        elif rng.random() < 0.2:
            aliases = (chinese_name(rng) if rng.random() < 0.3 else latin_name(rng, coined),)
        country = "CN" if chinese else rng.choice(COUNTRIES)
        listed.append(Candidate(name, aliases, country if rng.random() < 0.7 else None))
    asked: list[Query] = []
    perturbed: list[int] = []
    for row in range(queries):
        if rng.random() < 0.05:
            source = rng.choice(listed)
            asked.append(Query(perturb(source.name, rng), source.country))
            perturbed.append(row)
        else:
            name = chinese_name(rng) if rng.random() < 0.1 else latin_name(rng, coined)
            asked.append(Query(name, rng.choice(COUNTRIES) if rng.random() < 0.5 else None))
    return listed, asked, perturbed


def clear_cache(matcher: Matcher) -> None:
    matcher._cache.clear()
    if isinstance(matcher, MatcherV2):
        matcher._cache_v2.clear()


def _status_kb(key: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1])
    raise KeyError(key)


class PeakRss:
    """Peak RSS of a block (MB): VmHWM reset through /proc/self/clear_refs before it."""

    def __enter__(self) -> PeakRss:
        gc.collect()
        Path("/proc/self/clear_refs").write_text("5")
        self.mb = 0.0
        return self

    def __exit__(self, *exc: object) -> None:
        self.mb = _status_kb("VmHWM") / 1024


def screen_once(
    matcher: Matcher, listed: list[Candidate], asked: list[Query]
) -> tuple[float, float, float, list[list[tuple[int, Match]]]]:
    """Build time, screening time, peak RSS and results of one index run, caches cleared."""
    clear_cache(matcher)  # normalising the list and the queries is part of the work
    with PeakRss() as rss:
        start = time.perf_counter()
        index = ScreeningIndex(matcher, listed)
        built = time.perf_counter()
        results = index.search_many(asked)
        done = time.perf_counter()
    return built - start, done - built, rss.mb, results


def cdist_once(matcher: Matcher, listed: list[Candidate], asked: list[Query]) -> tuple[float, int]:
    """What a plain implementation does: every normalised query against every list string.

    rapidfuzz ``cdist`` with ``token_sort_ratio`` at the threshold, all cores, 10,000 query
    names at a time (a byte per pair). Normalising the list is left out of the time (as the
    index's build is); normalising the queries is in it.
    """
    clear_cache(matcher)
    choices = [
        " ".join(matcher.norm(alias).tokens) for c in listed for alias in (c.name, *c.aliases)
    ]
    start = time.perf_counter()
    queries = [" ".join(matcher.norm(q.name).tokens) for q in asked]
    hits = 0
    for first in range(0, len(queries), 10000):
        scores = process.cdist(
            queries[first : first + 10000],
            choices,
            scorer=fuzz.token_sort_ratio,
            score_cutoff=matcher.threshold * 100,
            workers=-1,
            dtype=np.uint8,
        )
        hits += int(np.count_nonzero(scores))
    return time.perf_counter() - start, hits


def brute_force(matcher: Matcher, listed: list[Candidate], query: Query) -> list[tuple[int, Match]]:
    hits = [(j, m) for j, c in enumerate(listed) if (m := matcher.match(query, c)).is_match]
    return sorted(hits, key=lambda hit: (-hit[1].score, hit[0]))


def measure(
    name: str,
    listed: list[Candidate],
    asked: list[Query],
    sample: list[int],
    args: argparse.Namespace,
) -> dict[str, object]:
    """Index and cdist baseline alternately (so that load on the machine hits both), then the
    matcher by brute force on the sample, whose every hit the index must have found."""
    matcher = matcher_for(name, ChineseScript())
    index_s, build_s, rss_mb, cdist_s = [], [], [], []
    results: list[list[tuple[int, Match]]] = []
    cdist_hits = 0
    for _ in range(args.repeats):
        built, screened, rss, results = screen_once(matcher, listed, asked)
        build_s.append(built)
        index_s.append(screened)
        rss_mb.append(rss)
        elapsed, cdist_hits = cdist_once(matcher, listed, asked[: args.cdist_sample])
        cdist_s.append(elapsed)
    index_rate = len(asked) / statistics.median(index_s)
    cdist_rate = min(len(asked), args.cdist_sample) / statistics.median(cdist_s)
    start = time.perf_counter()
    exact: dict[int, list[tuple[int, Match]]] = {}
    for i in sample:
        exact[i] = brute_force(matcher, listed, asked[i])
        assert results[i] == exact[i], (asked[i], results[i], exact[i])
    exact_rate = len(sample) / (time.perf_counter() - start)
    exact_hits = sum(map(len, exact.values()))
    # how many of the matcher's hits the plain baseline flags at all
    owners = [j for j, c in enumerate(listed) for _ in (c.name, *c.aliases)]
    choices = [" ".join(matcher.norm(a).tokens) for c in listed for a in (c.name, *c.aliases)]
    plain = process.cdist(
        [" ".join(matcher.norm(asked[i].name).tokens) for i in sample],
        choices,
        scorer=fuzz.token_sort_ratio,
        score_cutoff=matcher.threshold * 100,
        workers=-1,
        dtype=np.uint8,
    )
    plain_found = sum(
        1
        for row, i in enumerate(sample)
        for j, _ in exact[i]
        if any(owners[k] == j for k in np.flatnonzero(plain[row]))
    )
    figures: dict[str, object] = {
        "index_build_s": round(statistics.median(build_s), 2),
        "index_screen_s": [round(t, 1) for t in index_s],
        "index_names_per_s": round(index_rate),
        "index_peak_rss_mb": round(max(rss_mb)),
        "index_hits": sum(len(r) for r in results),
        "cdist_queries": min(len(asked), args.cdist_sample),
        "cdist_s": [round(t, 1) for t in cdist_s],
        "cdist_names_per_s": round(cdist_rate),
        "cdist_hits": cdist_hits,
        "ratio_index_over_cdist": round(index_rate / cdist_rate, 2),
        "matcher_brute_force_queries": len(sample),
        "matcher_brute_force_names_per_s": round(exact_rate, 2),
        "matcher_brute_force_hits": exact_hits,
        "index_recall_on_sample": 1.0,  # asserted above: the same hits, scores and features
        "cdist_recall_on_sample": round(plain_found / exact_hits, 3) if exact_hits else None,
        "ratio_index_over_matcher_brute_force": round(index_rate / exact_rate),
    }
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--entries", type=int, default=20000)
    parser.add_argument("--queries", type=int, default=100000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--cdist-sample", type=int, default=100000)
    parser.add_argument("--exact-sample", type=int, default=200)
    parser.add_argument("--matchers", nargs="+", default=list(MATCHERS), choices=MATCHERS)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--quick", action="store_true", help="2,000 entries, 5,000 names, 1 repeat")
    parser.add_argument("--json", help="write the figures to this file")
    args = parser.parse_args()
    if args.quick:
        args.entries, args.queries, args.repeats = 2000, 5000, 1
        args.cdist_sample, args.exact_sample = 5000, 50
    listed, asked, perturbed = generate(args.entries, args.queries, args.seed)
    print(
        f"{platform.python_version()} on {os.cpu_count()} CPUs; {len(listed)} entries "
        f"({sum(len(c.aliases) for c in listed)} aliases), {len(asked)} query names",
        flush=True,
    )
    figures: dict[str, object] = {"entries": len(listed), "queries": len(asked)}
    pick = random.Random(args.seed + 1)
    half = min(args.exact_sample // 2, len(perturbed))
    sample = pick.sample(perturbed, half)  # half perturbed list names, so that hits are checked
    sample += pick.sample(range(len(asked)), args.exact_sample - half)
    for name in args.matchers:
        figures[name] = measure(name, listed, asked, sample, args)
        print(name, json.dumps(figures[name]), flush=True)
    if args.json:
        with Path(args.json).open("w", encoding="utf-8") as handle:
            json.dump(figures, handle, indent=2)
    sys.stdout.flush()


if __name__ == "__main__":
    main()
