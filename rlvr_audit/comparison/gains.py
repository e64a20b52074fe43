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
from rlvr_audit.comparison.cells import CellKey, Side, cell_key, check_comparable, check_same_benchmark, pct
from rlvr_audit.comparison.decompose import decompose
from rlvr_audit.core.errors import AuditError
from rlvr_audit.store.run import Run

SCHEMA = "rlvr-audit.compare"
SCHEMA_VERSION = 1

__all__ = [
    "SCHEMA",
    "SCHEMA_VERSION",
    "Comparison",
    "TrainedResult",
    "VERDICTS",
    "check_same_benchmark",
    "compare_runs",
    "decompose",
    "verdict",
]


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

VERDICTS = ("holds", "shrinks", "inconclusive", "vanishes", "reverses")


def verdict(claimed: float | None, adjusted: float, low: float, high: float) -> tuple[str, str]:
    """(verdict, one-line reason) from the adjusted gain and its CI (points). Rules, in order:

    - reverses: the CI lies entirely below 0 (high < 0);
    - inconclusive: there is a non-zero claimed gain and the CI spans both 0 and it
      (low <= min(0, claimed) and high >= max(0, claimed)): the data cannot tell the claim
      from no gain at all;
    - vanishes: the CI includes 0 (low <= 0 <= high);
    - holds: no positive claimed gain to compare with, or the claimed gain is inside or below
      the CI (claimed <= high), or adjusted / claimed >= HOLDS_RATIO;
    - shrinks: otherwise (a real gain, but clearly smaller than claimed).
    """
    ci = f"[{low:+.1f}, {high:+.1f}]"
    if high < 0:
        return "reverses", f"adjusted gain {adjusted:+.1f} with CI {ci} entirely below 0"
    if claimed and low <= min(0.0, claimed) and high >= max(0.0, claimed):
        return "inconclusive", (
            f"adjusted gain {adjusted:+.1f} with CI {ci} includes both 0 and the claimed {claimed:+.1f}"
        )
    if low <= 0:
        return "vanishes", f"adjusted gain {adjusted:+.1f} with CI {ci} includes 0"
    if claimed is None or claimed <= 0:
        return "holds", f"adjusted gain {adjusted:+.1f} with CI {ci} above 0"
    ratio = adjusted / claimed
    if claimed <= high or ratio >= HOLDS_RATIO:
        return "holds", f"adjusted {adjusted:+.1f} (CI {ci}) keeps {ratio:.0%} of the claimed {claimed:+.1f}"
    return "shrinks", f"adjusted {adjusted:+.1f} (CI {ci}) is {ratio:.0%} of the claimed {claimed:+.1f}"


# -- the comparison -----------------------------------------------------------------------


@dataclass(frozen=True)
class _Pairing:
    """One trained run against the base, with the bootstrap settings of this comparison."""

    base: Side
    trained: Side
    level: float
    n_boot: int
    seed: int

    def diff(self, cell: CellKey) -> stats.Interval:
        """The paired bootstrap gain of one cell both runs have (fractions)."""
        t, b = self.trained.src.get(*cell), self.base.src.get(*cell)
        return stats.paired_bootstrap_diff(t, b, level=self.level, n_boot=self.n_boot, seed=self.seed)

    def test(self, cell: CellKey) -> dict[str, Any]:
        """The paired significance test in one cell, naming the cell."""
        t, b = self.trained.src.get(*cell), self.base.src.get(*cell)
        return {"cell": {"template": cell[0], "profile": cell[1]}, **stats.paired_test(t, b, seed=self.seed)}


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
    notes: list[str] = []
    for run in trained:
        check_same_benchmark(base, run)
        check_comparable(base, run, cells_chosen=bool(profiles or templates), notes=notes)
    order = [p.id for p in base.problems()]
    base_side = Side.load(base, order, templates, profiles)
    all_cells: list[CellKey] = []
    results = []
    for i, run in enumerate(trained):
        side = Side.load(run, order, templates, profiles)
        all_cells += base_side.cells + side.cells
        pairing = _Pairing(base_side, side, level, n_boot, seed + i)
        results.append(_compare_one(pairing, as_claimed=as_claimed, reported_baseline=reported_baseline, notes=notes))
    return Comparison(
        base=base.name,
        base_path=str(base.path),
        benchmark=base.benchmark_identity,
        base_cells={cell_key(*c): pct(v) for c, v in base_side.acc.items()},
        trained=results,
        level=level,
        n_boot=n_boot,
        seed=seed,
        profiles=list(dict.fromkeys(p for _, p in all_cells)),
        templates=list(dict.fromkeys(t for t, _ in all_cells)),
        notes=notes,
    )


