"""Claimed vs adjusted gains of trained runs over a base run (definitions: DESIGN.md).

`compare_runs(base, trained, ...)` returns a `Comparison`: per trained run the claimed gain
(the "as claimed" cell, or against a reported baseline), the adjusted gain (best cell vs
best cell, with a selection-aware paired bootstrap CI), matched gains per cell, a paired
significance test, a verdict and a decomposition of the claimed-cell gain. Accuracies and
gains are in points (0-100). `Comparison.to_dict()` follows the versioned schema in
docs/compare-json.md. No torch here: comparing runs works on any laptop.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from rlvr_audit.analysis import stats
from rlvr_audit.comparison.decompose import decompose
from rlvr_audit.core.errors import AuditError
from rlvr_audit.store.run import Run

SCHEMA = "rlvr-audit.compare"
SCHEMA_VERSION = 1

__all__ = ["SCHEMA", "SCHEMA_VERSION", "Comparison", "TrainedResult", "compare_runs", "decompose", "verdict"]


@dataclass
class TrainedResult:
    """Everything `compare` reports about one trained run (points, 0-100)."""

    run: str
    path: str
    claimed: dict[str, Any] | None
    adjusted: dict[str, Any]
    matched: dict[str, Any]
    significance: dict[str, Any] | None
    verdict: str
    verdict_reason: str
    decomposition: dict[str, Any] | None
    cells: dict[str, float] = field(default_factory=dict)  # "template|profile" -> accuracy

    def to_dict(self) -> dict[str, Any]:
        return {
            "run": self.run,
            "path": self.path,
            "claimed": self.claimed,
            "adjusted": self.adjusted,
            "matched": self.matched,
            "significance": self.significance,
            "verdict": self.verdict,
            "verdict_reason": self.verdict_reason,
            "decomposition": self.decomposition,
            "cells": self.cells,
        }


@dataclass
class Comparison:
    """The result of `compare_runs`; render with `rlvr_audit.report.comparison_tables`."""

    base: str
    base_path: str
    benchmark: dict[str, Any]
    base_cells: dict[str, float]
    trained: list[TrainedResult]
    level: float
    n_boot: int
    seed: int
    profiles: list[str]
    templates: list[str]
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "schema": SCHEMA,
            "schema_version": SCHEMA_VERSION,
            "benchmark": self.benchmark,
            "base": {"run": self.base, "path": self.base_path, "cells": self.base_cells},
            "settings": {
                "level": self.level,
                "n_boot": self.n_boot,
                "seed": self.seed,
                "profiles": self.profiles,
                "templates": self.templates,
            },
            "trained": [t.to_dict() for t in self.trained],
            "notes": self.notes,
        }

    def gain_matrix(self, index: int = 0) -> tuple[np.ndarray, list[str], list[str]]:
        """Matched gains of trained run `index` as [templates x profiles] (NaN where a cell
        is missing in either run), with row and column labels, for the heatmap."""
        result = self.trained[index]
        rows = [t for t in self.templates if any(c["template"] == t for c in result.matched["cells"])]
        cols = [p for p in self.profiles if any(c["profile"] == p for c in result.matched["cells"])]
        values = np.full((len(rows), len(cols)), np.nan)
        for c in result.matched["cells"]:
            if c["template"] in rows and c["profile"] in cols:
                values[rows.index(c["template"]), cols.index(c["profile"])] = c["gain"]
        return values, rows, cols


# -- verdict ------------------------------------------------------------------------------

# A claim "holds" when the adjusted gain keeps at least this share of the claimed gain (or the
# claimed gain is inside the adjusted CI); below it, with a CI above 0, it "shrinks".
HOLDS_RATIO = 0.8


def verdict(claimed: float | None, adjusted: float, low: float, high: float) -> tuple[str, str]:
    """(verdict, one-line reason) from the adjusted gain and its CI (points). Rules, in order:

    - reverses: the CI lies entirely below 0 (high < 0);
    - vanishes: the CI includes 0 (low <= 0 <= high);
    - holds: no positive claimed gain to compare with, or the claimed gain is inside or below
      the CI (claimed <= high), or adjusted / claimed >= HOLDS_RATIO;
    - shrinks: otherwise (a real gain, but clearly smaller than claimed).
    """
    ci = f"[{low:+.1f}, {high:+.1f}]"
    if high < 0:
        return "reverses", f"adjusted gain {adjusted:+.1f} with CI {ci} entirely below 0"
    if low <= 0:
        return "vanishes", f"adjusted gain {adjusted:+.1f} with CI {ci} includes 0"
    if claimed is None or claimed <= 0:
        return "holds", f"adjusted gain {adjusted:+.1f} with CI {ci} above 0"
    ratio = adjusted / claimed
    if claimed <= high or ratio >= HOLDS_RATIO:
        return "holds", f"adjusted {adjusted:+.1f} (CI {ci}) keeps {ratio:.0%} of the claimed {claimed:+.1f}"
    return "shrinks", f"adjusted {adjusted:+.1f} (CI {ci}) is {ratio:.0%} of the claimed {claimed:+.1f}"


# -- loading cells ------------------------------------------------------------------------


class _CellSource:
    """A run's outcome matrices with rows aligned to a shared problem order, read once."""

    def __init__(self, run: Run, order: list[str]):
        self.run = run
        ids = [p.id for p in run.problems()]
        pos = {pid: i for i, pid in enumerate(ids)}
        self.rows = np.array([pos.get(pid, -1) for pid in order])
        self._cache: dict[tuple[str, str, str], np.ndarray] = {}

    def get(self, template: str, profile: str, what: str = "correct") -> np.ndarray:
        key = (template, profile, what)
        if key not in self._cache:
            raw = self.run.matrix(template, profile, what)
            filler = np.nan if what == "correct" else None
            out = np.full((len(self.rows), raw.shape[1]), filler, dtype=raw.dtype)
            present = self.rows >= 0
            out[present] = raw[self.rows[present]]
            self._cache[key] = out
        return self._cache[key]

    def completions(self, template: str, order: list[str]) -> list[list[str | None]]:
        gens = self.run.generations()
        n = self.run.sampling.n
        return [[(g.completion if (g := gens.get((pid, template, s))) else None) for s in range(n)] for pid in order]


