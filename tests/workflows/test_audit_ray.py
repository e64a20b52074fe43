"""`audit --ray local` on a 2-CPU local Ray cluster: the two checkpoint jobs run at the
same time (their logged start/end times overlap), and the runs, compare.json and the
report data equal the local executor's (paths, timestamps and the command line aside)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from audit_helpers import audit_options, tiny_checkpoints, write_digits

from rlvr_audit.cli.audit import build_plan
from rlvr_audit.store.run import Run
from rlvr_audit.workflows.audit import run_audit

pytest.importorskip("ray", reason="Ray is not installed (pip install 'rlvr-audit[ray]')")
pytest.importorskip("transformers", reason="the hf backend needs transformers")

# Differ between two audits of the same runs by design: when, where, which command.
VOLATILE = {"generated_at", "created_utc", "updated_utc", "command"}


def normalised(value, root: str):
    """`value` with the output directory replaced by OUT and volatile fields dropped."""
    if isinstance(value, dict):
        return {k: normalised(v, root) for k, v in value.items() if k not in VOLATILE}
    if isinstance(value, list):
        return [normalised(v, root) for v in value]
    return value.replace(root, "OUT") if isinstance(value, str) else value


def completions(out: Path, label: str) -> dict:
    return {k: g.completion for k, g in Run.open(out / "runs" / label).generations().items()}


@pytest.mark.slow
def test_ray_local_equals_local_and_runs_the_checkpoints_at_once(tiny_model, tmp_path, monkeypatch):
    # A throwaway local cluster: no token written to ~/.ray for it.
    monkeypatch.setenv("RAY_AUTH_MODE", "disabled")
    monkeypatch.delenv("RAY_ADDRESS", raising=False)
    ckpts = tiny_checkpoints(tmp_path / "ckpts")
    data = write_digits(tmp_path / "digits.jsonl")
    local_out, ray_out = tmp_path / "local", tmp_path / "ray"
    local = run_audit(build_plan(None, audit_options(tiny_model, ckpts, data, local_out)), progress=False)
    options = {**audit_options(tiny_model, ckpts, data, ray_out), "ray": "local", "ray_cpus": 2}
    on_ray = run_audit(build_plan(None, options), progress=False)

    jobs = {j["label"]: j for j in on_ray.document["jobs"]}
    assert on_ray.document["executor"]["kind"] == "ray"
    assert on_ray.document["executor"]["per_job"] == {"num_cpus": 1.0, "num_gpus": 0}
    assert all(j["status"] == "finished" and j["executor"] == "ray" for j in jobs.values())
    a, b = jobs["random"], jobs["truth"]
    assert a["start_time"] < b["end_time"] and b["start_time"] < a["end_time"], (a, b)  # they overlap
    assert len({a["pid"], b["pid"], os.getpid()}) == 3  # two worker processes, not the driver

    for label in ("base", "random", "truth"):
        assert completions(ray_out, label) == completions(local_out, label)
    assert normalised(on_ray.compare, str(ray_out)) == normalised(local.compare, str(local_out))
    report_ray = json.loads((ray_out / "report.json").read_text())
    report_local = json.loads((local_out / "report.json").read_text())
    assert normalised(report_ray, str(ray_out)) == normalised(report_local, str(local_out))
    assert on_ray.compare["trained"][0]["claimed"]["template"] == "qwen-math-chat"