def _claimed_cell(run: Run, as_claimed: tuple[str, str] | None) -> CellKey | None:
    if as_claimed:
        return tuple(as_claimed)  # type: ignore[return-value]
    recorded = run.manifest.get("as_claimed")
    if isinstance(recorded, dict) and recorded.get("template") and recorded.get("profile"):
        return recorded["template"], recorded["profile"]
    return None


def _compare_one(
    pairing: _Pairing, *, as_claimed: tuple[str, str] | None, reported_baseline: float | None, notes: list[str]
) -> TrainedResult:
    base, trained = pairing.base, pairing.trained
    adjusted = _adjusted_gain(pairing)
    matched = _matched_gains(pairing)
    cell = _claimed_cell(trained.run, as_claimed)
    if cell is not None and cell not in trained.acc:
        raise AuditError(
            f"the as-claimed cell {cell[0]}:{cell[1]} is not graded in {trained.run.name}",
            f"pick one of: {', '.join(f'{t}:{p}' for t, p in trained.cells)}",
        )
    claimed = _claimed_gain(pairing, cell, reported_baseline, notes)
    significance, decomposition = None, None
    best_t, best_b = trained.best(), base.best()
    if cell is not None and cell in base.acc:
        significance = pairing.test(cell)
        decomposition = decompose(
            base_status=base.src.get(*cell, what="status"),
            trained_status=trained.src.get(*cell, what="status"),
            base_text=base.src.completions(cell[0]),
            trained_text=trained.src.completions(cell[0]),
        )
    elif best_t in base.acc and best_t == best_b:
        significance = pairing.test(best_t)
    if significance is None:
        reason = (
            f"no paired test: no claimed cell graded in both runs, and the best cells differ "
            f"({best_t[0]}:{best_t[1]} vs {best_b[0]}:{best_b[1]})"
        )
        notes.append(f"{trained.run.name}: {reason}")
    if matched["excluded"]:
        shown = ", ".join(f"{c['template']}:{c['profile']}" for c in matched["excluded"])
        notes.append(
            f"{trained.run.name}: {len(matched['excluded'])} cell(s) left out of the matched gains because "
            f"neither run yields an answer there ({shown})"
        )
    claimed_gain = claimed["gain"] if claimed else None
    name, reason = verdict(claimed_gain, adjusted["gain"], adjusted["low"], adjusted["high"])
    return TrainedResult(
        run=trained.run.name,
        path=str(trained.run.path),
        claimed=claimed,
        adjusted=adjusted,
        matched=matched,
        significance=significance,
        verdict=name,
        verdict_reason=reason,
        decomposition=decomposition,
        cells={cell_key(*c): pct(v) for c, v in trained.acc.items()},
    )


