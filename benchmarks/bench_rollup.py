"""Benchmarks of the BOM rollup: the vectorised rollup, the whole command and a naive baseline.

For each size (edges) in one run, side by side:

1. the rollup alone: ``Bom.build`` + ``roll_up`` on the generator's arrays, with the 13
   categories, 9 elements and 5 flags that ``rarex assess`` uses for CN-2025-61; median of
   ``--repeats`` runs; its peak memory (tracemalloc peak, and the RSS high-water mark above
   the RSS before the call, reset through /proc/self/clear_refs);
2. the whole ``rarex assess`` command as a subprocess on the generated CSV files: wall time
   and the subprocess's own peak RSS (``os.wait4``); the content shares it reports are
   compared with the in-memory rollup;
3. a naive baseline: a networkx DiGraph, each product exploded by a plain recursive function
   with no memoisation across (or within) products, computing the same China-origin content
   total, checked against the rollup (1e-9 relative) on every product it exploded. Products
   are exploded in random order; past ``--naive-budget`` seconds the run stops and the time
   for all products is extrapolated by the number of exploded nodes (and, for comparison, by
   the number of products). The output says so.

No timing is asserted. Timings on a small machine are noisy: read the medians and ratios.

    .venv/bin/python benchmarks/bench_rollup.py            # 1e5, 1e6, 5e6 edges
    .venv/bin/python benchmarks/bench_rollup.py --quick    # 1e4, 1e5
"""

from __future__ import annotations

import argparse
import gc
import json
import math
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import tracemalloc
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import networkx as nx
import numpy as np
import numpy.typing as npt
import scipy
from generate_bom import INPUT_ITEMS, Config, GeneratedBom, generate

from rarex.core.bom import Bom
from rarex.core.parts import BOM_COLUMNS, PART_COLUMNS
from rarex.core.rollup import Rollup, RollupInput, roll_up

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]

ROOT = Path(__file__).resolve().parent.parent
RAREX = ROOT / ".venv" / "bin" / "rarex"
SHIPMENT = (
    "--export-from",
    "DE",
    "--destination",
    "US",
    "--end-user-type",
    "civil",
    "--end-use",
    "civil",
)
REL_TOL = 1e-9
MB = 1024 * 1024


@dataclass
class Result:
    edges_target: int
    edges: int = 0
    parts: int = 0
    products: int = 0
    depth: int = 0
    generate_s: float = 0.0
    build_s: list[float] = field(default_factory=list)
    rollup_s: list[float] = field(default_factory=list)
    total_s: list[float] = field(default_factory=list)
    rollup_tracemalloc_mb: float = 0.0
    rollup_rss_mb: float = 0.0
    inputs_mb: float = 0.0
    write_csv_s: float = 0.0
    csv_mb: float = 0.0
    assess_s: float | None = None
    assess_rss_mb: float | None = None
    assess_exit: int | None = None
    assess_note: str = ""
    assess_share_max_rel_diff: float | None = None
    assess_products: int | None = None
    naive_graph_s: float | None = None
    naive_explode_s: float | None = None  # measured
    naive_products_done: int = 0
    naive_nodes_done: float = 0.0
    naive_nodes_total: float = 0.0
    naive_explode_est_s: float | None = None  # all products (= measured when complete)
    naive_explode_est_by_count_s: float | None = None
    naive_sampled: bool = False
    naive_checked: int = 0

    @property
    def rollup_median(self) -> float:
        return statistics.median(self.total_s)

    @property
    def naive_total(self) -> float | None:
        if self.naive_graph_s is None or self.naive_explode_est_s is None:
            return None
        return self.naive_graph_s + self.naive_explode_est_s

    @property
    def ratio(self) -> float | None:
        total = self.naive_total
        return None if total is None else total / self.rollup_median

    @property
    def walk_ratio(self) -> float | None:
        if self.naive_explode_est_s is None:
            return None
        return self.naive_explode_est_s / statistics.median(self.rollup_s)


# ---------------------------------------------------------------- the rollup


def rollup_input(gen: GeneratedBom) -> RollupInput:
    values, category, elements, flags = gen.rollup_facts()
    return RollupInput(values, category, elements, flags)


