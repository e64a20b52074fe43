"""The numbers behind one grid: a `Cell` per (template, profile) and the per-template
generation facts. Definitions are in `rlvr_audit.analysis.grid`."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from rlvr_audit.analysis.stats import avg_at_n, bootstrap_ci, pass_at_k
from rlvr_audit.analysis.voting import Equivalence, ballot, maj_at_k
from rlvr_audit.store.run import Run

# Accuracy is over every graded sample: a `timeout` or `error` grade is not a verdict, but
# it scores 0 until a later `grade` retries it. Cells count each status apart (`counts`).
ACCURACY_COUNTS = "timeout and error as incorrect"


@dataclass
class Cell:
    """One (template, profile) result; accuracy numbers are percentages."""

    template: str
    profile: str
    accuracy: float
    low: float
    high: float
    n: int
    counts: dict[str, int]
    parsable: float
    pass_at: dict[int, float] = field(default_factory=dict)
    maj_at: dict[int, float] = field(default_factory=dict)

    def contains(self, value: float) -> bool:
        return not math.isnan(self.low) and self.low <= value <= self.high


def json_number(value: float | None) -> float | None:
    """Round for output; NaN -> None (JSON has no NaN)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return round(float(value), 2)


def sample_ks(n: int) -> list[int]:
    """The k of pass@k and maj@k for n samples: 1, 2, 4, ... up to n, and n itself."""
    ks, k = [], 1
    while k <= n:
        ks.append(k)
        k *= 2
    if n > 1 and n not in ks:
        ks.append(n)
    return ks


def compute_cell(
    run: Run, template: str, profile: str, *, level: float, n_boot: int, seed: int, same: Equivalence | None
) -> Cell:
    """The cell (template, profile) of `run`; pass@k and maj@k when it has several samples."""
    correct = run.matrix(template, profile, "correct")
    status = run.matrix(template, profile, "status")
    counts = {s: int(v) for s, v in zip(*np.unique(status[status != "missing"].astype(str), return_counts=True))}
    graded = int(np.sum(~np.isnan(correct)))
    low, high = bootstrap_ci(correct, level=level, n_boot=n_boot, seed=seed)
    cell = Cell(
        template,
        profile,
        100 * avg_at_n(correct),
        100 * low,
        100 * high,
        int(np.sum(np.any(~np.isnan(correct), axis=1))),
        counts,
        100 * (1 - counts.get("no_answer", 0) / graded) if graded else float("nan"),
    )
    if run.sampling.n > 1 and graded:
        _add_sampling_stats(cell, run, correct, status, same)
    return cell


def _add_sampling_stats(
    cell: Cell, run: Run, correct: np.ndarray, status: np.ndarray, same: Equivalence | None
) -> None:
    extracted = run.matrix(cell.template, cell.profile, "extracted")
    complete = ~np.any(np.isnan(correct), axis=1)  # pass@k / maj@k need every sample graded
    if not complete.any():
        return
    ballots, flags = [], []
    for i in np.flatnonzero(complete):
        ballots.append([ballot(str(status[i, s]), a) for s, a in enumerate(extracted[i])])
        flags.append([bool(v) for v in correct[i]])
    for k in sample_ks(run.sampling.n):
        cell.pass_at[k] = 100 * pass_at_k(correct[complete], k)
        cell.maj_at[k] = 100 * maj_at_k(ballots, flags, k, same)


def template_stats(run: Run, template: str, profiles: list[str], cells: dict[tuple[str, str], Cell]) -> dict[str, Any]:
    """Generation facts of one template: parsable (under its recommended profile, else the
    most lenient graded one), truncated, mean tokens and python shares."""
    gens = [g for (_, t, _), g in run.generations().items() if t == template]
    entry = run.manifest.get("templates", {}).get(template, {})
    recommended = entry.get("recommended_profile")
    parsable_profile = recommended if recommended in profiles else None
    if parsable_profile is None:
        candidates = [cells[(template, p)] for p in profiles if (template, p) in cells]
        candidates = [c for c in candidates if not math.isnan(c.parsable)]
        parsable_profile = max(candidates, key=lambda c: c.parsable).profile if candidates else None
    parsable = cells[(template, parsable_profile)].parsable if parsable_profile else float("nan")
    tokens = [g.completion_tokens for g in gens if g.completion_tokens is not None]
    return {
        "generations": len(gens),
        "parsable": json_number(parsable),
        "parsable_profile": parsable_profile,
        "truncated": json_number(100 * sum(g.finish_reason == "length" for g in gens) / len(gens)) if gens else None,
        "tokens": json_number(float(np.mean(tokens))) if tokens else None,
        "python": json_number(100 * sum("python" in g.completion.lower() for g in gens) / len(gens)) if gens else None,
    }
