"""How fast a large user rules directory loads, side by side with a baseline, in one run.

Two generated directories: one instrument of 200,000 limbs in one file, and 2,000 instrument
files of 100 limbs each. Each is loaded, in turn (round robin, each load a fresh process):

- ``rarex``: ``load_rules(DIR)`` of this tree, with a file-size limit raised for the big file;
- ``before``: ``load_rules(DIR)`` of another source tree (``--before-src``, e.g. the code before
  the loader was rewritten: ``git archive <commit> src | tar -x -C /tmp/before``);
- ``baseline``: what a user would otherwise write: ``yaml.safe_load`` and pydantic's
  ``model_validate`` of each file (no duplicate keys refused, no lines, no reference checks, no
  content hash).

Reported: medians of wall time and of CPU time of the load itself (not the start-up), and its
peak memory (the RSS high-water mark above the RSS before the load). The two rarex trees must
give the same rulebook sha256 (checked).

    .venv/bin/python benchmarks/bench_rule_loading.py --before-src /tmp/before/src
    .venv/bin/python benchmarks/bench_rule_loading.py --quick     # 20,000 limbs; 200 x 100

The baseline, much the slowest, runs in the first round only unless ``--baseline-rounds``.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
SRC = HERE.parent / "src"

SOURCES = """sources:
  - id: X01
    title: A generated source
    url: https://example.org/1
  - id: X02
    title: Another generated source
    url: https://example.org/2
"""


def limb(index: int, items: int) -> str:
    """One limb, shaped like the bundled ones: half have a summary and half a note (folded
    paragraphs), four in five a commencement, one in five an end, one in three items."""
    out = [f"  - id: cl{index}\n", f"    title: Clause {index} of the generated measure\n"]
    if index % 2 == 0:
        out.append(
            "    summary: >-\n"
            f"      Exports of the goods listed in clause {index} need a licence from the\n"
            "      competent department; the applicant states the end user and the end use,\n"
            "      and the licence is valid for one year from issue.\n"
        )
    if index % 3 == 0:
        out.append(f"    items: [item-{index % items}]\n")
    if index % 5 != 4:
        out.append(
            "    commences:\n      value: 2025-10-09\n      verification: official\n"
            "      sources: [X01]\n"
        )
    else:
        out.append("    commences: null\n")
    if index % 5 == 0:
        out.append(
            "    ends: {value: 2026-11-10, inclusive: true, inclusive_verification: official,"
            " after: expires, verification: secondary, sources: [X01, X02]}\n"
        )
    out.append("    verification: official\n    sources: [X01]\n")
    if index % 2 == 1:
        out.append(
            "    note: >-\n"
            f"      Read in the official text of clause {index}; the English wording is our\n"
            "      own translation.\n"
        )
    return "".join(out)


def instrument(inst_id: str, limbs: int, items: int) -> str:
    head = (
        f"# A generated instrument with {limbs} limbs.\n"
        f"id: {inst_id}\nkind: item_control\njurisdiction: CN\n"
        f"title:\n  en: Generated measure {inst_id}\n"
        "issuers: [MOFCOM]\n"
        "announced: {value: 2025-10-09, verification: official, sources: [X01]}\n"
        "verification: official\nsources: [X01]\nlimbs:\n"
    )
    body = "".join(limb(i, items) for i in range(limbs))
    item_list = "items:\n" + "".join(
        f"  - id: item-{k}\n    description: {{en: Generated item {k}}}\n"
        "    elements: [Dy, Tb]\n    verification: official\n    sources: [X01]\n"
        for k in range(items)
    )
    return head + body + item_list


def generate(root: Path, files: int, limbs: int, items: int = 100) -> Path:
    """A user rules directory of ``files`` instruments of ``limbs`` limbs each."""
    (root / "instruments").mkdir(parents=True, exist_ok=True)
    (root / "sources.yaml").write_text(SOURCES, encoding="utf-8")
    for number in range(files):
        inst_id = f"CN-GENERATED-{number}"
        text = instrument(inst_id, limbs, min(items, limbs))
        (root / "instruments" / f"{inst_id}.yaml").write_text(text, encoding="utf-8")
    return root


# -- One load, in a fresh process ----------------------------------------------------------------

CHILD = r"""
import json, os, sys, time
from pathlib import Path

def rss(field):
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) * 1024
    return 0

