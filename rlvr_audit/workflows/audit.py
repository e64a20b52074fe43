"""One command for a whole claim: `run_audit(plan)`.

Checks the plan (every model, template, profile and the benchmark) and the executor's
reachability before anything runs; then runs the generation jobs (audit_jobs.py) one after
another here, or as Ray tasks (audit_ray.py); grades each landed run with the plan's
profiles and records its as-claimed cell, on this machine; compares the checkpoints with
the base (`compare_runs`, the document `rlvr-audit compare --json` prints) and writes the
HTML report. Output layout:

    OUT/runs/<label>/      ordinary run directories (base, each checkpoint, the probe's)
    OUT/compare.json       the comparison
    OUT/report.html/.json  the report (rlvr_audit.report.html_report)
    OUT/audit.json         the resolved plan and the job log (written as jobs finish)

A rerun resumes: finished generations are kept, so it generates nothing new.
"""

from __future__ import annotations

import os
import socket
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rlvr_audit.core.errors import AuditError
from rlvr_audit.core.redact import redact_mapping
from rlvr_audit.io.jsonl import write_json_atomic
from rlvr_audit.store.run import Run
from rlvr_audit.workflows.audit_jobs import build_jobs, now_utc, run_local
from rlvr_audit.workflows.audit_plan import AuditPlan, ModelRef
from rlvr_audit.workflows.baseline import _command_line

__all__ = ["AUDIT_FILE", "AuditResult", "check_plan", "run_audit"]

AUDIT_SCHEMA = "rlvr-audit.audit"
AUDIT_SCHEMA_VERSION = 1
AUDIT_FILE = "audit.json"
# `train --reward` names -> the claims registry's names for the same rewards.
_REWARD_NAMES = {"truth": "ground-truth", "majority": "majority-vote"}


@dataclass
class AuditResult:
    """What `run_audit` produced."""

    out: Path
    document: dict[str, Any]  # audit.json
    compare: dict[str, Any]  # compare.json
    comparison: Any  # the Comparison, for tables
    runs: dict[str, Run] = field(default_factory=dict)

    @property
    def prompts_generated(self) -> int:
        return sum(int(r.get("prompts") or 0) for r in self.document["jobs"])


class _AuditLog:
    """audit.json, rewritten whenever something finishes (so a crash keeps the log)."""

    def __init__(self, plan: AuditPlan, executor: dict[str, Any]):
        self.path = plan.out / AUDIT_FILE
        previous = self._previous()
        self.doc: dict[str, Any] = {
            "schema": AUDIT_SCHEMA,
            "schema_version": AUDIT_SCHEMA_VERSION,
            "status": "running",
            "started_utc": now_utc(),
            "finished_utc": None,
            "command": _command_line(),
            "driver": {"host": socket.gethostname(), "pid": os.getpid()},
            "plan": plan.to_dict(),
            "claim": _claim_section(plan),
            "executor": executor,
            "jobs": [],
            "grading": {},
            "outputs": {"runs": {r.label: str(plan.run_dir(r.label)) for r in plan.models}},
            "previous": previous,
        }
        self.write()

    def _previous(self) -> list[dict[str, Any]]:
        """Earlier invocations' job logs, oldest first (without their own history)."""
        import json

        try:
            old = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return []
        keep = ("started_utc", "finished_utc", "status", "command", "executor", "jobs", "error")
        return [*old.get("previous", []), {k: old.get(k) for k in keep}]

    def add_job(self, record: dict[str, Any]) -> None:
        self.doc["jobs"].append(record)
        self.write()

    def finish(self, status: str, **fields: Any) -> None:
        self.doc.update(status=status, finished_utc=now_utc(), **fields)
        self.write()

    def write(self) -> None:
        # The command line, an error or a traceback may carry a key or a URL's password.
        write_json_atomic(self.path, redact_mapping(self.doc))


