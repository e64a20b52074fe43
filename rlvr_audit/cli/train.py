"""`rlvr-audit train`: GRPO (TRL) with the paper's rewards; see rlvr_audit/training/run.py."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from rlvr_audit.cli import options as opt
from rlvr_audit.core.errors import AuditError


def eval_spec(
    model: str,
    *,
    seed: int,
    eval_benchmark: str,
    eval_data_file: Path | None,
    eval_templates: list[str] | None,
    eval_profiles: list[str] | None,
    eval_limit: int | None,
    eval_backend: str | None,
    eval_max_tokens: int,
) -> Any:
    """The BaselineSpec that `--eval-*` describe; checkpoint evaluation fills in each checkpoint."""
    from rlvr_audit.core.types import Sampling
    from rlvr_audit.workflows.baseline import BaselineSpec

    return BaselineSpec(
        model=model,
        benchmark=eval_benchmark,
        data_file=str(eval_data_file) if eval_data_file else None,
        templates=tuple(opt.split_names(eval_templates)),
        profiles=tuple(opt.split_names(eval_profiles)) or None,
        sampling=Sampling(temperature=0.0, max_tokens=eval_max_tokens, n=1, seed=seed),
        backend=eval_backend,
        limit=eval_limit,
    )


def train_spec(
    *,
    model: str,
    reward: str,
    gamma: float | None,
    reward_profile: str,
    one_shot_id: str | None,
    grade_timeout: float,
    data: str | None,
    limit: int | None,
    template: str | None,
    preset: str,
    overrides: list[str] | None,
    max_steps: int,
    output_dir: Path | None,
    seed: int,
    save_every: int | None,
    eval_every: int | None,
    k: int,
    labels: Path | None,
    backend: str | None,
    report_to: list[str] | None,
    no_progress: bool,
    **eval_options: Any,
) -> Any:
    """The TrainSpec that `train`'s options describe; a bad preset or --report-to is refused."""
    from rlvr_audit.training.presets import PRESETS
    from rlvr_audit.training.rewards import parse_reward
    from rlvr_audit.training.run import TrainSpec

    if preset not in PRESETS:
        raise AuditError(f"'{preset}' is not a known preset", f"use one of: {', '.join(PRESETS)}")
    targets = opt.split_names(report_to)
    for target in targets:
        if target not in ("wandb", "tensorboard", "none"):
            raise AuditError(f"--report-to {target} is not supported", "use wandb or tensorboard")
    spec_reward = parse_reward(
        reward, profile=reward_profile, gamma=gamma, seed=seed, one_shot_id=one_shot_id, grade_timeout=grade_timeout
    )
    if output_dir is None:
        safe = Path(model.rstrip("/")).name or "model"
        output_dir = Path("runs") / f"train-{safe}-{spec_reward.name}"
    return TrainSpec(
        model=model,
        reward=spec_reward,
        out_dir=output_dir,
        preset=preset,
        overrides=tuple(overrides or ()),
        data=data,
        data_limit=limit,
        template=template,
        max_steps=max_steps,
        seed=seed,
        save_every=save_every,
        eval_every=eval_every,
        eval=eval_spec(model, seed=seed, **eval_options),
        k=k,
        labels_file=str(labels) if labels else None,
        label_backend=backend,
        report_to=tuple(t for t in targets if t != "none"),
        progress=not no_progress,
    )


def _print_result(spec: Any, result: Any) -> None:
    from rich.console import Console

    console = Console()
    logged = [row for row in result.history if "reward_mean" in row]
    last = logged[-1] if logged else {}
    console.print(
        f"[bold]trained[/] {spec.model} with reward {spec.reward.name} for {spec.max_steps} steps -> {result.out_dir}"
    )
    if last:
        shown = {k: v for k, v in last.items() if isinstance(v, (int, float))}
        console.print(" ".join(f"{k}={v:.4g}" for k, v in shown.items()))
    if result.zero_variance_steps:
        console.print(f"[yellow]warning[/]: no learning signal at steps {result.zero_variance_steps}")
    for run in result.eval_runs:
        console.print(f"eval run: {run}")


def register(app: typer.Typer) -> None:
    @app.command("train")
    def train_cmd(
        model: str = opt.model("Hub id or local directory of the policy model.", short=None),
        reward: str = typer.Option(
            ...,
            "--reward",
            help="truth, majority, incorrect, random, format, one-shot, python, or module:function.",
        ),
        gamma: float = typer.Option(None, "--gamma", help="P(reward = 1) of the random reward (default 0.5)."),
        reward_profile: str = typer.Option("ttrl", "--reward-profile", help="Grading profile the rewards use."),
        one_shot_id: str = typer.Option(None, "--one-shot-id", help="Problem id for the one-shot reward."),
        grade_timeout: float = typer.Option(
            5.0, "--grade-timeout", min=0.01, help="CPU seconds per grading step per completion (then reward 0)."
        ),
        data: str = typer.Option(
            None,
            "--data",
            help="deepscaler (default), math, random-calculation[:n=..,seed=..] (generated, clean), or a local JSONL/Parquet file.",
        ),
        limit: int = opt.limit("Use only the first N training problems."),
        template: str = typer.Option(None, "--template", help="Prompt template (default qwen25-math-cot)."),
        preset: str = typer.Option("spurious-rewards", "--preset", help="spurious-rewards or trl-default."),
        overrides: list[str] = typer.Option(
            None, "--set", help="KEY=VALUE for any preset or GRPOConfig field (repeatable)."
        ),
        max_steps: int = typer.Option(500, "--max-steps", help="Optimizer steps."),
        output_dir: Path = typer.Option(
            None, "--output-dir", help="Train directory (default runs/train-<model>-<reward>)."
        ),
        seed: int = opt.seed("Seed for training, the random reward and labels."),
        save_every: int = typer.Option(None, "--save-every", help="Checkpoint every N steps."),
        eval_every: int = typer.Option(None, "--eval-every", help="Checkpoint every N steps and evaluate each."),
        eval_benchmark: str = typer.Option("math500", "--eval-benchmark", help="Benchmark for checkpoint evals."),
        eval_data_file: Path = typer.Option(None, "--eval-data-file", help="Local file for checkpoint evals."),
        eval_templates: list[str] = typer.Option(None, "--eval-templates", help="Templates for checkpoint evals."),
        eval_profiles: list[str] = typer.Option(None, "--eval-profiles", help="Profiles for checkpoint evals."),
        eval_limit: int = typer.Option(None, "--eval-limit", help="Evaluate on the first N problems."),
        eval_backend: str = typer.Option(None, "--eval-backend", help="vllm, hf or openai for checkpoint evals."),
        eval_max_tokens: int = typer.Option(3072, "--eval-max-tokens", help="Token cap for checkpoint evals."),
        k: int = typer.Option(8, "--k", help="Samples per problem for majority labels."),
        labels: Path = typer.Option(None, "--labels", help="Reuse majority labels from a labels.json file."),
        backend: str = opt.backend("Backend that samples majority labels (vllm, hf)."),
        report_to: list[str] = typer.Option(None, "--report-to", help="wandb and/or tensorboard."),
        no_progress: bool = opt.no_progress(),
    ) -> None:
        """Train MODEL with GRPO (TRL) on a reward from the Spurious Rewards paper."""
        spec = train_spec(**locals())
        from rlvr_audit.training.run import is_main_process, run_train

        result = run_train(spec)
        if is_main_process():
            _print_result(spec, result)
