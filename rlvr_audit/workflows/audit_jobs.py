"""The generation jobs of an audit, and running one where it lands.

A job is one model x the benchmark x the template grid (a `run_baseline` with no profiles:
it generates what the run lacks and grades nothing), or the base model's contamination
probe (`run_probe`, which grades its own answer continuations). Grading with the plan's
profiles and comparing happen on the driver once the runs have landed (audit.py), so a
job needs the model and the shared output directory, nothing else.

`run_job` never raises for a failed job: it returns a record with the error, so one
failing checkpoint leaves the other jobs running and their runs intact.
"""

from __future__ import annotations

import datetime as _dt
import os
import socket
import sys
import time
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from rlvr_audit.core.errors import AuditError
from rlvr_audit.workflows.audit_plan import AuditPlan, ModelRef
from rlvr_audit.workflows.baseline import BaselineSpec
from rlvr_audit.workflows.contamination import ProbeSpec

__all__ = ["Job", "build_jobs", "grading_spec", "run_job", "run_local"]


@dataclass(frozen=True)
class Job:
    """One generation job: `kind` is "generate" (spec: BaselineSpec) or "probe" (ProbeSpec)."""

    label: str
    kind: str
    model: str
    run_dir: str
    spec: BaselineSpec | ProbeSpec


def grading_spec(plan: AuditPlan, ref: ModelRef) -> BaselineSpec:
    """The full baseline spec of one model of the plan (its profiles and as-claimed cell)."""
    return BaselineSpec(
        model=ref.model,
        benchmark=plan.benchmark,
        data_file=plan.data_file,
        fields=plan.fields or None,
        templates=plan.templates,
        profiles=plan.profiles,
        sampling=plan.sampling,
        backend=plan.backend,
        backend_options=plan.backend_options,
        out_dir=str(plan.run_dir(ref.label)),
        limit=plan.limit,
        as_claimed=plan.as_claimed,
        label=ref.label,
        revision=ref.revision,
        grade_workers=plan.grade_workers,
        grade_timeout=plan.grade_timeout,
    )


def probe_spec(plan: AuditPlan) -> ProbeSpec:
    """The contamination probe of the plan's base model, its runs beside the others."""
    probe, base = plan.probe, plan.base
    assert probe is not None
    return ProbeSpec(
        model=base.model,
        benchmark=plan.benchmark,
        data_file=plan.data_file,
        fields=plan.fields or None,
        limit=probe.limit if probe.limit is not None else plan.limit,
        ratios=probe.ratios,
        control=probe.control,
        profile=probe.profile,
        answer_tokens=probe.answer_tokens,
        backend=plan.backend,
        backend_options=plan.backend_options,
        revision=base.revision,
        out_dir=str(plan.run_dir(f"{base.label}-probe")),
        control_out_dir=str(plan.run_dir(f"{base.label}-probe-control")),
        label=f"{base.label}-probe",
        grade_workers=plan.grade_workers,
        grade_timeout=plan.grade_timeout,
    )


def build_jobs(plan: AuditPlan) -> list[Job]:
    """The checkpoints' jobs first (what the audit is about; with fewer slots than jobs
    they start together), then the base model's, then its probe."""
    import dataclasses

    jobs = []
    for ref in (*plan.checkpoints, plan.base):
        # Generation only: no profiles, so no as-claimed cell to check either; the driver
        # grades with the plan's profiles and records the cell.
        spec = dataclasses.replace(grading_spec(plan, ref), profiles=(), as_claimed=None, grade_workers=1)
        jobs.append(Job(ref.label, "generate", ref.model, str(spec.out_dir), spec))
    if plan.probe is not None:
        spec = probe_spec(plan)
        jobs.append(Job(str(spec.label), "probe", plan.base.model, str(spec.out_dir), spec))
    return jobs


def now_utc() -> str:
    """An ISO timestamp with milliseconds (job overlaps are read from these)."""
    return _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="milliseconds")


def run_job(
    job: Job, *, executor: str = "local", progress: bool = False, argv: Sequence[str] | None = None
) -> dict[str, Any]:
    """Run one job here; its log record (status, error, what it generated, where, when).

    `argv`: the driver's command line, which the run manifest records as the invoking
    command (a Ray worker's own argv is Ray's)."""
    record: dict[str, Any] = {
        "label": job.label,
        "kind": job.kind,
        "model": job.model,
        "run": job.run_dir,
        "executor": executor,
        "host": socket.gethostname(),
        "pid": os.getpid(),
        "start_utc": now_utc(),
        "start_time": time.time(),
    }
    saved = sys.argv
    if argv is not None:
        sys.argv = list(argv)
    try:
        count = _execute(job, progress)
        record.update(
            status="finished",
            prompts=count.prompts,
            generations=count.generations,
            completion_tokens=count.completion_tokens,
            backend_loaded=count.backend_loaded,
        )
    except AuditError as exc:
        record.update(status="failed", error=exc.one_line())
    except Exception as exc:  # a job's crash is its own; the others go on
        record.update(status="failed", error=f"{type(exc).__name__}: {exc}", traceback=traceback.format_exc())
    finally:
        sys.argv = saved
    record["end_utc"] = now_utc()
    record["end_time"] = time.time()
    record["seconds"] = round(record["end_time"] - record["start_time"], 3)
    return record


def _execute(job: Job, progress: bool) -> Any:
    """Run the job's workflow; its GenerationCount."""
    if job.kind == "probe":
        from rlvr_audit.workflows.contamination import run_probe

        return run_probe(job.spec, progress=progress).generated  # type: ignore[arg-type]
    from rlvr_audit.workflows.baseline import GenerationCount, run_baseline

    count = GenerationCount()
    run_baseline(job.spec, progress=progress, counter=count)  # type: ignore[arg-type]
    return count


def run_local(
    jobs: Sequence[Job], on_record: Callable[[dict[str, Any]], None], *, progress: bool = True
) -> list[dict[str, Any]]:
    """The local executor: the jobs one after another in this process."""
    records = []
    for job in jobs:
        record = run_job(job, executor="local", progress=progress)
        records.append(record)
        on_record(record)
    return records
