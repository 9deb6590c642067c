"""How fast the CLI starts, side by side with bare Python start-up, in one run.

Each case is a fresh process, run in turn with the others (round robin) so that a slow moment of
the machine hits every case alike; the figures are medians of wall time.

    .venv/bin/python benchmarks/bench_startup.py              # 21 rounds
    .venv/bin/python benchmarks/bench_startup.py --busy       # with both cores loaded meanwhile
"""

from __future__ import annotations

import argparse
import multiprocessing
import statistics
import subprocess
import sys
import time
from pathlib import Path

PYTHON = sys.executable
RAREX = str(Path(PYTHON).with_name("rarex"))
EVERY_COMMAND_MODULE = (
    "import rarex.cli.assess_cmd, rarex.cli.duties_cmd, rarex.cli.exposure_cmd, "
    "rarex.cli.lists_cmd, rarex.cli.match_cmd, rarex.cli.rules_cmd, rarex.cli.screen_cmd, "
    "rarex.cli.server_cmd"
)
CASES: dict[str, list[str]] = {
    "python -c pass": [PYTHON, "-c", "pass"],
    "rarex --help": [RAREX, "--help"],
    "rarex rules status CN-2025-61": [
        RAREX,
        "rules",
        "status",
        "CN-2025-61",
        "--as-of",
        "2026-11-22",
    ],
    "import every command module (an eager CLI's start-up)": [PYTHON, "-c", EVERY_COMMAND_MODULE],
}


def _burn(stop: float) -> None:
    while time.monotonic() < stop:
        pass


def run(rounds: int, busy: bool) -> dict[str, list[float]]:
    times: dict[str, list[float]] = {name: [] for name in CASES}
    burners: list[multiprocessing.Process] = []
    if busy:
        stop = time.monotonic() + 3600
        burners = [multiprocessing.Process(target=_burn, args=(stop,)) for _ in range(2)]
        for burner in burners:
            burner.start()
    try:
        for argv in CASES.values():  # one warm-up each: the file cache, .pyc files
            subprocess.run(argv, check=True, capture_output=True)
        for _ in range(rounds):
            for name, argv in CASES.items():
                start = time.perf_counter()
                subprocess.run(argv, check=True, capture_output=True)
                times[name].append(time.perf_counter() - start)
    finally:
        for burner in burners:
            burner.terminate()
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=21)
    parser.add_argument("--busy", action="store_true", help="load both cores meanwhile")
    args = parser.parse_args()
    times = run(args.rounds, args.busy)
    bare = statistics.median(times["python -c pass"])
    print(f"{args.rounds} rounds{', both cores busy' if args.busy else ''}; medians")
    print("| case | median | above bare Python | ratio to bare Python |")
    print("|---|---:|---:|---:|")
    for name, values in times.items():
        median = statistics.median(values)
        print(f"| {name} | {median:.3f} s | {median - bare:+.3f} s | {median / bare:.1f}x |")


if __name__ == "__main__":
    main()
