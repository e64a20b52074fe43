"""The summary check of `verify`: recompute the grid from the raw records and compare it,
number by number, with summary.json.

The grid is computed by the same code that writes summary.json (`analysis.grid`), on a
private copy of the run: opening a run may migrate its manifest or repair a torn tail,
and `verify` must leave the directory it was given exactly as it found it.
"""

from __future__ import annotations

import math
import shutil
import tempfile
from pathlib import Path
from typing import Any

from rlvr_audit.workflows.verify_records import Check, first_of, read_json

# What summary.json must agree on; `run` and `path` name the directory and may differ.
CELL_FIELDS = ("accuracy", "ci", "n", "counts", "parsable", "pass_at_k", "maj_at_k")
TOP_FIELDS = ("samples", "templates", "profiles", "best", "spread", "as_claimed")
_COPIED = ("run.json", "problems.jsonl", "generations.jsonl", "prompts.jsonl")


def recompute_summary(path: Path) -> dict[str, Any]:
    """summary.json as the run's records give it today, computed on a copy of the run."""
    from rlvr_audit.analysis.grid import compute_grid
    from rlvr_audit.store.run import Run

    with tempfile.TemporaryDirectory(prefix="rlvr-audit-verify-") as tmp:
        copy = Path(tmp) / path.name
        copy.mkdir()
        for name in _COPIED:
            if (path / name).is_file():
                shutil.copy2(path / name, copy / name)
        if (path / "grades").is_dir():
            shutil.copytree(path / "grades", copy / "grades")
        return compute_grid(Run.open(copy)).to_json()


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, float) or isinstance(b, float):
        if a is None or b is None:
            return a is b
        return math.isclose(float(a), float(b), abs_tol=1e-6)
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    return a == b


def summary_differences(stored: dict[str, Any], fresh: dict[str, Any]) -> list[str]:
    """Each disagreement as 'WHERE: summary.json X, recomputed Y'."""
    out = []
    for key in TOP_FIELDS:
        if not _same(stored.get(key), fresh.get(key)):
            out.append(f"{key}: summary.json {stored.get(key)!r}, recomputed {fresh.get(key)!r}")
    cells_a = {(c.get("template"), c.get("profile")): c for c in stored.get("cells") or []}
    cells_b = {(c["template"], c["profile"]): c for c in fresh.get("cells") or []}
    for cell in cells_a.keys() | cells_b.keys():
        where = f"cell {cell[0]} x {cell[1]}"
        if cell not in cells_b:
            out.append(f"{where}: in summary.json, not in the records")
        elif cell not in cells_a:
            out.append(f"{where}: in the records, not in summary.json")
        else:
            for f in CELL_FIELDS:
                a, b = cells_a[cell].get(f), cells_b[cell].get(f)
                if not _same(a, b):
                    out.append(f"{where} {f}: summary.json {a!r}, recomputed {b!r}")
    stats_a, stats_b = stored.get("template_stats") or {}, fresh.get("template_stats") or {}
    for template in sorted(stats_a.keys() | stats_b.keys()):
        a, b = stats_a.get(template) or {}, stats_b.get(template) or {}
        for f in sorted(a.keys() | b.keys()):
            if not _same(a.get(f), b.get(f)):
                out.append(f"template {template} {f}: summary.json {a.get(f)!r}, recomputed {b.get(f)!r}")
    return out


def check_summary(path: Path, graded: bool) -> Check:
    """summary.json vs the grid recomputed from the run's generations and grades."""
    from rlvr_audit.core.errors import AuditError

    stored, why = read_json(path / "summary.json")
    if stored is None:
        if not (path / "summary.json").exists():
            # Derived, so a missing one contradicts nothing (an import writes none).
            state = "the grid is computed on demand" if graded else "the run was never graded"
            return Check("summary", "warn", f"no summary.json ({state}; `rlvr-audit grade RUN` writes it)")
        return Check("summary", "FAIL", f"{why}; `rlvr-audit grade RUN` rewrites it")
    if not isinstance(stored, dict):
        return Check("summary", "FAIL", "summary.json is not a JSON object")
    try:
        fresh = recompute_summary(path)
    except AuditError as exc:
        return Check("summary", "FAIL", f"cannot recompute the grid: {exc.one_line()}")
    diffs = summary_differences(stored, fresh)
    if diffs:
        return Check("summary", "FAIL", f"{len(diffs)} difference(s): {first_of(diffs, limit=4)}")
    return Check("summary", "ok", f"{len(fresh.get('cells') or [])} cell(s) match the records")
