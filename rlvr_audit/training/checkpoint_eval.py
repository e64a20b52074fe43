"""Checkpoint evaluation for `rlvr-audit train --eval-every N`: the baseline grid on every
checkpoint (and on the starting model as checkpoint-0), as ordinary runs that `compare`
accepts, e.g. ``rlvr-audit compare OUT/eval/checkpoint-0 OUT/eval/checkpoint-200``.

It runs after training, not inside it: the trainer holds the accelerator's memory, and an
evaluation backend (vLLM) loaded beside it would compete for it.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

from rlvr_audit.core.types import Sampling
from rlvr_audit.workflows.baseline import BaselineSpec, run_baseline

EVAL_MAX_TOKENS = 3072


def eval_template(spec: Any) -> BaselineSpec:
    """The baseline every checkpoint of `spec` (a TrainSpec) gets: `spec.eval`, else greedy
    decoding on the default benchmark and grid, seeded with the training seed."""
    if spec.eval is not None:
        return spec.eval
    return BaselineSpec(
        model=spec.model, sampling=Sampling(temperature=0.0, max_tokens=EVAL_MAX_TOKENS, n=1, seed=spec.seed)
    )


def evaluate_checkpoints(spec: Any, out: Path, checkpoints: list[str]) -> list[str]:
    """Run the baseline grid on each checkpoint dir (and the base model); return run dirs."""
    template = eval_template(spec)
    targets: list[tuple[str, str]] = []
    if spec.eval_base:
        targets.append(("checkpoint-0", spec.model))
    targets += [(name, str(out / name)) for name in checkpoints]
    runs: list[str] = []
    for name, model in targets:
        run_dir = out / "eval" / name
        label = f"{Path(str(spec.model)).name} {spec.reward.name} {name}"
        run_baseline(replace(template, model=model, out_dir=run_dir, label=label), progress=spec.progress)
        runs.append(str(run_dir))
    return runs