def rollup_once(gen: GeneratedBom, facts: RollupInput) -> tuple[float, float, Bom, Rollup]:
    start = time.perf_counter()
    bom = Bom.build(gen.n_parts, gen.parent, gen.child, gen.quantity)
    built = time.perf_counter()
    rolled = roll_up(bom, facts, len(INPUT_ITEMS))
    done = time.perf_counter()
    return built - start, done - built, bom, rolled


def _status_kb(key: str) -> int:
    with Path("/proc/self/status").open() as handle:
        for line in handle:
            if line.startswith(key + ":"):
                return int(line.split()[1])
    return 0


def rollup_memory(gen: GeneratedBom, facts: RollupInput) -> tuple[float, float]:
    """(tracemalloc peak, RSS high-water mark above the RSS before), in MB."""
    gc.collect()
    try:
        Path("/proc/self/clear_refs").write_text("5")  # reset VmHWM to the current RSS
        before = _status_kb("VmRSS")
    except OSError:
        before = -1
    tracemalloc.start()
    rollup_once(gen, facts)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rss = (_status_kb("VmHWM") - before) / 1024 if before >= 0 else math.nan
    return peak / MB, rss


# ---------------------------------------------------------------- the whole command


def run_assess(parts: Path, bom: Path, out: Path, timeout: float) -> tuple[float, float, int]:
    """Wall time (s), peak RSS (MB) and exit code of ``rarex assess`` as a subprocess."""
    command = [
        str(RAREX),
        "assess",
        "--parts",
        str(parts),
        "--bom",
        str(bom),
        *SHIPMENT,
        "--format",
        "json",
        "--output",
        str(out),
    ]
    log = out.with_suffix(".stderr")
    with log.open("w") as stderr:
        start = time.perf_counter()
        proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=stderr)
        timer = threading.Timer(timeout, proc.kill)
        timer.start()
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        timer.cancel()
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        tail = log.read_text(errors="replace")[-2000:]
        print(f"  rarex assess exited with {proc.returncode}:\n{tail}", flush=True)
    return wall, usage.ru_maxrss / 1024, proc.returncode


def compare_shares(report: Path, gen: GeneratedBom, shares: FloatArray) -> tuple[float, int]:
    """Max relative difference between the command's and the rollup's content shares."""
    document = json.loads(report.read_text(encoding="utf-8"))
    worst = 0.0
    for result in document["results"]:
        i = int(result["part_id"].rsplit("-", 1)[1])  # ids end in the part number
        theirs, ours = result["content_share"], shares[i]
        if theirs is None or math.isnan(ours):
            worst = worst if theirs is None and math.isnan(ours) else math.inf
            continue
        worst = max(worst, abs(theirs - ours) / max(abs(ours), abs(theirs), 1e-300))
    return worst, len(document["results"])


def profile_assess(parts: Path, bom: Path, out: Path, top: int = 15) -> None:
    """Run the command once more under cProfile and print the heaviest functions."""
    import pstats

    stats_file = out.with_suffix(".prof")
    command = [
        str(ROOT / ".venv" / "bin" / "python"),
        "-m",
        "cProfile",
        "-o",
        str(stats_file),
        "-m",
        "rarex",
        "assess",
        "--parts",
        str(parts),
        "--bom",
        str(bom),
        *SHIPMENT,
        "--format",
        "json",
        "--output",
        str(out),
    ]
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    stats = pstats.Stats(str(stats_file))
    total = stats.total_tt  # type: ignore[attr-defined]
    print(f"  cProfile of rarex assess (total {total:.1f} s under the profiler):")
    rows = []
    for (file, line, name), (_, calls, tottime, cumtime, _) in stats.stats.items():  # type: ignore[attr-defined]
        rows.append((tottime, cumtime, calls, f"{Path(file).name}:{line}({name})"))
    rows.sort(reverse=True)
    for tottime, cumtime, calls, where in rows[:top]:
        print(
            f"    {tottime:8.2f} s own {100 * tottime / total:5.1f} %  {cumtime:8.2f} s cum  "
            f"{calls:>10} calls  {where}"
        )


