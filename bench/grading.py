"""Benchmark the grading engine on the real completions in ../shared/data/real-outputs/.

Grades every completion of the four files with every registered profile through the pool
(cold cache, then warm cache), and times the baseline (one process, no pool, no cache,
no timeout) on a random subset, extrapolated to the whole grid (it is said so in the
output). Prints grades/s, per-profile median and p99 step times, cache hit rate,
timeouts/errors and wall time, and the speed-up over the baseline.

    python bench/grading.py [--baseline-sample 300] [--workers N] [--repeats 1]
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data" / "real-outputs"


def load_requests():
    from rlvr_audit.grading.base import GradeRequest

    requests = []
    for path in sorted(DATA.glob("*.jsonl.gz")):
        with gzip.open(path, "rt", encoding="utf-8") as fh:
            for line in fh:
                r = json.loads(line)
                requests.append(GradeRequest(r["completion"], str(r["answer"]), r.get("solution")))
    return requests


def available_profiles() -> tuple[list[str], list[str]]:
    from rlvr_audit.grading.registry import get_profile, profile_names

    ok, missing = [], []
    for name in profile_names():
        try:
            get_profile(name)
            ok.append(name)
        except ImportError:
            missing.append(name)
    return ok, missing


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline-sample", type=int, default=300, help="items timed in-process (0 = all)")
    parser.add_argument("--workers", type=int, default=None, help="pool size (default: all cores)")
    parser.add_argument("--timeout", type=float, default=5.0)
    parser.add_argument("--repeats", type=int, default=1, help="runs per mode; the median wall time is reported")
    parser.add_argument("--limit", type=int, default=0, help="grade only the first N items (quick checks)")
    parser.add_argument(
        "--sample", type=int, default=0, help="grade N random items across all files instead of all (slow machines)"
    )
    parser.add_argument(
        "--cache-file",
        type=Path,
        default=None,
        help="SQLite cache to fill (emptied first; default: in memory only). Point "
        "$RLVR_AUDIT_HOME/grade-cache.sqlite here to reuse the verdicts with `rlvr-audit grade`.",
    )
    args = parser.parse_args()

    from rich.console import Console
    from rich.table import Table

    from rlvr_audit.grading.engine.cache import GradeCache
    from rlvr_audit.grading.engine.pool import grade_many

    console = Console(width=max(100, Console().width))
    if not DATA.is_dir():
        console.print(f"{DATA} is absent: nothing to benchmark")
        return 1
    requests = load_requests()
    if args.limit:
        requests = requests[: args.limit]
    if args.sample and args.sample < len(requests):
        total = len(requests)
        requests = random.Random(1).sample(requests, args.sample)
        console.print(f"[yellow]grading a random sample of {args.sample} of the {total} completions[/]")
    profiles, missing = available_profiles()
    if missing:
        console.print(f"[yellow]profiles not importable yet, skipped: {', '.join(missing)}[/]")
    grades = len(requests) * len(profiles)
    console.print(f"{len(requests)} completions x {len(profiles)} profiles = {grades} grades")

    rows = []
    cold_walls, warm_walls, cold = [], [], None
    for _ in range(args.repeats):
        if args.cache_file is not None:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{args.cache_file}{suffix}").unlink(missing_ok=True)
        cache = GradeCache(args.cache_file)
        batch = grade_many(requests, profiles, workers=args.workers, timeout=args.timeout, cache=cache)
        cold_walls.append(batch.stats.wall_s)
        cold = cold or batch
        warm = grade_many(requests, profiles, workers=args.workers, timeout=args.timeout, cache=cache)
        warm_walls.append(warm.stats.wall_s)
    assert cold is not None

    sample_n = len(requests) if args.baseline_sample <= 0 else min(args.baseline_sample, len(requests))
    rng = random.Random(0)
    sample_idx = sorted(rng.sample(range(len(requests)), sample_n))
    sample = [requests[i] for i in sample_idx]
    base_walls = []
    for _ in range(args.repeats):
        base = grade_many(sample, profiles, workers=0, cache=None)
        base_walls.append(base.stats.wall_s)
    base_wall = statistics.median(base_walls) * len(requests) / sample_n
    # Same verdicts as the pool on the sample (timeouts aside: the baseline has no limit).
    disagree = sum(
        1
        for i, row in zip(sample_idx, base.grades)
        for p in profiles
        if cold.grades[i][p] != row[p] and cold.grades[i][p].status != "timeout"
    )

    def add(mode, wall, stats):
        judged = stats.judge_keys
        rate = stats.cache_hits / judged if judged else 0.0
        rows.append(
            [
                mode,
                f"{wall:.1f}",
                f"{grades / wall:,.0f}",
                f"{stats.judged:,}",
                f"{100 * rate:.0f}%",
                str(stats.timeouts),
                str(stats.errors),
                f"{base_wall / wall:.1f}x",
            ]
        )

    add("pool, cold cache", statistics.median(cold_walls), cold.stats)
    add("pool, warm cache", statistics.median(warm_walls), warm.stats)
    extrapolated = sample_n < len(requests)
    add("baseline*" if extrapolated else "baseline", base_wall, base.stats)
    caption = "baseline = one process, no pool, no cache, no timeout"
    if extrapolated:
        caption += f"; * timed on {sample_n} random items and extrapolated (judged/timeouts/errors are the sample's)"

    table = Table(
        title=f"{grades:,} grades ({len(requests):,} completions x {len(profiles)} profiles), "
        f"{cold.stats.workers} workers, timeout {args.timeout:g} s, median of {args.repeats}",
        caption=caption,
    )
    for col in ("mode", "wall s", "grades/s", "judged", "hit %", "t/o", "err", "speed-up"):
        table.add_column(col, justify="left" if col == "mode" else "right", no_wrap=True)
    for row in rows:
        table.add_row(*row)
    console.print(table)

    steps = Table(title="per-profile step times, cold run (gold/extract/judge calls, ms)")
    for col in ("profile", "steps", "median", "p99", "max", "total s", "t/o", "err"):
        steps.add_column(col, justify="left" if col == "profile" else "right", no_wrap=True)
    for p in profiles:
        times = cold.stats.timings_ms[p]
        statuses = [row[p].status for row in cold.grades]
        steps.add_row(
            p,
            f"{len(times):,}",
            f"{statistics.median(times):.2f}" if times else "-",
            f"{percentile(times, 0.99):.1f}",
            f"{max(times, default=0):.0f}",
            f"{sum(times) / 1000:.1f}",
            str(statuses.count("timeout")),
            str(statuses.count("error")),
        )
    console.print(steps)
    console.print(
        f"pool vs in-process verdicts on the {sample_n} baseline items: {disagree} disagreements (timeouts excluded)"
    )
    console.print(
        f"machine: {cold.stats.workers} workers; baseline walls {', '.join(f'{w:.1f}' for w in base_walls)} s "
        f"on {sample_n} items"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
