"""`rlvr-audit train`: GRPO (TRL) with the paper's rewards; see rlvr_audit/train.py."""

from __future__ import annotations

from pathlib import Path

import typer

from rlvr_audit.core.errors import AuditError


def _split(values: list[str] | None) -> tuple[str, ...]:
    return tuple(v.strip() for item in values or () for v in item.split(",") if v.strip())


def register(app: typer.Typer) -> None:
    @app.command("train")
    def train_cmd(
        model: str = typer.Option(..., "--model", help="Hub id or local directory of the policy model."),
        reward: str = typer.Option(
            ...,
            "--reward",
            help="truth, majority, incorrect, random, format, one-shot, python, or module:function.",
        ),
        gamma: float = typer.Option(None, "--gamma", help="P(reward = 1) of the random reward (default 0.5)."),
        reward_profile: str = typer.Option("ttrl", "--reward-profile", help="Grading profile the rewards use."),
        one_shot_id: str = typer.Option(None, "--one-shot-id", help="Problem id for the one-shot reward."),
        data: str = typer.Option(None, "--data", help="deepscaler (default), math, or a local JSONL/Parquet file."),
        limit: int = typer.Option(None, "--limit", help="Use only the first N training problems."),
        template: str = typer.Option(None, "--template", help="Prompt template (default qwen25-math-cot)."),
        preset: str = typer.Option("spurious-rewards", "--preset", help="spurious-rewards or trl-default."),
        overrides: list[str] = typer.Option(
            None, "--set", help="KEY=VALUE for any preset or GRPOConfig field (repeatable)."
        ),
        max_steps: int = typer.Option(500, "--max-steps", help="Optimizer steps."),
        output_dir: Path = typer.Option(
            None, "--output-dir", help="Train directory (default runs/train-<model>-<reward>)."
        ),
        seed: int = typer.Option(0, "--seed", help="Seed for training, the random reward and labels."),
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
        backend: str = typer.Option(None, "--backend", help="Backend that samples majority labels (vllm, hf)."),
        report_to: list[str] = typer.Option(None, "--report-to", help="wandb and/or tensorboard."),
        no_progress: bool = typer.Option(False, "--no-progress", help="No progress bar."),
    ) -> None:
        """Train MODEL with GRPO (TRL) on a reward from the Spurious Rewards paper."""
        from rlvr_audit.training.presets import PRESETS
        from rlvr_audit.training.rewards import parse_reward
        from rlvr_audit.training.run import TrainSpec, run_train

        if preset not in PRESETS:
            raise AuditError(f"'{preset}' is not a known preset", f"use one of: {', '.join(PRESETS)}")
        for target in _split(report_to):
            if target not in ("wandb", "tensorboard", "none"):
                raise AuditError(f"--report-to {target} is not supported", "use wandb or tensorboard")
        spec_reward = parse_reward(reward, profile=reward_profile, gamma=gamma, seed=seed, one_shot_id=one_shot_id)
        if output_dir is None:
            safe = Path(model.rstrip("/")).name or "model"
            output_dir = Path("runs") / f"train-{safe}-{spec_reward.name}"
        spec = TrainSpec(
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
            eval_benchmark=eval_benchmark,
            eval_data_file=str(eval_data_file) if eval_data_file else None,
            eval_templates=_split(eval_templates),
            eval_profiles=_split(eval_profiles) or None,
            eval_limit=eval_limit,
            eval_backend=eval_backend,
            eval_max_tokens=eval_max_tokens,
            k=k,
            labels_file=str(labels) if labels else None,
            label_backend=backend,
            report_to=tuple(t for t in _split(report_to) if t != "none"),
            progress=not no_progress,
        )
        result = run_train(spec)
        from rlvr_audit.training.run import is_main_process

        if not is_main_process():
            return
        from rich.console import Console

        console = Console()
        logged = [row for row in result.history if "reward_mean" in row]
        last = logged[-1] if logged else {}
        console.print(
            f"[bold]trained[/] {model} with reward {spec_reward.name} for {max_steps} steps -> {result.out_dir}"
        )
        if last:
            shown = {k: v for k, v in last.items() if isinstance(v, (int, float))}
            console.print(" ".join(f"{k}={v:.4g}" for k, v in shown.items()))
        if result.zero_variance_steps:
            console.print(f"[yellow]warning[/]: no learning signal at steps {result.zero_variance_steps}")
        for run in result.eval_runs:
            console.print(f"eval run: {run}")