# ---------------------------------------------------------------- the naive baseline


def build_graph(gen: GeneratedBom, facts: RollupInput) -> nx.DiGraph:
    counted = (facts.input_category >= 0).tolist()
    values = facts.unit_value.tolist()
    graph = nx.DiGraph()
    graph.add_nodes_from(
        (i, {"value": v, "counted": c})
        for i, (v, c) in enumerate(zip(values, counted, strict=True))
    )
    graph.add_edges_from(
        (p, c, {"quantity": q})
        for p, c, q in zip(
            gen.parent.tolist(), gen.child.tolist(), gen.quantity.tolist(), strict=True
        )
    )
    return graph


def naive_content(graph: nx.DiGraph, node: int) -> float:
    """China-origin content of one unit of ``node``: re-walks every path, remembers nothing."""
    attrs = graph.nodes[node]
    if attrs["counted"]:
        return float(attrs["value"])
    total = 0.0
    for child, edge in graph.succ[node].items():
        total += edge["quantity"] * naive_content(graph, child)
    return total


def exploded_sizes(bom: Bom, counted: BoolArray) -> FloatArray:
    """Nodes the naive walk visits from each part (1 + the sizes of its children, per edge)."""
    size = np.ones(bom.n_parts)
    for parents, matrix in bom.level_matrices():
        ones = matrix.copy()
        ones.data[:] = 1.0
        size[parents] = np.where(counted[parents], 1.0, 1.0 + ones @ size)
    return size


def run_naive(
    gen: GeneratedBom,
    facts: RollupInput,
    bom: Bom,
    rolled: Rollup,
    result: Result,
    budget: float,
    seed: int,
) -> None:
    start = time.perf_counter()
    graph = build_graph(gen, facts)
    result.naive_graph_s = time.perf_counter() - start
    counted = facts.input_category >= 0
    sizes = exploded_sizes(bom, counted)
    roots = bom.roots()
    expected = rolled.content_total
    order = np.random.default_rng(seed).permutation(roots).tolist()
    done: list[int] = []
    start = time.perf_counter()
    totals = []
    for root in order:
        totals.append(naive_content(graph, root))
        done.append(root)
        if time.perf_counter() - start > budget:
            break
    elapsed = time.perf_counter() - start
    for root, total in zip(done, totals, strict=True):
        ours = float(expected[root])
        assert abs(total - ours) <= REL_TOL * max(abs(total), abs(ours)), (root, total, ours)
    result.naive_checked = len(done)
    result.naive_explode_s = elapsed
    result.naive_products_done = len(done)
    result.naive_nodes_done = float(sizes[done].sum())
    result.naive_nodes_total = float(sizes[roots].sum())
    result.naive_sampled = len(done) < len(roots)
    result.naive_explode_est_s = elapsed * result.naive_nodes_total / result.naive_nodes_done
    result.naive_explode_est_by_count_s = elapsed * len(roots) / len(done)
    del graph
    gc.collect()


# ---------------------------------------------------------------- one size


def config_for(edges: int, args: argparse.Namespace) -> Config:
    return Config(
        edges=edges,
        seed=args.seed,
        roots=max(1, round(edges / args.edges_per_product)),
        depth=args.depth,
        fanout=args.fanout,
        sharing=args.sharing,
    )