mode, directory = sys.argv[1], Path(sys.argv[2])
if mode == "baseline":
    import yaml
    from rarex.core.schema import Instrument, SourceRegistry
    def load():
        SourceRegistry.model_validate(
            yaml.safe_load((directory / "sources.yaml").read_text(encoding="utf-8")))
        for path in sorted((directory / "instruments").glob("*.yaml")):
            Instrument.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))
        return None
else:
    from rarex.io.rule_loader import load_rules
    load_rules()  # imports and the bundled rules' first reading are not measured
    try:
        from rarex.io.strict_yaml import ReadLimits
        limits = {"limits": ReadLimits(max_file_bytes=1 << 30)}
    except ImportError:  # the code before the limits
        limits = {}
    def load():
        return load_rules(directory, **limits).rulebook.sha256
try:
    Path("/proc/self/clear_refs").write_text("5")  # reset the RSS high-water mark
except OSError:
    pass
before = rss("VmRSS")
start, cpu = time.perf_counter(), time.process_time()
sha = load()
wall, cpu = time.perf_counter() - start, time.process_time() - cpu
print(json.dumps({"wall": wall, "cpu": cpu, "peak": rss("VmHWM") - before, "sha": sha}))
"""


def run_once(mode: str, directory: Path, src: Path) -> dict[str, float | str | None]:
    env = {**os.environ, "PYTHONPATH": str(src)}
    out = subprocess.run(
        [sys.executable, "-c", CHILD, mode, str(directory)],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    result: dict[str, float | str | None] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def bench(
    name: str, directory: Path, modes: dict[str, Path], repeats: int, baseline_rounds: int
) -> dict[str, dict[str, float]]:
    runs: dict[str, list[dict[str, float | str | None]]] = {mode: [] for mode in modes}
    for round_ in range(repeats):
        for mode, src in modes.items():
            if mode == "baseline" and round_ >= baseline_rounds:
                continue
            result = run_once(mode, directory, src)
            runs[mode].append(result)
            print(
                f"  {name} round {round_ + 1}: {mode:8s} wall {result['wall']:.2f} s, "
                f"cpu {result['cpu']:.2f} s",
                flush=True,
            )
    hashes = {mode: {r["sha"] for r in results} for mode, results in runs.items()}
    if "before" in hashes and hashes["before"] != hashes["rarex"]:
        raise SystemExit(f"the two trees give different rulebooks: {hashes}")
    summary = {}
    for mode, results in runs.items():
        summary[mode] = {
            key: statistics.median(float(r[key] or 0.0) for r in results)
            for key in ("wall", "cpu", "peak")
        }
    return summary


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before-src", type=Path, help="a source tree to compare with")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="a tenth of the sizes")
    parser.add_argument("--no-baseline", action="store_true")
    parser.add_argument(
        "--baseline-rounds", type=int, default=1, help="rounds that run the (slow) baseline"
    )
    parser.add_argument("--json", type=Path, help="write the medians here")
    args = parser.parse_args()
    scale = 10 if args.quick else 1
    modes = {"rarex": SRC}
    if args.before_src is not None:
        modes["before"] = args.before_src
    if not args.no_baseline:
        modes["baseline"] = SRC
    cases = {
        f"1 file x {200_000 // scale:,} limbs": (1, 200_000 // scale),
        f"{2_000 // scale:,} files x 100 limbs": (2_000 // scale, 100),
    }
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        for name, (files, limbs) in cases.items():
            directory = generate(Path(tmp) / name.replace(" ", "_"), files, limbs)
            size = sum(p.stat().st_size for p in directory.rglob("*.yaml"))
            print(f"{name}: {size / 1e6:.1f} MB", flush=True)
            results[name] = bench(name, directory, modes, args.repeats, args.baseline_rounds)
    print()
    print("| case | loader | wall s (median) | CPU s (median) | peak MB above start |")
    print("|---|---|---:|---:|---:|")
    for name, summary in results.items():
        for mode, figures in summary.items():
            print(
                f"| {name} | {mode} | {figures['wall']:.2f} | {figures['cpu']:.2f} | "
                f"{figures['peak'] / 1e6:,.0f} |"
            )
        if "before" in summary:
            ratio = summary["before"]["wall"] / summary["rarex"]["wall"]
            cpu_ratio = summary["before"]["cpu"] / summary["rarex"]["cpu"]
            print(f"| {name} | before / rarex | {ratio:.1f}x | {cpu_ratio:.1f}x | |")
    if args.json is not None:
        args.json.write_text(json.dumps(results, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
