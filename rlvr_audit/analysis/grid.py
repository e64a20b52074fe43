"""The template x profile grid of one Run: accuracy with CIs per cell, and per-template
generation facts (parsable, truncated, length, code use).

Definitions (the numbers depend on them):

- accuracy of a cell: avg@n in percent (mean over problems of the mean correctness over
  that problem's samples); 95% percentile bootstrap CI over problems (seeded). `n` is the
  number of problems with at least one graded sample.
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
- With n > 1 samples: pass@k (unbiased) and maj@k for k = 1, 2, 4, ... up to n. maj@k
  clusters a problem's extracted answers with the profile's own equivalence:
  a ~ b when a == b or the profile grades the completion `\\boxed{a}` correct against
  the gold `b` (extract, then `judge(extracted, prepare_gold(b))`: the comparison the
  harness itself would make); answers of `no_answer`/`error`/`timeout` grades never win
  the vote. Clusters are greedy (each answer joins the first cluster whose first answer
  it matches), as in the harnesses' majority voting.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from rlvr_audit.analysis.stats import avg_at_n, bootstrap_ci, maj_at_k, pass_at_k
from rlvr_audit.report.tables import TableData
from rlvr_audit.store.run import Run


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

    # -- derived ------------------------------------------------------------------------
    def valid_cells(self) -> list[Cell]:
        return [c for c in self.cells.values() if not math.isnan(c.accuracy)]

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
        return _ks(self.samples)

    # -- outputs ------------------------------------------------------------------------
    def table(self, *, compact: bool = False) -> TableData:
        """Rows = templates; one accuracy column per profile, then per-template facts.
        Cells read "49.4 [45.0, 53.8]", or "49.4 ±4.4" (half the CI's width) when
        `compact`, for terminals."""
        columns = ["template", *self.profiles, "parsable %", "truncated %", "tokens", "python %"]
        rows, styles = [], {}
        best = self.best
        for r, t in enumerate(self.templates):
            row: list[Any] = [t]
            for c, p in enumerate(self.profiles, start=1):
                cell = self.cells.get((t, p))
                row.append(_cell_text(cell, self.as_claimed == (t, p), compact))
                if cell is None or math.isnan(cell.accuracy):
                    continue
                if best is not None and cell is best:
                    styles[(r, c)] = "bold green"
                elif self.reported is not None and cell.contains(self.reported):
                    styles[(r, c)] = "yellow"
            s = self.template_stats.get(t, {})
            row += [s.get("parsable"), s.get("truncated"), s.get("tokens"), s.get("python")]
            rows.append(row)
        caption = self.caption()
        if compact:
            caption += f"; ± = half-width of the {int(self.level * 100)}% bootstrap CI (bounds in --json/--csv)"
        return TableData(columns, rows, title=self.title(), caption=caption, styles=styles)

    def long_table(self) -> TableData:
        """One row per cell with plain numbers (for CSV and spreadsheets)."""
        columns = [
            "template",
            "profile",
            "accuracy",
            "ci_low",
            "ci_high",
            "n",
            "parsable",
            "no_answer",
            "timeout",
            "error",
            "as_claimed",
        ]
        if self.reported is not None:
            columns.append("contains_reported")
        rows = []
        for t in self.templates:
            for p in self.profiles:
                c = self.cells.get((t, p))
                if c is None:
                    continue
                row = [
                    t,
                    p,
                    _num(c.accuracy),
                    _num(c.low),
                    _num(c.high),
                    c.n,
                    _num(c.parsable),
                    c.counts.get("no_answer", 0),
                    c.counts.get("timeout", 0),
                    c.counts.get("error", 0),
                    self.as_claimed == (t, p),
                ]
                if self.reported is not None:
                    row.append(c.contains(self.reported))
                rows.append(row)
        return TableData(columns, rows, title=self.title())

    def sampling_table(self) -> TableData:
        """avg@n, pass@k and maj@k per cell (only meaningful with n > 1)."""
        ks = self.ks()
        columns = ["template", "profile", f"avg@{self.samples}", *[f"pass@{k}" for k in ks], *[f"maj@{k}" for k in ks]]
        rows = []
        for t in self.templates:
            for p in self.profiles:
                cell = self.cells.get((t, p))
                if cell is None:
                    continue
                rows.append(
                    [
                        t,
                        p,
                        _num(cell.accuracy),
                        *[_num(cell.pass_at.get(k)) for k in ks],
                        *[_num(cell.maj_at.get(k)) for k in ks],
                    ]
                )
        return TableData(columns, rows, title=f"{self.run_name}: {self.samples} samples per problem (%)")

    def title(self) -> str:
        b = self.benchmark
        return f"{self.model} on {b.get('name')} ({b.get('size')} problems): accuracy % [{int(self.level * 100)}% CI]"

    def caption(self) -> str:
        best = self.best
        if best is None:
            return "no graded cells"
        parts = [f"best {best.template} x {best.profile} = {best.accuracy:.1f}%", f"spread {self.spread:.1f} points"]
        if self.as_claimed:
            parts.append(f"* = as claimed ({self.as_claimed[0]} x {self.as_claimed[1]})")
        if self.reported is not None:
            within = sum(c.contains(self.reported) for c in self.valid_cells())
            gap = best.accuracy - self.reported
            where = f"{gap:.1f} points below" if gap >= 0 else f"{-gap:.1f} points above"
            parts.append(
                f"reported {self.reported:g}% is {where} the best cell; {within} cell CI(s) contain it (yellow)"
            )
        return "; ".join(parts)

    def to_json(self) -> dict[str, Any]:
        """A JSON-serialisable dict (this is what summary.json holds)."""
        best = self.best
        cells = []
        for (t, p), c in self.cells.items():
            entry = {
                "template": t,
                "profile": p,
                "accuracy": _num(c.accuracy),
                "ci": [_num(c.low), _num(c.high)],
                "n": c.n,
                "counts": c.counts,
                "parsable": _num(c.parsable),
                "as_claimed": self.as_claimed == (t, p),
            }
            if self.reported is not None:
                entry["contains_reported"] = c.contains(self.reported)
            if self.samples > 1:
                entry["pass_at_k"] = {str(k): _num(v) for k, v in c.pass_at.items()}
                entry["maj_at_k"] = {str(k): _num(v) for k, v in c.maj_at.items()}
            cells.append(entry)
        out: dict[str, Any] = {
            "run": self.run_name,
            "path": self.run_path,
            "model": self.model,
            "benchmark": self.benchmark,
            "samples": self.samples,
            "level": self.level,
            "templates": self.templates,
            "profiles": self.profiles,
            "cells": cells,
            "template_stats": self.template_stats,
            "best": {"template": best.template, "profile": best.profile, "accuracy": _num(best.accuracy)}
            if best
            else None,
            "spread": _num(self.spread),
            "as_claimed": list(self.as_claimed) if self.as_claimed else None,
        }
        if self.reported is not None:
            out["reported"] = {
                "value": self.reported,
                "below_best": _num(best.accuracy - self.reported) if best else None,
                "cells_containing": [[c.template, c.profile] for c in self.valid_cells() if c.contains(self.reported)],
            }
        return out

    def heatmap(self, path: str | Path) -> Path:
        """Accuracy heatmap (templates x profiles) via `plots.plot_heatmap`."""
        from rlvr_audit.report.plots import plot_heatmap

        values = [
            [self.cells[(t, p)].accuracy if (t, p) in self.cells else float("nan") for p in self.profiles]
            for t in self.templates
        ]
        plot_heatmap(values, self.templates, self.profiles, Path(path), title=self.title(), fmt="{:.1f}", center=None)
        return Path(path)


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
    graded = run.graded_profiles()
    if profiles is None:
        from rlvr_audit.grading.registry import profile_names

        order = {name: i for i, name in enumerate(profile_names())}  # the registry's display order
        profiles = sorted(graded, key=lambda p: (order.get(p, len(order)), p))
    profiles = [p for p in profiles if p in graded]
    templates = list(templates or run.templates)
    n = run.sampling.n
    cells: dict[tuple[str, str], Cell] = {}
    ks = _ks(n)
    for p in profiles:
        judge = _equivalence(p) if n > 1 else None
        for t in templates:
            correct = run.matrix(t, p, "correct")
            status = run.matrix(t, p, "status")
            counts = {
                s: int(v) for s, v in zip(*np.unique(status[status != "missing"].astype(str), return_counts=True))
            }
            graded = int(np.sum(~np.isnan(correct)))
            acc = avg_at_n(correct)
            low, high = bootstrap_ci(correct, level=level, n_boot=n_boot, seed=seed)
            cell = Cell(
                t,
                p,
                100 * acc,
                100 * low,
                100 * high,
                int(np.sum(np.any(~np.isnan(correct), axis=1))),
                counts,
                100 * (1 - counts.get("no_answer", 0) / graded) if graded else float("nan"),
            )
            if n > 1 and graded:
                _sampling_stats(cell, run, t, p, correct, status, ks, judge)
            cells[(t, p)] = cell
    stats = {t: _template_stats(run, t, profiles, cells) for t in templates}
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
        template_stats=stats,
        samples=n,
        level=level,
        reported=reported,
        as_claimed=(claimed["template"], claimed["profile"]) if claimed else None,
    )


def _ks(n: int) -> list[int]:
    ks, k = [], 1
    while k <= n:
        ks.append(k)
        k *= 2
    if n > 1 and n not in ks:
        ks.append(n)
    return ks


def _sampling_stats(
    cell: Cell, run: Run, t: str, p: str, correct: np.ndarray, status: np.ndarray, ks: list[int], same: Any
) -> None:
    extracted = run.matrix(t, p, "extracted")
    complete = ~np.any(np.isnan(correct), axis=1)  # pass@k / maj@k need every sample graded
    if not complete.any():
        return
    answers, flags = [], []
    for i in np.flatnonzero(complete):
        answers.append([a if status[i, s] in ("correct", "incorrect") else None for s, a in enumerate(extracted[i])])
        flags.append([bool(v) for v in correct[i]])
    for k in ks:
        cell.pass_at[k] = 100 * pass_at_k(correct[complete], k)
        cell.maj_at[k] = 100 * maj_at_k(answers, flags, k, same)


def _equivalence(profile_name: str):
    """a ~ b under the profile's own comparator, cached per pair: b is taken as the gold
    (`prepare_gold(b)`) and a as a completion whose answer is `\\boxed{a}` (or a itself
    when the profile does not read boxes), graded the way the profile grades. Stored
    answers are the profile's readable form, so they are re-extracted rather than fed to
    `judge` directly. A profile this build does not know clusters by string equality."""
    from rlvr_audit.core.errors import AuditError
    from rlvr_audit.grading.registry import get_profile

    try:
        profile = get_profile(profile_name)
    except AuditError:
        return None
    cache: dict[tuple[str, str], bool] = {}

    def verdict(a: str, b: str) -> bool:
        gold = profile.prepare_gold(b)
        for text in ("\\boxed{" + a + "}", a):
            extraction = profile.extract(text)
            if extraction.found:
                return bool(profile.judge(extraction.answer, gold))
        return False

    def same(a: str, b: str) -> bool:
        if a == b:
            return True
        key = (a, b)
        if key not in cache:
            try:
                cache[key] = verdict(a, b)
            except Exception:  # a comparator failure means "not shown equal", never a crash
                cache[key] = False
        return cache[key]

    return same


def _template_stats(run: Run, template: str, profiles: list[str], cells: dict[tuple[str, str], Cell]) -> dict[str, Any]:
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
        "parsable": _num(parsable),
        "parsable_profile": parsable_profile,
        "truncated": _num(100 * sum(g.finish_reason == "length" for g in gens) / len(gens)) if gens else None,
        "tokens": _num(float(np.mean(tokens))) if tokens else None,
        "python": _num(100 * sum("python" in g.completion.lower() for g in gens) / len(gens)) if gens else None,
    }


def _cell_text(cell: Cell | None, claimed: bool, compact: bool = False) -> str:
    if cell is None or math.isnan(cell.accuracy):
        return "–"
    mark = "*" if claimed else ""
    if compact:
        return f"{cell.accuracy:.1f}{mark} ±{(cell.high - cell.low) / 2:.1f}"
    return f"{cell.accuracy:.1f}{mark} [{cell.low:.1f}, {cell.high:.1f}]"


def _num(value: float | None) -> float | None:
    """Round for output; NaN -> None (JSON has no NaN)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return round(float(value), 2)