def bench_size(edges: int, args: argparse.Namespace, workdir: Path) -> Result:
    result = Result(edges_target=edges)
    print(f"\n=== {edges:,} edges (target) ===", flush=True)
    start = time.perf_counter()
    gen = generate(config_for(edges, args))
    result.generate_s = time.perf_counter() - start
    facts = rollup_input(gen)
    result.edges, result.parts = gen.n_edges, gen.n_parts
    result.inputs_mb = (
        sum(
            a.nbytes
            for a in (
                gen.parent,
                gen.child,
                gen.quantity,
                facts.unit_value,
                facts.input_category,
                facts.input_elements,
                *facts.flags.values(),
            )
        )
        / MB
    )
    print(
        f"  generated {gen.n_edges:,} edges, {gen.n_parts:,} parts in {result.generate_s:.1f} s",
        flush=True,
    )

    bom: Bom | None = None
    rolled: Rollup | None = None
    for _ in range(args.repeats):
        bom = rolled = None  # free the previous run before timing the next
        gc.collect()
        build_s, rollup_s, bom, rolled = rollup_once(gen, facts)
        result.build_s.append(build_s)
        result.rollup_s.append(rollup_s)
        result.total_s.append(build_s + rollup_s)
    assert bom is not None and rolled is not None
    result.products, result.depth = len(bom.roots()), bom.depth
    result.rollup_tracemalloc_mb, result.rollup_rss_mb = rollup_memory(gen, facts)
    print(
        f"  rollup: median {result.rollup_median:.3f} s "
        f"(build {statistics.median(result.build_s):.3f}"
        f" + roll_up {statistics.median(result.rollup_s):.3f}) over {args.repeats} runs; "
        f"peak {result.rollup_tracemalloc_mb:.0f} MB (tracemalloc), "
        f"{result.rollup_rss_mb:.0f} MB (RSS above start)",
        flush=True,
    )

    if not args.no_assess:
        folder = workdir / f"e{edges}"
        start = time.perf_counter()
        parts_path, bom_path = gen.write_csv(folder)
        result.write_csv_s = time.perf_counter() - start
        result.csv_mb = (parts_path.stat().st_size + bom_path.stat().st_size) / MB
        report = folder / "assessment.json"
        wall, rss, code = run_assess(parts_path, bom_path, report, args.assess_timeout)
        result.assess_s, result.assess_rss_mb, result.assess_exit = wall, rss, code
        if code == 0:
            shares = rolled.share(facts.unit_value)
            diff, count = compare_shares(report, gen, shares)
            result.assess_share_max_rel_diff, result.assess_products = diff, count
        elif wall >= args.assess_timeout:
            result.assess_note = f"killed after the {args.assess_timeout:.0f} s timeout"
        print(
            f"  rarex assess: {wall:.1f} s wall, peak RSS {rss:.0f} MB, exit {code}; "
            f"{result.csv_mb:.0f} MB of CSV; content shares vs rollup: max rel diff "
            f"{result.assess_share_max_rel_diff} on {result.assess_products} products",
            flush=True,
        )
        if args.profile and code == 0:
            profile_assess(parts_path, bom_path, folder / "profiled.json")
        if not args.keep:
            for path in folder.iterdir():
                path.unlink()
            folder.rmdir()

    if not args.no_naive:
        run_naive(gen, facts, bom, rolled, result, args.naive_budget, args.seed)
        how = (
            f"SAMPLED: {result.naive_products_done} of {result.products} products in "
            f"{result.naive_explode_s:.0f} s, scaled by exploded nodes"
            if result.naive_sampled
            else "all products"
        )
        print(
            f"  naive: graph {result.naive_graph_s:.1f} s + explode "
            f"{result.naive_explode_est_s:.1f} s ({how}; by product count "
            f"{result.naive_explode_est_by_count_s:.1f} s); {result.naive_nodes_total:,.0f} "
            f"exploded nodes; totals equal to the rollup on {result.naive_checked} products; "
            f"ratio {result.ratio:.0f}x",
            flush=True,
        )
    return result


# ---------------------------------------------------------------- report


def machine() -> dict[str, Any]:
    model = ""
    with Path("/proc/cpuinfo").open() as handle:
        for line in handle:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break

    def git(*args: str) -> str:
        try:
            done = subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True)
        except OSError:
            return "?"
        return done.stdout.strip()

    return {
        "rarex_commit": git("rev-parse", "--short", "HEAD"),
        "src_modified": git("status", "--porcelain", "--", "src").splitlines(),
        "nproc": len(os.sched_getaffinity(0)),
        "cpu": model,
        "python": platform.python_version(),
        "numpy": np.__version__,
        "scipy": scipy.__version__,
        "networkx": nx.__version__,
        "memory_gb": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 1024**3, 1),
    }


def fmt(value: float | None, spec: str) -> str:
    return "—" if value is None else format(value, spec)