def _cells_of(run: Run, templates: Sequence[str] | None, profiles: Sequence[str] | None) -> list[tuple[str, str]]:
    cells = run.cells()
    if templates:
        cells = [c for c in cells if c[0] in templates]
    if profiles:
        cells = [c for c in cells if c[1] in profiles]
    return cells


def check_same_benchmark(base: Run, other: Run) -> None:
    """One-line AuditError showing both identities when two runs' benchmarks differ."""
    a, b = base.benchmark_identity, other.benchmark_identity
    if a != b:

        def show(x: dict[str, Any]) -> str:
            return f"{x.get('name')} (size {x.get('size')}, hash {x.get('hash')})"

        raise AuditError(
            f"runs do not share a benchmark: {base.name} is on {show(a)}, {other.name} is on {show(b)}",
            "compare runs evaluated on the same benchmark file",
        )


def _pct(x: float) -> float:
    return round(100.0 * float(x), 4)


def _key(template: str, profile: str) -> str:
    return f"{template}|{profile}"


# -- the comparison -----------------------------------------------------------------------


def compare_runs(
    base: Run,
    trained: Sequence[Run],
    *,
    as_claimed: tuple[str, str] | None = None,
    reported_baseline: float | None = None,
    profiles: Sequence[str] | None = None,
    templates: Sequence[str] | None = None,
    level: float = 0.95,
    n_boot: int = 2000,
    seed: int = 0,
) -> Comparison:
    """Compare each trained run with the base run.

    `as_claimed` (template, profile) overrides the trained run's manifest; `reported_baseline`
    (points) replaces the base run's accuracy in the claimed gain. `profiles`/`templates`
    restrict the grid. Raises AuditError when benchmarks differ or a run has no grades."""
    if not trained:
        raise AuditError("compare needs at least one trained run", "pass BASE_RUN TRAINED_RUN [MORE_RUNS...]")
    for run in trained:
        check_same_benchmark(base, run)
    order = [p.id for p in base.problems()]
    base_src = _CellSource(base, order)
    base_cells = _cells_of(base, templates, profiles)
    if not base_cells:
        raise AuditError(f"{base.name} has no graded cells", f"grade it first: rlvr-audit grade {base.path}")
    base_acc = {c: stats.avg_at_n(base_src.get(*c)) for c in base_cells}
    all_profiles: list[str] = []
    all_templates: list[str] = []
    notes: list[str] = []
    results = []
    for i, run in enumerate(trained):
        src = _CellSource(run, order)
        cells = _cells_of(run, templates, profiles)
        if not cells:
            raise AuditError(f"{run.name} has no graded cells", f"grade it first: rlvr-audit grade {run.path}")
        for t, p in base_cells + cells:
            if t not in all_templates:
                all_templates.append(t)
            if p not in all_profiles:
                all_profiles.append(p)
        results.append(
            _compare_one(
                base,
                base_src,
                base_cells,
                base_acc,
                run,
                src,
                cells,
                order,
                as_claimed=as_claimed,
                reported_baseline=reported_baseline,
                level=level,
                n_boot=n_boot,
                seed=seed + i,
                notes=notes,
            )
        )
    return Comparison(
        base=base.name,
        base_path=str(base.path),
        benchmark=base.benchmark_identity,
        base_cells={_key(*c): _pct(v) for c, v in base_acc.items()},
        trained=results,
        level=level,
        n_boot=n_boot,
        seed=seed,
        profiles=all_profiles,
        templates=all_templates,
        notes=notes,
    )


