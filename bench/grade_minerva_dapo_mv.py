"""Accuracy per run and time per item of the minerva, dapo, math-verify and sober profiles
on real Qwen2.5-Math-7B completions (../shared/data/real-outputs).

Each item is graded in a worker process with an outside timeout (the worker is killed and
replaced when it overruns; no signal.alarm). For math-verify and sober the worker also
checks that the profile's verdict equals a direct `verify(parse(gold), parse(completion))`.

    python bench/grade_minerva_dapo_mv.py [--profiles minerva,dapo,math-verify,sober]
        [--limit N] [--workers 2] [--timeout 20] [--json out.json]
"""

from __future__ import annotations

import argparse
import gzip
import json
import logging
import multiprocessing as mp
import statistics
import sys
import time
from collections import defaultdict
from multiprocessing.connection import wait
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data"


def _direct(profile: str, completion: str, answer: str, solution: str | None) -> bool:
    """The library called as the harness calls it (timeouts off: the parent enforces)."""
    from math_verify import ExprExtractionConfig, LatexExtractionConfig, parse, verify

    if profile == "math-verify":
        gold = parse("\\boxed{" + answer + "}", parsing_timeout=None)
        pred = parse(completion, parsing_timeout=None)
        return verify(gold, pred, timeout_seconds=None)
    gold_text = solution or "\\boxed{" + answer + "}"
    gold = parse(gold_text, [LatexExtractionConfig()], parsing_timeout=None) or [gold_text]
    pred = parse(
        completion,
        [ExprExtractionConfig(), LatexExtractionConfig(boxed_match_priority=0)],
        parsing_timeout=None,
    )
    return verify(gold, pred, float_rounding=5, timeout_seconds=None)


def _worker(conn, check: bool) -> None:
    logging.disable(logging.WARNING)
    from rlvr_audit.grading.base import GradeRequest
    from rlvr_audit.grading.registry import get_profile

    while True:
        task = conn.recv()
        if task is None:
            return
        key, profile, completion, answer, solution = task
        start = time.perf_counter()
        grade = get_profile(profile).grade_local(GradeRequest(completion, answer, solution))
        elapsed = time.perf_counter() - start
        direct = None
        if check and profile in ("math-verify", "sober"):
            direct = _direct(profile, completion, answer, solution)
        conn.send((key, grade.status, elapsed, direct))