def _adjusted_gain(pairing: _Pairing) -> dict[str, Any]:
    """Each model under its own best evaluation, the selection paid for in the CI."""
    base, trained = pairing.base, pairing.trained
    best_t, best_b = trained.best(), base.best()
    boot = {"level": pairing.level, "n_boot": pairing.n_boot, "seed": pairing.seed}
    sel = stats.selection_aware_max_diff(trained.outcomes(), base.outcomes(), **boot)
    naive = stats.naive_max_diff(trained.outcomes(), base.outcomes(), **boot)
    return {
        "gain": pct(sel.estimate),
        "low": pct(sel.low),
        "high": pct(sel.high),
        "level": pairing.level,
        "trained_best": {"template": best_t[0], "profile": best_t[1], "accuracy": pct(trained.acc[best_t])},
        "base_best": {"template": best_b[0], "profile": best_b[1], "accuracy": pct(base.acc[best_b])},
        "naive_low": pct(naive.low),
        "naive_high": pct(naive.high),
        "n_cells": {"trained": len(trained.cells), "base": len(base.cells)},
    }


def _matched_gains(pairing: _Pairing) -> dict[str, Any]:
    """The same evaluation on both sides, in every cell both runs have."""
    base, trained = pairing.base, pairing.trained
    cells = []
    excluded = []
    for c in trained.cells:
        if c in base.acc:
            if not (_answers(base, c) or _answers(trained, c)):
                # 0 vs 0 because neither run's output parses in this cell: not a measured gain.
                excluded.append({"template": c[0], "profile": c[1], "reason": "neither run yields an answer"})
                continue
            d = pairing.diff(c)
            cells.append(
                {
                    "template": c[0],
                    "profile": c[1],
                    "base": pct(base.acc[c]),
                    "trained": pct(trained.acc[c]),
                    "gain": pct(d.estimate),
                    "low": pct(d.low),
                    "high": pct(d.high),
                }
            )
    gains = [m["gain"] for m in cells]
    return {
        "cells": cells,
        "excluded": excluded,
        "min": min(gains) if gains else None,
        "median": statistics.median(gains) if gains else None,
        "max": max(gains) if gains else None,
    }


def _answers(side: Side, cell: CellKey) -> bool:
    """Whether any sample of `side` in `cell` has an extracted answer (graded correct or incorrect)."""
    status = side.src.get(*cell, what="status")
    return bool(np.isin(status, ["correct", "incorrect"]).any())


def _claimed_gain(
    pairing: _Pairing, cell: CellKey | None, reported_baseline: float | None, notes: list[str]
) -> dict[str, Any] | None:
    """The gain in the as-claimed cell, against the base run or a reported baseline; None
    (with a note saying how to get one) when it cannot be computed."""
    base, trained = pairing.base, pairing.trained
    name = trained.run.name
    if cell is None:
        if reported_baseline is not None:
            raise AuditError(
                f"--reported-baseline needs the cell the claim used, and {name} records none",
                "pass --as-claimed TEMPLATE:PROFILE",
            )
        notes.append(f"{name}: no as-claimed cell recorded; pass --as-claimed TEMPLATE:PROFILE for a claimed gain")
        return None
    where = {"template": cell[0], "profile": cell[1]}
    if reported_baseline is not None:
        low, high = stats.bootstrap_ci(
            trained.src.get(*cell), level=pairing.level, n_boot=pairing.n_boot, seed=pairing.seed
        )
        return {
            **where,
            "source": "reported-baseline",
            "base": float(reported_baseline),
            "trained": pct(trained.acc[cell]),
            "gain": round(100 * trained.acc[cell] - reported_baseline, 4),
            "low": round(100 * low - reported_baseline, 4),
            "high": round(100 * high - reported_baseline, 4),
            "level": pairing.level,
        }
    if cell not in base.acc:
        notes.append(
            f"{name}: the as-claimed cell {cell[0]}:{cell[1]} is not graded in {base.run.name}; "
            "pass --reported-baseline X to get a claimed gain"
        )
        return None
    d = pairing.diff(cell)
    return {
        **where,
        "source": "cell",
        "base": pct(base.acc[cell]),
        "trained": pct(trained.acc[cell]),
        "gain": pct(d.estimate),
        "low": pct(d.low),
        "high": pct(d.high),
        "level": pairing.level,
    }
