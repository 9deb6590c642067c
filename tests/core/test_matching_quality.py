"""name_v1 on the labelled pairs of tests/data/name_pairs.csv (see NAME_PAIRS.md).

Floors, not targets: they catch a change that makes the matcher worse. The figures per kind
are recorded in benchmarks/README.md.
"""

from __future__ import annotations

import csv
from pathlib import Path

from rarex.core.matching import Candidate, Matcher, Query
from rarex.io.script import ChineseScript

PAIRS = Path(__file__).parent.parent / "data" / "name_pairs.csv"


def test_precision_and_recall_at_the_default_threshold() -> None:
    matcher = Matcher(ChineseScript())
    with PAIRS.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) >= 300
    assert sum(r["kind"] == "cjk_latin" for r in rows) >= 50
    tp = fp = fn = 0
    for row in rows:
        predicted = matcher.match(Query(row["name_a"]), Candidate(row["name_b"])).is_match
        actual = row["label"] == "match"
        tp += predicted and actual
        fp += predicted and not actual
        fn += actual and not predicted
    precision, recall = tp / (tp + fp), tp / (tp + fn)
    assert precision >= 0.97, precision
    assert recall >= 0.58, recall
