"""Trainer callbacks: per-step metrics (kept in metrics.jsonl), the no-learning-signal
warning, a rich progress bar, and stopping the reward-grading workers when training ends.
Imports transformers lazily via `make_callbacks`."""

from __future__ import annotations

import json
import warnings
from pathlib import Path
from typing import Any


class NoLearningSignalWarning(UserWarning):
    """Every group's rewards were identical: all advantages are 0, nothing is learned."""


# TRL log key -> our name in metrics.jsonl and the progress line.
METRIC_KEYS = {
    "reward": "reward_mean",
    "reward_std": "reward_std",
    "frac_reward_zero_std": "frac_zero_std",
    "format_rate": "format_rate",
    "code_rate": "code_rate",
    "clip_ratio/region_mean": "clip_ratio",
    "clip_ratio/low_mean": "clip_ratio_low",
    "clip_ratio/high_mean": "clip_ratio_high",
    "completions/mean_length": "completion_length",
    "completions/clipped_ratio": "truncated_rate",
    "reward/grade_timeouts": "reward/grade_timeouts",
    "reward/grade_errors": "reward/grade_errors",
    "reward/grade_seconds": "reward/grade_seconds",
    "loss": "loss",
    "learning_rate": "learning_rate",
}


def pick_metrics(logs: dict[str, Any]) -> dict[str, Any]:
    """Our metrics from one TRL log record; per-reward means/stds keep TRL's names."""
    out = {ours: logs[key] for key, ours in METRIC_KEYS.items() if key in logs}
    out.update({k: v for k, v in logs.items() if k.startswith("rewards/")})
    return out


def make_callbacks(out_dir: Path, *, progress: bool, is_main: bool) -> list[Any]:
    """The callbacks `run_train` hands to the GRPOTrainer."""
    from transformers import TrainerCallback

    class MetricsCallback(TrainerCallback):
        """Appends one JSON line per logged step; warns when no group has reward variance."""

        def __init__(self) -> None:
            self.history: list[dict[str, Any]] = []
            self.zero_variance_steps: list[int] = []
            self.summary: dict[str, Any] = {}
            self.path = out_dir / "metrics.jsonl"

        def on_log(self, args, state, control, logs=None, **kw):
            if logs and "train_runtime" in logs:  # the end-of-training summary
                self.summary = {k: v for k, v in logs.items() if isinstance(v, (int, float))}
            if not logs or ("reward" not in logs and "loss" not in logs):
                return
            row = {"step": state.global_step, **pick_metrics(logs)}
            self.history.append(row)
            if logs.get("frac_reward_zero_std") is not None and logs["frac_reward_zero_std"] >= 1.0:
                self.zero_variance_steps.append(state.global_step)
                warnings.warn(
                    f"step {state.global_step}: every group's reward has zero variance, so every advantage is 0 "
                    "and this step learns nothing (check the reward, gamma, or use more completions per prompt)",
                    NoLearningSignalWarning,
                    stacklevel=2,
                )
            if is_main:
                with self.path.open("a", encoding="utf-8") as fh:
                    fh.write(json.dumps(row, default=float) + "\n")

    class ProgressCallback(TrainerCallback):
        """A rich bar over optimizer steps, with the latest reward / clip ratio / length."""

        def __init__(self) -> None:
            self.bar = None
            self.task = None

        def on_train_begin(self, args, state, control, **kw):
            from rlvr_audit.core.progress import progress_bar

            self.bar = progress_bar("[bold]train[/bold] {task.description}", remaining=True)
            self.bar.start()
            self.task = self.bar.add_task("", total=state.max_steps)

        def on_step_end(self, args, state, control, **kw):
            if self.bar is not None:
                self.bar.update(self.task, completed=state.global_step)

        def on_log(self, args, state, control, logs=None, **kw):
            if self.bar is not None and logs and "reward" in logs:
                m = pick_metrics(logs)
                text = " ".join(
                    f"{k}={m[k]:.3g}"
                    for k in ("reward_mean", "clip_ratio", "completion_length")
                    if isinstance(m.get(k), (int, float))
                )
                self.bar.update(self.task, description=text)

        def on_train_end(self, args, state, control, **kw):
            if self.bar is not None:
                self.bar.stop()
                self.bar = None

    class GradingShutdownCallback(TrainerCallback):
        """The reward-grading pool stays warm across steps; its workers stop with training."""

        def on_train_end(self, args, state, control, **kw):
            from rlvr_audit.training.reward_grading import shutdown_reward_grading

            shutdown_reward_grading()

    callbacks: list[Any] = [MetricsCallback(), GradingShutdownCallback()]
    if progress and is_main:
        callbacks.append(ProgressCallback())
    return callbacks