def _claimed_cell(run: Run, as_claimed: tuple[str, str] | None) -> tuple[str, str] | None:
    if as_claimed:
        return tuple(as_claimed)  # type: ignore[return-value]
    recorded = run.manifest.get("as_claimed")
    if isinstance(recorded, dict) and recorded.get("template") and recorded.get("profile"):
        return recorded["template"], recorded["profile"]
    return None


def _compare_one(
    base: Run,
    base_src: _CellSource,
    base_cells,
    base_acc,
    run: Run,
    src: _CellSource,
    cells,
    order: list[str],
    *,
    as_claimed,
    reported_baseline,
    level,
    n_boot,
    seed,
    notes,
) -> TrainedResult:
    acc = {c: stats.avg_at_n(src.get(*c)) for c in cells}
    # Adjusted: each model under its own best evaluation, the selection paid for in the CI.
    best_t = max(acc, key=lambda c: acc[c])
    best_b = max(base_acc, key=lambda c: base_acc[c])
    sel = stats.selection_aware_max_diff(
        [src.get(*c) for c in cells], [base_src.get(*c) for c in base_cells], level=level, n_boot=n_boot, seed=seed
    )
    naive = stats.naive_max_diff(
        [src.get(*c) for c in cells], [base_src.get(*c) for c in base_cells], level=level, n_boot=n_boot, seed=seed
    )
    adjusted = {
        "gain": _pct(sel.estimate),
        "low": _pct(sel.low),
        "high": _pct(sel.high),
        "level": level,
        "trained_best": {"template": best_t[0], "profile": best_t[1], "accuracy": _pct(acc[best_t])},
        "base_best": {"template": best_b[0], "profile": best_b[1], "accuracy": _pct(base_acc[best_b])},
        "naive_low": _pct(naive.low),
        "naive_high": _pct(naive.high),
        "n_cells": {"trained": len(cells), "base": len(base_cells)},
    }
    # Matched: the same evaluation on both sides, every cell both runs have.
    matched_cells = []
    for c in cells:
        if c in base_acc:
            d = stats.paired_bootstrap_diff(src.get(*c), base_src.get(*c), level=level, n_boot=n_boot, seed=seed)
            matched_cells.append(
                {
                    "template": c[0],
                    "profile": c[1],
                    "base": _pct(base_acc[c]),
                    "trained": _pct(acc[c]),
                    "gain": _pct(d.estimate),
                    "low": _pct(d.low),
                    "high": _pct(d.high),
                }
            )
    gains = [m["gain"] for m in matched_cells]
    matched = {
        "cells": matched_cells,
        "min": min(gains) if gains else None,
        "median": statistics.median(gains) if gains else None,
        "max": max(gains) if gains else None,
    }
    claimed, significance, decomposition = None, None, None
    cell = _claimed_cell(run, as_claimed)
    if cell is not None and cell not in acc:
        raise AuditError(
            f"the as-claimed cell {cell[0]}:{cell[1]} is not graded in {run.name}",
            f"pick one of: {', '.join(f'{t}:{p}' for t, p in cells)}",
        )
    if cell is not None and reported_baseline is not None:
        t_ci = stats.bootstrap_ci(src.get(*cell), level=level, n_boot=n_boot, seed=seed)
        gain = 100 * acc[cell] - reported_baseline
        claimed = {
            "template": cell[0],
            "profile": cell[1],
            "source": "reported-baseline",
            "base": float(reported_baseline),
            "trained": _pct(acc[cell]),
            "gain": round(gain, 4),
            "low": round(100 * t_ci[0] - reported_baseline, 4),
            "high": round(100 * t_ci[1] - reported_baseline, 4),
            "level": level,
        }
    elif cell is not None and cell in base_acc:
        d = stats.paired_bootstrap_diff(src.get(*cell), base_src.get(*cell), level=level, n_boot=n_boot, seed=seed)
        claimed = {
            "template": cell[0],
            "profile": cell[1],
            "source": "cell",
            "base": _pct(base_acc[cell]),
            "trained": _pct(acc[cell]),
            "gain": _pct(d.estimate),
            "low": _pct(d.low),
            "high": _pct(d.high),
            "level": level,
        }
    elif cell is not None:
        notes.append(
            f"{run.name}: the as-claimed cell {cell[0]}:{cell[1]} is not graded in {base.name}; "
            "pass --reported-baseline X to get a claimed gain"
        )
    elif reported_baseline is not None:
        raise AuditError(
            f"--reported-baseline needs the cell the claim used, and {run.name} records none",
            "pass --as-claimed TEMPLATE:PROFILE",
        )
    else:
        notes.append(f"{run.name}: no as-claimed cell recorded; pass --as-claimed TEMPLATE:PROFILE for a claimed gain")
    if cell is not None and cell in base_acc:
        significance = {
            "cell": {"template": cell[0], "profile": cell[1]},
            **stats.paired_test(src.get(*cell), base_src.get(*cell), seed=seed),
        }
        decomposition = decompose(
            base_status=base_src.get(*cell, what="status"),
            trained_status=src.get(*cell, what="status"),
            base_text=base_src.completions(cell[0], order),
            trained_text=src.completions(cell[0], order),
        )
    elif best_t in base_acc and best_t == best_b:
        significance = {
            "cell": {"template": best_t[0], "profile": best_t[1]},
            **stats.paired_test(src.get(*best_t), base_src.get(*best_t), seed=seed),
        }
    claimed_gain = claimed["gain"] if claimed else None
    name, reason = verdict(claimed_gain, adjusted["gain"], adjusted["low"], adjusted["high"])
    return TrainedResult(
        run=run.name,
        path=str(run.path),
        claimed=claimed,
        adjusted=adjusted,
        matched=matched,
        significance=significance,
        verdict=name,
        verdict_reason=reason,
        decomposition=decomposition,
        cells={_key(*c): _pct(v) for c, v in acc.items()},
    )