def _claim_section(plan: AuditPlan) -> dict[str, Any] | None:
    """The registry claim and, per checkpoint whose label names a reward of the claim, the
    published gains (by paper version)."""
    if plan.claim is None:
        return None
    from rlvr_audit.comparison.claim_registry import get_claim

    claim = get_claim(plan.claim)
    published: dict[str, dict[str, float]] = {}
    for ref in plan.checkpoints:
        reward = _REWARD_NAMES.get(ref.label, ref.label)
        gains = {v["version"]: v["gains"][reward] for v in claim.get("versions", []) if reward in v.get("gains", {})}
        if gains:
            published[ref.label] = gains
    keys = ("name", "paper", "arxiv", "model", "benchmark", "setting", "baseline")
    return {**{k: claim.get(k) for k in keys}, "published_gains": published}


def check_plan(plan: AuditPlan) -> None:
    """Every check that needs no model loaded, before any job starts: each model exists,
    the templates and profiles are known, the as-claimed cell is in the grid, the benchmark
    loads."""
    from rlvr_audit.benchmarks.registry import load_benchmark
    from rlvr_audit.generation.backends import choose_backend
    from rlvr_audit.generation.models import resolve_model
    from rlvr_audit.grading.registry import resolve_profiles
    from rlvr_audit.templates import get_template

    for ref in plan.models:
        what = "the base model" if ref is plan.base else f"checkpoint '{ref.label}'"
        try:
            resolve_model(ref.model, ref.revision)
        except AuditError as exc:
            raise AuditError(
                f"{what}: {exc.message}",
                "fix its path in the plan ([base] / [checkpoints]) or in --base / --checkpoint LABEL=PATH",
            ) from None
    templates = plan.templates
    for name in templates:
        get_template(name)
    profiles = resolve_profiles(list(plan.profiles) if plan.profiles is not None else None)
    if plan.as_claimed is not None:
        template, profile = plan.as_claimed
        if template not in templates:
            raise AuditError(
                f"the as-claimed template {template} is not in the grid", f"add it to [grid] templates: {template}"
            )
        if profile not in profiles:
            raise AuditError(
                f"the as-claimed profile {profile} is not a known profile", "see `rlvr-audit list profiles`"
            )
    choose_backend(plan.backend)
    load_benchmark(
        plan.benchmark, data_file=plan.data_file, fields=dict(plan.fields) or None, revision=None, limit=plan.limit
    )


def _executor(plan: AuditPlan) -> Any:
    """The Ray executor, connected (AuditError if the cluster does not answer), or None
    for the local one."""
    if plan.ray is None:
        return None
    from rlvr_audit.workflows.audit_ray import RayExecutor

    executor = RayExecutor(plan)
    try:
        executor.connect()
    except BaseException:
        executor.close()
        raise
    return executor


def run_audit(plan: AuditPlan, *, progress: bool = True) -> AuditResult:
    """Run the plan (see the module docstring); AuditError naming the fix on bad input or
    when a job failed (after grading the runs that finished)."""
    check_plan(plan)
    executor = _executor(plan)
    try:
        plan.out.mkdir(parents=True, exist_ok=True)
        log = _AuditLog(plan, executor.info if executor else {"kind": "local"})
        jobs = build_jobs(plan)
        if executor is not None:
            records = executor.run(jobs, log.add_job)
        else:
            records = run_local(jobs, log.add_job, progress=progress)
    except KeyboardInterrupt:
        if "log" in locals():
            log.finish("interrupted")
        raise
    finally:
        if executor is not None:
            executor.close()
    status = {r["label"]: r for r in records}
    runs: dict[str, Run] = {}
    for ref in plan.models:
        if status.get(ref.label, {}).get("status") == "finished":
            runs[ref.label] = _grade(plan, ref, status[ref.label], log, progress)
    failed = [r for r in records if r.get("status") != "finished"]
    if failed:
        first = failed[0]
        more = f" (and {len(failed) - 1} more)" if len(failed) > 1 else ""
        message = f"job {first['label']} failed: {first.get('error')}{more}"
        log.finish("failed", error=message)
        raise AuditError(
            message,
            f"fix it and rerun the same command: finished runs are kept and resume; job log in {log.path}",
        )
    compare, comparison = _compare(plan, runs)
    write_json_atomic(plan.out / "compare.json", compare)
    outputs = {**log.doc["outputs"], "compare": str(plan.out / "compare.json")}
    outputs.update(_report(plan, runs, compare.get("contamination")))
    summary = {t["run"]: {k: t.get(k) for k in ("claimed", "adjusted", "verdict")} for t in compare["trained"]}
    log.finish("finished", outputs=outputs, summary=summary)
    return AuditResult(plan.out, log.doc, compare, comparison, runs)