def table(results: list[Result]) -> str:
    lines = [
        "| edges | parts | products | depth | rollup median s (build + roll_up) | rollup peak MB "
        "| assess wall s | assess peak RSS MB | naive s (graph + explode) | ratio |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        naive = "—"
        if r.naive_total is not None:
            mark = " (est.)" if r.naive_sampled else ""
            naive = (
                f"{r.naive_total:.1f} ({r.naive_graph_s:.1f} + {r.naive_explode_est_s:.1f}){mark}"
            )
        assess = fmt(r.assess_s, ".1f") + (" (killed)" if r.assess_note else "")
        lines.append(
            f"| {r.edges:,} | {r.parts:,} | {r.products:,} | {r.depth} "
            f"| {r.rollup_median:.3f} ({statistics.median(r.build_s):.3f} + "
            f"{statistics.median(r.rollup_s):.3f}) | {r.rollup_tracemalloc_mb:.0f} "
            f"| {assess} | {fmt(r.assess_rss_mb, '.0f')} | {naive} "
            f"| {fmt(r.ratio, '.0f')}x |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000, 5_000_000])
    parser.add_argument("--quick", action="store_true", help="sizes 1e4 and 1e5 only")
    parser.add_argument("--repeats", type=int, default=5, help="rollup runs per size")
    parser.add_argument("--seed", type=int, default=1)
    defaults = Config()
    parser.add_argument("--edges-per-product", type=float, default=500.0)
    parser.add_argument("--depth", type=int, default=defaults.depth)
    parser.add_argument("--fanout", type=float, default=defaults.fanout)
    parser.add_argument("--sharing", type=float, default=defaults.sharing)
    parser.add_argument(
        "--naive-budget",
        type=float,
        default=600.0,
        help="seconds of naive exploding per size before sampling",
    )
    parser.add_argument("--assess-timeout", type=float, default=3600.0)
    parser.add_argument("--no-assess", action="store_true")
    parser.add_argument("--no-naive", action="store_true")
    parser.add_argument("--profile", action="store_true", help="also cProfile rarex assess")
    parser.add_argument("--workdir", type=Path, default=None, help="for the CSV files")
    parser.add_argument("--keep", action="store_true", help="keep the CSV files and reports")
    parser.add_argument("--json", type=Path, default=None, help="write the figures here")
    args = parser.parse_args(argv)
    sizes = [10_000, 100_000] if args.quick else args.sizes
    assert PART_COLUMNS == __import__("generate_bom").PART_COLUMNS, "input contract changed"
    assert BOM_COLUMNS == __import__("generate_bom").BOM_COLUMNS, "input contract changed"
    info = machine()
    print(f"machine: {info}", flush=True)
    generator = asdict(config_for(0, args))
    del generator["edges"], generator["roots"]
    generator["edges_per_product"] = args.edges_per_product
    print(f"generator: {generator}", flush=True)
    sys.setrecursionlimit(max(sys.getrecursionlimit(), 10_000))
    with tempfile.TemporaryDirectory(prefix="rarex-bench-") as tmp:
        workdir = args.workdir or Path(tmp)
        results = [bench_size(edges, args, workdir) for edges in sizes]
    print("\n" + table(results))
    for r in results:
        if r.naive_sampled:
            print(
                f"- {r.edges:,} edges: the naive baseline was TIMED ON A RANDOM SAMPLE of "
                f"{r.naive_products_done} of {r.products} products ({r.naive_explode_s:.0f} s,"
                f" {r.naive_nodes_done:,.0f} of {r.naive_nodes_total:,.0f} exploded nodes) and"
                f" scaled by exploded nodes; scaled by product count instead: "
                f"{r.naive_explode_est_by_count_s:.0f} s."
            )
    if args.json is not None:
        document = {
            "machine": info,
            "generator": generator,
            "results": [
                {
                    **asdict(r),
                    "rollup_median_s": r.rollup_median,
                    "naive_total_s": r.naive_total,
                    "ratio": r.ratio,
                    "walk_ratio": r.walk_ratio,
                }
                for r in results
            ],
        }
        args.json.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