class _Pool:
    """Workers fed one task at a time; a worker past its deadline is killed and replaced."""

    def __init__(self, size: int, timeout: float, check: bool, progress: int = 0):
        self.timeout, self.check, self.progress = timeout, check, progress
        self.slots = [self._spawn() for _ in range(size)]

    def _spawn(self):
        parent, child = mp.Pipe()
        proc = mp.Process(target=_worker, args=(child, self.check), daemon=True)
        proc.start()
        return {"proc": proc, "conn": parent, "task": None, "since": 0.0}

    def run(self, tasks):
        pending, results = list(reversed(tasks)), {}
        while pending or any(s["task"] for s in self.slots):
            for slot in self.slots:
                if slot["task"] is None and pending:
                    slot["task"], slot["since"] = pending.pop(), time.monotonic()
                    slot["conn"].send(slot["task"])
            busy = [s["conn"] for s in self.slots if s["task"]]
            for conn in wait(busy, timeout=0.5):
                index = next(i for i, s in enumerate(self.slots) if s["conn"] is conn)
                slot = self.slots[index]
                try:
                    key, status, elapsed, direct = conn.recv()
                except EOFError:  # the worker died: count it, replace it
                    key, status, elapsed, direct = slot["task"][0], "crash", 0.0, None
                    slot["proc"].join()
                    self.slots[index] = self._spawn()
                results[key] = (status, elapsed, direct)
                slot["task"] = None
                if self.progress and len(results) % self.progress == 0:
                    print(f"{len(results)}/{len(tasks)} graded", file=sys.stderr, flush=True)
            now = time.monotonic()
            for index, slot in enumerate(self.slots):
                if slot["task"] and now - slot["since"] > self.timeout:
                    results[slot["task"][0]] = ("timeout", self.timeout, None)
                    slot["proc"].kill()  # our own worker, by its handle
                    slot["proc"].join()
                    self.slots[index] = self._spawn()
        return results

    def close(self):
        for slot in self.slots:
            slot["conn"].send(None)
            slot["proc"].join(timeout=5)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--profiles", default="minerva,dapo,math-verify,sober")
    parser.add_argument("--file", default="qwen25-math-7b_math500.jsonl.gz")
    parser.add_argument("--limit", type=int, default=0, help="items per run (0 = all)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--timeout", type=float, default=20.0)
    parser.add_argument("--no-check", action="store_true")
    parser.add_argument("--json", default="")
    args = parser.parse_args()

    solutions = {
        row["unique_id"]: row["solution"] for row in map(json.loads, (DATA / "benchmarks" / "math500.jsonl").open())
    }
    records = [json.loads(line) for line in gzip.open(DATA / "real-outputs" / args.file, "rt")]
    if args.limit:
        seen: dict[str, int] = defaultdict(int)
        kept = []
        for rec in records:
            if seen[rec["run"]] < args.limit:
                seen[rec["run"]] += 1
                kept.append(rec)
        records = kept
    profiles = args.profiles.split(",")
    tasks = [
        ((p, i), p, rec["completion"], rec["answer"], solutions.get(rec["id"]))
        for p in profiles
        for i, rec in enumerate(records)
    ]
    pool = _Pool(args.workers, args.timeout, not args.no_check, progress=500)
    started = time.monotonic()
    results = pool.run(tasks)
    pool.close()
    wall = time.monotonic() - started

    from rich.console import Console
    from rich.table import Table

    runs = sorted({rec["run"] for rec in records})
    acc = Table(title=f"accuracy per run ({args.file}, {len(records)} items)")
    acc.add_column("run")
    for p in profiles:
        acc.add_column(p, justify="right")
    summary: dict = {"wall_s": wall, "runs": {}, "profiles": {}}
    for run in runs:
        idx = [i for i, rec in enumerate(records) if rec["run"] == run]
        cells = []
        for p in profiles:
            value = sum(results[(p, i)][0] == "correct" for i in idx) / len(idx)
            summary["runs"].setdefault(run, {})[p] = value
            cells.append(f"{100 * value:.1f}")
        acc.add_row(run, *cells)
    speed = Table(title=f"time per item (in-worker; wall {wall:.0f} s, {args.workers} workers)")
    columns = ("profile", "median ms", "p99 ms", "p99 ms (no timeouts)", "max ms", "timeouts", "errors", "mismatches")
    for col in columns:
        speed.add_column(col, justify="right")
    for p in profiles:
        rows = [results[(p, i)] for i in range(len(records))]
        times = sorted(r[1] for r in rows)
        p99 = times[min(len(times) - 1, int(0.99 * len(times)))]
        mismatched = [i for i, r in enumerate(rows) if r[2] is not None and (r[0] == "correct") != r[2]]
        statuses = [r[0] for r in rows]
        finished = sorted(r[1] for r in rows if r[0] != "timeout") or [0.0]
        p99_finished = finished[min(len(finished) - 1, int(0.99 * len(finished)))]
        summary["profiles"][p] = {
            "median_s": statistics.median(times),
            "p99_s": p99,
            "max_s": times[-1],
            "p99_finished_s": p99_finished,
            "timeouts": statuses.count("timeout"),
            "errors": statuses.count("error"),
            "mismatches": [(records[i]["run"], records[i]["id"]) for i in mismatched],
            "timeout_items": [(records[i]["run"], records[i]["id"]) for i, r in enumerate(rows) if r[0] == "timeout"],
            "checked": sum(r[2] is not None for r in rows),
        }
        speed.add_row(
            p,
            f"{1000 * statistics.median(times):.1f}",
            f"{1000 * p99:.1f}",
            f"{1000 * p99_finished:.1f}",
            f"{1000 * times[-1]:.0f}",
            str(statuses.count("timeout")),
            str(statuses.count("error")),
            f"{len(mismatched)}/{summary['profiles'][p]['checked']}",
        )
    console = Console()
    console.print(acc)
    console.print(speed)
    if args.json:
        Path(args.json).write_text(json.dumps(summary, indent=2))


if __name__ == "__main__":
    main()