def _grade(plan: AuditPlan, ref: ModelRef, record: dict[str, Any], log: _AuditLog, progress: bool) -> Run:
    """Grade a landed run with the plan's profiles and record its as-claimed cell."""
    from rlvr_audit.grading.engine.runs import grade_run
    from rlvr_audit.grading.registry import resolve_profiles
    from rlvr_audit.workflows.baseline import write_summary

    path = plan.run_dir(ref.label)
    if not (path / "run.json").is_file():
        raise AuditError(
            f"the run of {ref.label} ({path}) is not visible here (its job ran on {record.get('host')})",
            "put --out on a filesystem that every Ray node mounts (NFS, Lustre, ...)",
        )
    run = Run.open(path)
    if plan.as_claimed is not None:
        run.update_manifest(as_claimed={"template": plan.as_claimed[0], "profile": plan.as_claimed[1]})
    profiles = resolve_profiles(list(plan.profiles) if plan.profiles is not None else None)
    t0 = time.perf_counter()
    stats = grade_run(run, profiles, workers=plan.grade_workers, timeout=plan.grade_timeout, progress=progress)
    write_summary(run)
    log.doc["grading"][ref.label] = {"seconds": round(time.perf_counter() - t0, 3), "added": stats.get("added")}
    log.write()
    return Run.open(path)


def _compare(plan: AuditPlan, runs: dict[str, Run]) -> tuple[dict[str, Any], Any]:
    """The document `rlvr-audit compare --json BASE CHECKPOINTS...` prints, and the Comparison."""
    from rlvr_audit.comparison.gains import compare_runs
    from rlvr_audit.workflows.report import find_contamination

    base = runs[plan.base.label]
    trained = [runs[c.label] for c in plan.checkpoints]
    result = compare_runs(base, trained, level=plan.level, n_boot=plan.n_boot, seed=plan.boot_seed)
    payload = result.to_dict()
    summary, _ = find_contamination(base)
    payload["contamination"] = summary
    if summary is None:  # the note `compare` adds when no probe sits beside the base run
        model, bench = base.manifest.model, base.benchmark_identity
        payload.setdefault("notes", []).append(
            f"no contamination probe of {model.get('id')} on {bench.get('name')} beside the base run; "
            f"run: rlvr-audit contamination --model {model.get('id')} --benchmark {bench.get('name')}"
        )
    return payload, result


def _report(plan: AuditPlan, runs: dict[str, Run], contamination: dict[str, Any] | None) -> dict[str, str]:
    """OUT/report.html and OUT/report.json (the HTML report's data)."""
    from rlvr_audit.report.html_report import build_report_data, write_html_report

    base = runs[plan.base.label]
    data = build_report_data(
        [base, *(runs[c.label] for c in plan.checkpoints)],
        base=base,
        level=plan.level,
        n_boot=plan.n_boot,
        seed=plan.boot_seed,
        contamination=contamination,
    )
    data["generated_at"] = now_utc()
    html, data_path = plan.out / "report.html", plan.out / "report.json"
    write_html_report(data, html, data_path)
    return {"report": str(html), "report_json": str(data_path)}
