"""The graded cells of the runs being compared, read once and aligned on one problem order."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from rlvr_audit.analysis import stats
from rlvr_audit.core.errors import AuditError
from rlvr_audit.store.run import Run

CellKey = tuple[str, str]  # (template, profile)


class CellSource:
    """A run's outcome matrices with rows aligned to a shared problem order, read once."""

    def __init__(self, run: Run, order: list[str]):
        self.run = run
        self.order = order
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

    def completions(self, template: str) -> list[list[str | None]]:
        gens = self.run.generations()
        n = self.run.sampling.n
        return [
            [(g.completion if (g := gens.get((pid, template, s))) else None) for s in range(n)] for pid in self.order
        ]


@dataclass
class Side:
    """One run of a comparison: its aligned outcomes, the cells compared and their accuracy
    (fractions 0-1)."""

    run: Run
    src: CellSource
    cells: list[CellKey]
    acc: dict[CellKey, float] = field(default_factory=dict)

    @classmethod
    def load(cls, run: Run, order: list[str], templates: Sequence[str] | None, profiles: Sequence[str] | None) -> Side:
        """The graded cells of `run` (restricted to `templates`/`profiles`); AuditError if none."""
        cells = run.cells()
        if templates:
            cells = [c for c in cells if c[0] in templates]
        if profiles:
            cells = [c for c in cells if c[1] in profiles]
        if not cells:
            raise AuditError(f"{run.name} has no graded cells", f"grade it first: rlvr-audit grade {run.path}")
        src = CellSource(run, order)
        return cls(run, src, cells, {c: stats.avg_at_n(src.get(*c)) for c in cells})

    def outcomes(self) -> list[np.ndarray]:
        return [self.src.get(*c) for c in self.cells]

    def best(self) -> CellKey:
        return max(self.acc, key=lambda c: self.acc[c])


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


_SAMPLING_FIELDS = ("temperature", "top_p", "max_tokens", "n")


def differences(base: Run, other: Run) -> list[str]:
    """What makes two runs of one benchmark not directly comparable: recorded sampling
    settings that differ (a field either run did not record is not compared) and graded
    profile sets that differ. One phrase per difference."""
    out = []
    if base.sampling_known and other.sampling_known:
        a, b = base.manifest.sampling, other.manifest.sampling
        for name in _SAMPLING_FIELDS:
            if a.get(name) is not None and b.get(name) is not None and a.get(name) != b.get(name):
                out.append(f"sampling {name} {a.get(name)} in {base.name} vs {b.get(name)} in {other.name}")
    pa, pb = set(base.graded_profiles()), set(other.graded_profiles())
    if pa != pb:
        only_a = ", ".join(sorted(pa - pb)) or "none"
        only_b = ", ".join(sorted(pb - pa)) or "none"
        out.append(f"graded profiles differ (only {base.name}: {only_a}; only {other.name}: {only_b})")
    return out


def check_comparable(base: Run, other: Run, *, cells_chosen: bool, notes: list[str]) -> None:
    """Refuse runs that `differences` finds apart, unless the caller chose the cells to
    compare (--profile/--template); then each difference becomes a note."""
    found = differences(base, other)
    if not found:
        return
    if not cells_chosen:
        raise AuditError(
            f"{base.name} and {other.name} are not comparable as they stand: {'; '.join(found)}",
            "evaluate both the same way, or pass --profile/--template to choose the cells to compare "
            "(the differences are then printed as notes)",
        )
    notes.extend(f"compared despite a difference: {d}" for d in found)


def pct(x: float) -> float:
    """A fraction as points (0-100), rounded for output."""
    return round(100.0 * float(x), 4)


def cell_key(template: str, profile: str) -> str:
    """The JSON key of a cell: "template|profile"."""
    return f"{template}|{profile}"
