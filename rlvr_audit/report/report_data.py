"""The data of an HTML audit report, as one JSON-serialisable dict (schema
"rlvr-audit.report", version 1; fields in docs/report-json.md).

Every number comes from the layers below: the grid of each run from
`analysis.grid.compute_grid`, the gains from `comparison.gains.compare_runs`, prompt
robustness from `analysis.robustness`. This module only gathers them, with the problem
browser's data (sample 0 of every (problem, template): completion, and per profile the
status and extracted answer) and each run's provenance (manifest and grader fingerprints).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from typing import Any

from rlvr_audit.analysis.grid import compute_grid
from rlvr_audit.analysis.robustness import robustness
from rlvr_audit.comparison.cells import check_same_benchmark
from rlvr_audit.comparison.gains import compare_runs
from rlvr_audit.core.errors import AuditError
from rlvr_audit.core.version import __version__
from rlvr_audit.report.problem_filters import FILTERS, SEARCH_NOTE, STATUS_CODES
from rlvr_audit.store.run import Run

SCHEMA = "rlvr-audit.report"
SCHEMA_VERSION = 1

ROBUSTNESS_DEFINITIONS = {
    "verdict": "A template's verdict on a problem under a profile: whether sample 0 is graded correct "
    "(incorrect, no_answer, timeout and error are not correct); no grade, no verdict.",
    "spread": "Over the templates of the run, the accuracy (avg@n, %) of each template under the profile: "
    "min, max, range = max - min, and std = the population standard deviation (ddof 0).",
    "consistency": "Per problem with a verdict under at least two templates, the share of template pairs "
    "whose verdicts agree; averaged over those problems (%). 100 = no template ever flips a verdict. "
    "'flipped' counts the problems below 100.",
    "no_answer": "The share (%) of a template's graded samples whose grade is no_answer under the profile.",
}


class _ReadOnce(Run):
    """A view of a run that reads each grade file once (the grid, the comparison and the
    browser each ask for the same grades many times)."""

    def __init__(self, run: Run):
        super().__init__(run.path, run.manifest)
        self._grades: dict[str, Any] = {}

    def grades(self, profile: str):  # type: ignore[override]
        if profile not in self._grades:
            self._grades[profile] = super().grades(profile)
        return self._grades[profile]


def _clean(value: Any) -> Any:
    """NaN and infinities -> None, tuples -> lists, recursively (JSON has no NaN)."""
    if isinstance(value, float):
        return None if math.isnan(value) or math.isinf(value) else value
    if isinstance(value, dict):
        return {str(k): _clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_clean(v) for v in value]
    return value


def _ordered(runs: Sequence[Run], base: Run | None) -> list[Run]:
    """The base first, then the other runs in the order given (a run given twice once)."""
    if not runs and base is None:
        raise AuditError("a report needs at least one run", "pass RUN_OR_DIR [MORE...]")
    base = base or runs[0]
    seen = {base.path.resolve()}
    out = [base]
    for run in runs:
        if run.path.resolve() not in seen:
            seen.add(run.path.resolve())
            out.append(run)
    return out


def _check_names(wanted: Sequence[str] | None, have: set[str], what: str, flag: str) -> None:
    unknown = [w for w in wanted or [] if w not in have]
    if unknown:
        raise AuditError(
            f"{what} {', '.join(unknown)} {'is' if len(unknown) == 1 else 'are'} in none of the runs",
            f"pass {flag} with one of: {', '.join(sorted(have)) or '(none: grade the runs first)'}",
        )


def provenance(run: Run, profiles: Sequence[str]) -> dict[str, Any]:
    """What made the run: its manifest's identity fields and, per profile, the versions and
    fingerprints its grades record (with the installed profile's fingerprint, when known)."""
    from rlvr_audit.grading import registry

    m = run.manifest.to_dict()
    named = (
        "label",
        "source",
        "model",
        "benchmark",
        "templates",
        "sampling",
        "backend",
        "hardware",
        "command",
        "as_claimed",
        "created_utc",
        "updated_utc",
        "rlvr_audit_version",
        "schema_version",
        "resumed",
        "migrations",
    )
    out: dict[str, Any] = {k: m.get(k) for k in named}
    out["extra"] = {k: v for k, v in m.items() if k not in named and k != "kind"}
    graders = {}
    for profile in profiles:
        grades = run.grades(profile)
        fingerprints = Counter(g.fingerprint or "not recorded" for g in grades.values())
        try:
            installed = registry.profile_fingerprint(profile)
        except AuditError:
            installed = None
        graders[profile] = {
            "grades": len(grades),
            "versions": dict(sorted(Counter(str(g.version) for g in grades.values()).items())),
            "fingerprints": dict(sorted(fingerprints.items())),
            "installed_fingerprint": installed,
            "stale": sum(n for fp, n in fingerprints.items() if installed and fp != installed),
        }
    out["graders"] = graders
    return out


def display_names(runs: Sequence[Run]) -> list[str]:
    """Each run's name; a name two runs share gets its directory's parent added
    ("eval (checkpoint-300)"), and a number if that is not enough."""
    names = [r.name for r in runs]
    out = [n if names.count(n) == 1 else f"{n} ({r.path.resolve().parent.name})" for n, r in zip(names, runs)]
    return [n if out.count(n) == 1 else f"{n} #{i + 1}" for i, n in enumerate(out)]


def _browser_run(run: Run, order: list[str], grid: Any, name: str) -> dict[str, Any]:
    """Sample 0 of every (problem, template) of `run`, rows in `order`."""
    gens = run.generations()
    out: dict[str, Any] = {
        "name": name,
        "templates": list(grid.templates),
        "profiles": list(grid.profiles),
        "completion": {},
        "finish": {},
        "status": {},
        "extracted": {},
    }
    for t in grid.templates:
        rows = [gens.get((pid, t, 0)) for pid in order]
        out["completion"][t] = [g.completion if g else None for g in rows]
        out["finish"][t] = [g.finish_reason if g else None for g in rows]
        out["status"][t] = {}
        out["extracted"][t] = {}
        for p in grid.profiles:
            grades = run.grades(p)
            cells = [grades.get((pid, t, 0)) for pid in order]
            out["status"][t][p] = "".join(STATUS_CODES.get(g.status, "e") if g else "-" for g in cells)
            out["extracted"][t][p] = [g.extracted if g else None for g in cells]
    return out


def _status_tables(run: Run, grid: Any, order: list[str]) -> dict[str, dict[str, list[list[str | None]]]]:
    n = run.sampling.n
    tables: dict[str, dict[str, list[list[str | None]]]] = {}
    for p in grid.profiles:
        grades = run.grades(p)
        tables[p] = {
            t: [[(g.status if (g := grades.get((pid, t, s))) else None) for s in range(n)] for pid in order]
            for t in grid.templates
        }
    return tables


def _generation_facts(run: Run, templates: Sequence[str]) -> dict[str, Any]:
    """Per template: how many generations record a finish_reason (an import often records
    none, and then the grid's truncated share of 0 means "unknown")."""
    gens = run.generations().values()
    out = {}
    for t in templates:
        mine = [g for g in gens if g.template == t]
        out[t] = {"generations": len(mine), "finish_recorded": sum(g.finish_reason is not None for g in mine)}
    return out


def build_report_data(
    runs: list[Run],
    *,
    base: Run | None = None,
    profiles: list[str] | None = None,
    templates: list[str] | None = None,
    level: float = 0.95,
    n_boot: int = 1000,
    seed: int = 0,
    as_claimed: tuple[str, str] | None = None,
    contamination: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The report's data. `base` (default: the first run) is compared with every other run;
    `profiles`/`templates` restrict the grid; `as_claimed` (TEMPLATE, PROFILE) overrides the
    trained runs' recorded claimed cell; `contamination` is a `summarise_probe` summary of the
    base model's probe (see `rlvr_audit.workflows.report.find_contamination`), shown when
    given. Deterministic: the same runs give the same dict, except `generated_at`, which the
    caller may add. AuditError on runs of different benchmarks or without grades."""
    ordered = [_ReadOnce(r) for r in _ordered(runs, base)]
    base_run, others = ordered[0], ordered[1:]
    for run in others:
        check_same_benchmark(base_run, run)
    _check_names(profiles, {p for r in ordered for p in r.graded_profiles()}, "profile(s)", "--profile")
    _check_names(templates, {t for r in ordered for t in r.templates}, "template(s)", "--template")
    order = [p.id for p in base_run.problems()]
    entries, browser_runs = [], []
    names = display_names(ordered)
    for i, run in enumerate(ordered):
        mine = [t for t in templates if t in run.templates] if templates else None
        if mine == [] or not run.graded_profiles():
            raise AuditError(f"{run.name} has no graded cells", f"grade it first: rlvr-audit grade {run.path}")
        grid = compute_grid(run, profiles=profiles, templates=mine, level=level, n_boot=n_boot, seed=seed)
        if not grid.profiles:
            raise AuditError(
                f"{run.name} has no grades for {', '.join(profiles or [])}",
                f"grade it: rlvr-audit grade {run.path} --profile {','.join(profiles or [])}",
            )
        entries.append(
            {
                "name": names[i],
                "path": str(run.path),
                "role": "base" if i == 0 else "trained",
                "samples": run.sampling.n,
                "grid": grid.to_json(),
                "generation_facts": _generation_facts(run, grid.templates),
                "robustness": robustness(_status_tables(run, grid, order), grid.templates),
                "provenance": provenance(run, grid.profiles),
            }
        )
        browser_runs.append(_browser_run(run, order, grid, names[i]))
    comparison = None
    if others:
        result = compare_runs(
            base_run,
            others,
            as_claimed=as_claimed,
            profiles=profiles,
            templates=templates,
            level=level,
            n_boot=n_boot,
            seed=seed,
        )
        comparison = {**result.to_dict(), "contamination": contamination}
    problems = base_run.problems()
    data = {
        "schema": SCHEMA,
        "schema_version": SCHEMA_VERSION,
        "generator": {"rlvr_audit": __version__},
        "benchmark": base_run.benchmark_identity,
        "settings": {
            "level": level,
            "n_boot": n_boot,
            "seed": seed,
            "profiles": profiles,
            "templates": templates,
            "base": names[0],
            "as_claimed": list(as_claimed) if as_claimed else None,
        },
        "runs": entries,
        "comparison": comparison,
        "contamination": contamination,
        "definitions": {
            "filters": {k: v for k, v in FILTERS.items()},
            "filters_note": SEARCH_NOTE,
            "robustness": ROBUSTNESS_DEFINITIONS,
            "status_codes": STATUS_CODES,
        },
        "problems": {
            "ids": [p.id for p in problems],
            "question": [p.question for p in problems],
            "answer": [p.answer for p in problems],
        },
        "browser": {"sample": 0, "base": 0, "runs": browser_runs},
    }
    return _clean(data)
