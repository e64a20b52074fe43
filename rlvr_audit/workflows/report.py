"""The report job: open the runs named on the command line (a directory that is not a run
stands for the runs inside it), find the base model's contamination probe the way
`compare` does, build the report data and write the page and its JSON."""

from __future__ import annotations

import datetime as _dt
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from rlvr_audit.core.errors import AuditError
from rlvr_audit.store.run import MANIFEST, Run

__all__ = ["expand_runs", "find_contamination", "make_report", "pick_base"]


def _is_probe(path: Path) -> bool:
    """A contamination probe run (its own benchmark of prefixes), not an evaluation."""
    from rlvr_audit.workflows.contamination import PROBE_FILE

    if (path / PROBE_FILE).is_file():
        return True
    try:
        templates = Run.open(path).manifest.templates
    except AuditError:
        return False
    return bool(templates) and all(isinstance((t or {}).get("probe"), dict) for t in templates.values())


def expand_runs(paths: Sequence[str | Path]) -> tuple[list[Run], list[str]]:
    """(runs, notes): each path that is a run directory, or else the run directories
    directly inside it (sorted by name; contamination probe runs left out, with a note).
    AuditError for a path that is no run and holds none."""
    runs: list[Run] = []
    notes: list[str] = []
    for raw in paths:
        path = Path(raw)
        if (path / MANIFEST).is_file():
            runs.append(Run.open(path))
            continue
        if not path.is_dir():
            raise AuditError(f"{path} does not exist", "pass a run directory or a directory of runs")
        children = sorted(p for p in path.iterdir() if p.is_dir() and (p / MANIFEST).is_file())
        probes = [p for p in children if _is_probe(p)]
        found = [p for p in children if p not in probes]
        if probes:
            notes.append(f"left out contamination probe runs in {path}: {', '.join(p.name for p in probes)}")
        if not found:
            raise AuditError(
                f"{path} is not a run directory and holds none (no {MANIFEST} in it or its subdirectories)",
                "pass directories written by `rlvr-audit baseline` or `rlvr-audit import`, or the folder holding them",
            )
        runs.extend(Run.open(p) for p in found)
    if not runs:
        raise AuditError("a report needs at least one run", "pass RUN_OR_DIR [MORE...]")
    return runs, notes


def pick_base(runs: list[Run], base: str | Path | None) -> Run:
    """The base run: `base` as a path (opened if not among `runs`) or the name of one of
    `runs`; default the first."""
    if base is None:
        return runs[0]
    path = Path(base)
    if (path / MANIFEST).is_file():
        for run in runs:
            if run.path.resolve() == path.resolve():
                return run
        return Run.open(path)
    named = [r for r in runs if r.name == str(base) or r.path.name == str(base)]
    if len(named) == 1:
        return named[0]
    raise AuditError(
        f"--base {base} is neither a run directory nor the name of one of the runs",
        f"pass a run directory or one of: {', '.join(r.name for r in runs)}",
    )


def find_contamination(base: Run, explicit: Path | None = None) -> tuple[dict[str, Any] | None, str | None]:
    """(summary, note) of the base model's contamination probe, as `compare` finds it: the
    probe in `explicit`, else the newest matching probe beside the base run; the summary is
    `summarise_probe`'s. No probe: (None, None) - the report leaves the section out."""
    from rlvr_audit.comparison.contamination import probe_matches, summarise_probe
    from rlvr_audit.workflows.contamination import find_probes, load_probe

    model, benchmark = base.manifest.model, base.benchmark_identity
    if explicit is not None:
        probe = load_probe(explicit)
        if not probe_matches(probe, model, benchmark):
            probed = f"{(probe.get('model') or {}).get('id')} on {(probe.get('benchmark') or {}).get('name')}"
            raise AuditError(
                f"the probe in {explicit} is of {probed}, not of the base run's {model.get('id')} on "
                f"{benchmark.get('name')}",
                "pass a probe of the base model on this benchmark, or --no-contamination",
            )
        return summarise_probe(probe, source=str(explicit), benchmark=benchmark), None
    found = find_probes(base.path, model, benchmark)
    if not found:
        return None, None
    return summarise_probe(load_probe(found[0]), source=str(found[0]), benchmark=benchmark), None


def make_report(
    paths: Sequence[str | Path],
    html_path: Path,
    *,
    json_path: Path | None = None,
    base: str | Path | None = None,
    profiles: list[str] | None = None,
    templates: list[str] | None = None,
    as_claimed: tuple[str, str] | None = None,
    contamination: Path | None = None,
    no_contamination: bool = False,
    level: float = 0.95,
    n_boot: int = 1000,
    seed: int = 0,
) -> tuple[dict[str, Any], list[str]]:
    """Build and write the report; (data, notes)."""
    from rlvr_audit.report.html_report import build_report_data, write_html_report

    if no_contamination and contamination is not None:
        raise AuditError("--contamination and --no-contamination contradict", "pass one of them")
    runs, notes = expand_runs(paths)
    base_run = pick_base(runs, base)
    summary = None
    if not no_contamination:
        summary, _ = find_contamination(base_run, contamination)
    data = build_report_data(
        runs,
        base=base_run,
        profiles=profiles,
        templates=templates,
        level=level,
        n_boot=n_boot,
        seed=seed,
        as_claimed=as_claimed,
        contamination=summary,
    )
    data["generated_at"] = _dt.datetime.now(_dt.timezone.utc).replace(microsecond=0).isoformat()
    write_html_report(data, html_path, json_path)
    return data, notes
