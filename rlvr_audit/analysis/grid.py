"""The template x profile grid of one Run: accuracy with CIs per cell, and per-template
generation facts (parsable, truncated, length, code use). This module computes the numbers;
`rlvr_audit.report.grid_tables` and `rlvr_audit.report.plots` render them.

Definitions (the numbers depend on them):

- accuracy of a cell: avg@n in percent (mean over problems of the mean correctness over
  that problem's samples); 95% percentile bootstrap CI over problems (seeded). `n` is the
  number of problems with at least one graded sample. `timeout` and `error` grades count
  as incorrect (`accuracy_counts` says so in the JSON); `counts` keeps them apart, and the
  next `grade` of the run retries them.
- parsable % of a template: share of its generations whose grade is not `no_answer`
  under the template's *recommended* profile (the harness the prompt was written for),
  so the column says whether the prompt made the model answer in the expected form. When
  the run has no grades for that profile, the most lenient graded profile (highest
  parsable share) is used, and the JSON names the profile (`parsable_profile`). Every
  cell also carries its own parsable share in the JSON.
- truncated %: share of generations with finish_reason "length"; tokens: mean
  completion tokens; python %: share of completions containing "python" (any case), the
  Spurious Rewards paper's marker of code-style reasoning.
- best cell and spread: max over cells, and max - min over cells.
- `reported` X: cells whose CI contains X are marked; `below_best` = best - X.
- With n > 1 samples: pass@k (unbiased) and maj@k for k = 1, 2, 4, ... up to n. maj@k is
  the majority vote of `rlvr_audit.analysis.voting` (answers clustered with the profile's
  own equivalence), the same vote that makes training's majority labels.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from rlvr_audit.analysis.grid_cells import (
    ACCURACY_COUNTS,
    Cell,
    compute_cell,
    json_number,
    sample_ks,
    template_stats,
)
from rlvr_audit.analysis.voting import profile_equivalence
from rlvr_audit.store.run import Run

__all__ = ["Cell", "Grid", "compute_grid", "json_number"]


@dataclass
class Grid:
    """The grid of one run, plus what to report around it."""

    run_name: str
    run_path: str
    model: str
    benchmark: dict[str, Any]
    templates: list[str]
    profiles: list[str]
    cells: dict[tuple[str, str], Cell]
    template_stats: dict[str, dict[str, Any]]
    samples: int
    level: float
    reported: float | None = None
    as_claimed: tuple[str, str] | None = None

    def valid_cells(self) -> list[Cell]:
        return [c for c in self.cells.values() if not math.isnan(c.accuracy)]

    def cells_in_order(self) -> Iterator[Cell]:
        """The computed cells, template by template, profiles in column order."""
        for t in self.templates:
            for p in self.profiles:
                if (t, p) in self.cells:
                    yield self.cells[(t, p)]

    def accuracy_matrix(self) -> list[list[float]]:
        """[templates x profiles] accuracies, NaN where a cell is missing (for the heatmap)."""
        nan = float("nan")
        return [
            [self.cells[(t, p)].accuracy if (t, p) in self.cells else nan for p in self.profiles]
            for t in self.templates
        ]

    def is_claimed(self, cell: Cell) -> bool:
        return self.as_claimed == (cell.template, cell.profile)

    @property
    def best(self) -> Cell | None:
        cells = self.valid_cells()
        return max(cells, key=lambda c: c.accuracy) if cells else None

    @property
    def worst(self) -> Cell | None:
        cells = self.valid_cells()
        return min(cells, key=lambda c: c.accuracy) if cells else None

    @property
    def spread(self) -> float:
        best, worst = self.best, self.worst
        return best.accuracy - worst.accuracy if best and worst else float("nan")

    def ks(self) -> list[int]:
        return sample_ks(self.samples)

    def to_json(self) -> dict[str, Any]:
        """A JSON-serialisable dict (this is what summary.json holds)."""
        best = self.best
        out: dict[str, Any] = {
            "run": self.run_name,
            "path": self.run_path,
            "model": self.model,
            "benchmark": self.benchmark,
            "samples": self.samples,
            "level": self.level,
            "templates": self.templates,
            "profiles": self.profiles,
            "accuracy_counts": ACCURACY_COUNTS,
            "cells": [self._cell_json(c) for c in self.cells.values()],
            "template_stats": self.template_stats,
            "best": {"template": best.template, "profile": best.profile, "accuracy": json_number(best.accuracy)}
            if best
            else None,
            "spread": json_number(self.spread),
            "as_claimed": list(self.as_claimed) if self.as_claimed else None,
        }
        if self.reported is not None:
            out["reported"] = {
                "value": self.reported,
                "below_best": json_number(best.accuracy - self.reported) if best else None,
                "cells_containing": [[c.template, c.profile] for c in self.valid_cells() if c.contains(self.reported)],
            }
        return out

    def _cell_json(self, c: Cell) -> dict[str, Any]:
        entry: dict[str, Any] = {
            "template": c.template,
            "profile": c.profile,
            "accuracy": json_number(c.accuracy),
            "ci": [json_number(c.low), json_number(c.high)],
            "n": c.n,
            "counts": c.counts,
            "accuracy_counts": ACCURACY_COUNTS,
            "parsable": json_number(c.parsable),
            "as_claimed": self.is_claimed(c),
        }
        if self.reported is not None:
            entry["contains_reported"] = c.contains(self.reported)
        if self.samples > 1:
            entry["pass_at_k"] = {str(k): json_number(v) for k, v in c.pass_at.items()}
            entry["maj_at_k"] = {str(k): json_number(v) for k, v in c.maj_at.items()}
        return entry


def _graded_profiles(run: Run, profiles: Sequence[str] | None) -> list[str]:
    """`profiles` that `run` has grades for; by default all of them, in the registry's order."""
    graded = run.graded_profiles()
    if profiles is None:
        from rlvr_audit.grading.registry import profile_names

        order = {name: i for i, name in enumerate(profile_names())}  # the registry's display order
        profiles = sorted(graded, key=lambda p: (order.get(p, len(order)), p))
    return [p for p in profiles if p in graded]


def compute_grid(
    run: Run,
    *,
    profiles: Sequence[str] | None = None,
    templates: Sequence[str] | None = None,
    reported: float | None = None,
    level: float = 0.95,
    n_boot: int = 2000,
    seed: int = 0,
) -> Grid:
    """The grid of `run` over its graded profiles (or `profiles`) and its templates."""
    profiles = _graded_profiles(run, profiles)
    templates = list(templates or run.templates)
    n = run.sampling.n
    cells: dict[tuple[str, str], Cell] = {}
    for p in profiles:
        same = profile_equivalence(p) if n > 1 else None
        for t in templates:
            cells[(t, p)] = compute_cell(run, t, p, level=level, n_boot=n_boot, seed=seed, same=same)
    claimed = run.manifest.get("as_claimed") or None
    model = run.manifest.get("model", {})
    return Grid(
        run_name=run.name,
        run_path=str(run.path),
        model=model.get("name") or model.get("id") or "?",
        benchmark=run.benchmark_identity,
        templates=templates,
        profiles=profiles,
        cells=cells,
        template_stats={t: template_stats(run, t, profiles, cells) for t in templates},
        samples=n,
        level=level,
        reported=reported,
        as_claimed=(claimed["template"], claimed["profile"]) if claimed else None,
    )
