"""Checkpoint evaluation for `rlvr-audit train --eval-every N`: the baseline grid on every
checkpoint (and on the starting model as checkpoint-0), as ordinary runs that `compare`
accepts, e.g. ``rlvr-audit compare OUT/eval/checkpoint-0 OUT/eval/checkpoint-200``.

It runs after training, not inside it: the trainer holds the accelerator's memory, and an
evaluation backend (vLLM) loaded beside it would compete for it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rlvr_audit.core.types import Sampling


def evaluate_checkpoints(spec: Any, out: Path, checkpoints: list[str]) -> list[str]:
    """Run the baseline grid on each checkpoint dir (and the base model); return run dirs."""
    from rlvr_audit.workflows.baseline import BaselineSpec, run_baseline

    targets: list[tuple[str, str]] = []
    if spec.eval_base:
        targets.append(("checkpoint-0", spec.model))
    targets += [(name, str(out / name)) for name in checkpoints]
    runs: list[str] = []
    for name, model in targets:
        run_dir = out / "eval" / name
        baseline = BaselineSpec(
            model=model,
            benchmark=spec.eval_benchmark,
            data_file=spec.eval_data_file,
            templates=tuple(spec.eval_templates),
            profiles=spec.eval_profiles,
            sampling=Sampling(temperature=0.0, max_tokens=spec.eval_max_tokens, n=1, seed=spec.seed),
            backend=spec.eval_backend,
            out_dir=run_dir,
            limit=spec.eval_limit,
            label=f"{Path(str(spec.model)).name} {spec.reward.name} {name}",
        )
        run_baseline(baseline, progress=spec.progress)
        runs.append(str(run_dir))
    return runs
