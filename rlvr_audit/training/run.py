"""`rlvr-audit train`: GRPO with TRL's GRPOTrainer on the paper's rewards.

Pieces live beside this module: presets and their TRL mapping (`train_presets`), data
and prompts (`train_data`), callbacks (`train_callbacks`), rewards (`rewards`), majority
labels (`labels`). This module wires them together and writes the train directory::

    OUT/train.json          manifest: model, reward spec, preset (+ overrides), GRPOConfig,
                            seeds, data identity, library versions, status, checkpoints, evals
    OUT/labels.json         majority-vote labels (majority / incorrect rewards), reused
    OUT/metrics.jsonl       one line per logged step
    OUT/checkpoint-N/       TRL checkpoints every --eval-every (or --save-every) steps
    OUT/final/              the final model and tokenizer
    OUT/eval/checkpoint-N/  baseline runs on each checkpoint (`compare` reads them);
                            eval/checkpoint-0 is the starting model
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from rlvr_audit.core.errors import AuditError
from rlvr_audit.core.types import Sampling
from rlvr_audit.io.jsonl import write_json_atomic
from rlvr_audit.training.presets import apply_overrides, get_preset, grpo_kwargs, warn_if_no_clipping
from rlvr_audit.training.rewards import RewardSpec, build_reward
from rlvr_audit.workflows.baseline import BaselineSpec

MANIFEST = "train.json"


@dataclass(frozen=True)
class TrainSpec:
    """Everything a training run depends on. `overrides` are `KEY=VALUE` strings for preset
    or GRPOConfig fields; `eval_every` > 0 checkpoints every N steps and evaluates them.

    `eval` is the baseline that each checkpoint gets; its model, out_dir and label are
    filled in per checkpoint (None: greedy MATH-500 with the default grid, see
    `checkpoint_eval.eval_template`). `eval_base` also evaluates the starting model.
    """

    model: str
    reward: RewardSpec
    out_dir: str | Path
    preset: str = "spurious-rewards"
    overrides: tuple[str, ...] = ()
    data: str | None = None
    data_limit: int | None = None
    template: str | None = None
    max_steps: int = 500
    seed: int = 0
    save_every: int | None = None
    eval_every: int | None = None
    eval: BaselineSpec | None = None
    eval_base: bool = True
    k: int = 8
    labels_file: str | None = None
    label_backend: str | None = None
    label_backend_options: tuple[tuple[str, Any], ...] = ()
    report_to: tuple[str, ...] = ()
    logging_steps: int = 1
    progress: bool = True

    def __post_init__(self) -> None:
        # Checked on construction, so the CLI and the Python API refuse the same settings
        # before a model loads or train.json is written.
        counts = (
            ("max_steps", self.max_steps, "--max-steps 500"),
            ("k", self.k, "--k 8"),
            ("logging_steps", self.logging_steps, "logging_steps=1"),
        )
        optional = (
            ("save_every", self.save_every, "--save-every 50, or leave it out"),
            ("eval_every", self.eval_every, "--eval-every 50, or leave it out"),
            ("data_limit", self.data_limit, "--limit 100, or leave it out"),
        )
        for name, value, example in counts + tuple(o for o in optional if o[1] is not None):
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                raise AuditError(f"{name} must be a whole number of at least 1, got {value}", f"pass e.g. {example}")


@dataclass
class TrainResult:
    """What a run produced; `history` holds the logged metrics, one dict per step."""

    out_dir: Path
    history: list[dict[str, Any]] = field(default_factory=list)
    zero_variance_steps: list[int] = field(default_factory=list)
    clip_warning: str | None = None
    checkpoints: list[str] = field(default_factory=list)
    eval_runs: list[str] = field(default_factory=list)
    final_model: Path | None = None
    seconds: float = 0.0


def library_versions() -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    from rlvr_audit.core.version import __version__

    out = {"rlvr_audit": __version__}
    for lib in ("trl", "transformers", "torch", "accelerate", "datasets", "deepspeed", "vllm"):
        try:
            out[lib] = version(lib)
        except PackageNotFoundError:
            pass
    return out


def world_size() -> int:
    return int(os.environ.get("WORLD_SIZE", "1") or 1)


def is_main_process() -> bool:
    return int(os.environ.get("RANK", "0") or 0) == 0


def build_config(spec: TrainSpec) -> tuple[Any, dict[str, Any]]:
    """(GRPOConfig, resolved preset dict) for `spec`: preset -> overrides -> TRL fields."""
    import torch
    from trl import GRPOConfig

    preset, extra = apply_overrides(get_preset(spec.preset), list(spec.overrides))
    kw = grpo_kwargs(preset, world_size=world_size())
    save_every = spec.eval_every or spec.save_every
    cpu = not torch.cuda.is_available()
    kw.update(
        output_dir=str(spec.out_dir),
        max_steps=spec.max_steps,
        seed=spec.seed,
        data_seed=spec.seed,
        logging_steps=spec.logging_steps,
        save_strategy="steps" if save_every else "no",
        save_steps=save_every or 500,
        save_only_model=True,  # optimizer states of a 7B model are 4x its size; resume is not offered
        report_to=list(spec.report_to) or "none",
        bf16=not cpu,
        use_cpu=cpu,
        disable_tqdm=True,  # our rich bar (or nothing, with progress off) replaces tqdm
    )
    kw.update(extra)
    if "generation_batch_size" in extra or "steps_per_generation" in extra:
        for key in ("generation_batch_size", "steps_per_generation"):
            if key not in extra:
                kw.pop(key, None)
    try:
        config = GRPOConfig(**kw)
    except (ValueError, TypeError) as exc:
        raise AuditError(f"the training settings are inconsistent ({exc})", "change --preset or --set") from exc
    return config, preset.to_dict()


def _labels_for(spec: TrainSpec, problems: list[Any], config: Any) -> dict[str, Any] | None:
    if not spec.reward.needs_labels:
        return None
    from rlvr_audit.training.labels import LABELS_FILE, derive_labels, load_labels, save_labels

    if spec.labels_file:  # labels from an earlier run (majority and incorrect share them)
        given = load_labels(spec.labels_file)
        missing = [p.id for p in problems if p.id not in given]
        if missing:
            raise AuditError(
                f"labels file {spec.labels_file} has no label for {len(missing)} problems (e.g. {missing[0]})",
                "drop --labels to derive them, or use the same --data",
            )
        if is_main_process():
            save_labels(Path(spec.out_dir) / LABELS_FILE, given, key="given", spec={"from": str(spec.labels_file)})
        return given

    sampling = Sampling(
        temperature=config.temperature,
        top_p=config.top_p,
        max_tokens=config.max_completion_length,
        n=spec.k,
        seed=spec.seed,
    )

    def derive() -> dict[str, Any]:
        return derive_labels(
            problems,
            model=spec.model,
            backend=spec.label_backend,
            k=spec.k,
            sampling=sampling,
            profile=spec.reward.profile,
            out_path=Path(spec.out_dir) / LABELS_FILE,
            template=spec.template,
            backend_options=dict(spec.label_backend_options),
            progress=spec.progress and is_main_process(),
        )

    if world_size() > 1:  # the main process derives and saves; the others then read the file
        from accelerate import PartialState

        with PartialState().main_process_first():
            return derive()
    return derive()


def _dataset(spec: TrainSpec, config: Any) -> tuple[Any, dict[str, Any], dict[str, Any] | None]:
    from datasets import Dataset

    from rlvr_audit.training.data import dataset_rows, load_train_problems, select_problems

    problems, identity = load_train_problems(spec.data, limit=spec.data_limit)
    labels = _labels_for(spec, problems, config)
    chosen = select_problems(problems, spec.reward.name, labels, spec.reward.one_shot_id)
    rows = dataset_rows(chosen, spec.template, labels)
    prompts_per_rollout = config.generation_batch_size // config.num_generations
    if len(rows) < prompts_per_rollout:  # the sampler needs a full rollout of distinct rows
        rows = (rows * (prompts_per_rollout // len(rows) + 1))[: max(prompts_per_rollout, len(rows))]
    identity.update({"trained_on": len(chosen), "template": spec.template or "qwen25-math-cot"})
    if labels is not None:
        identity["labels"] = {
            "file": "labels.json",
            "k": spec.k,
            "correct_majority": sum(1 for lab in labels.values() if lab.is_correct),
            "with_majority": sum(1 for lab in labels.values() if lab.majority),
        }
    return Dataset.from_list(rows), identity, labels


def _distributed_info(trainer: Any) -> dict[str, Any]:
    import torch.distributed as dist

    backend = dist.get_backend() if dist.is_available() and dist.is_initialized() else None
    return {
        "backend": backend,
        "device": str(trainer.accelerator.device.type),
        "num_processes": trainer.accelerator.num_processes,
    }


def write_manifest(spec: TrainSpec, out: Path, **extra: Any) -> None:
    """Write (or update) OUT/train.json; main process only."""
    import json

    from rlvr_audit.generation.models import resolve_model

    path = out / MANIFEST
    manifest = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
    if not manifest:
        manifest = {
            "kind": "rlvr-audit-train",
            # 2: "model" is the resolved model entry (was the bare argument); "data" has a content hash
            "schema_version": 2,
            # Resolved as baseline does: a hub id pinned to its commit (else AuditError).
            "model": resolve_model(spec.model, pin=True).entry(spec.model),
            "reward": spec.reward.to_dict(),
            "preset": spec.preset,
            "overrides": list(spec.overrides),
            "seeds": {"train": spec.seed, "reward": spec.reward.seed, "labels": spec.seed},
            "versions": library_versions(),
            "world_size": world_size(),
        }
    manifest.update(extra)
    write_json_atomic(path, manifest)


def _preflight(spec: TrainSpec) -> None:
    """What can fail without training fails first: the model must resolve, and with
    `eval_every` the evaluation's templates, profiles, backend and benchmark must be usable
    (otherwise the error would come after the last step)."""
    from rlvr_audit.generation.models import resolve_model
    from rlvr_audit.training.checkpoint_eval import eval_template
    from rlvr_audit.workflows.baseline import check_baseline_spec

    resolve_model(spec.model, pin=True)
    if spec.eval_every:
        try:
            check_baseline_spec(eval_template(spec))
        except AuditError as exc:
            raise AuditError(
                f"checkpoint evaluation (--eval-every) cannot run: {exc.message}",
                exc.fix.replace("--data-file", "--eval-data-file").replace("--template ", "--eval-templates ")
                if exc.fix
                else "check the --eval-* options",
            ) from exc


def run_train(spec: TrainSpec) -> TrainResult:
    """Train, checkpoint, and (with eval_every) evaluate every checkpoint. Returns a TrainResult."""
    out = Path(spec.out_dir).expanduser()
    _preflight(spec)
    out.mkdir(parents=True, exist_ok=True)
    spec = replace(spec, out_dir=out)
    start = time.perf_counter()
    config, preset = build_config(spec)
    clip_warning = warn_if_no_clipping(config) if is_main_process() else None
    dataset, data_identity, _ = _dataset(spec, config)
    config_dict = {k: v for k, v in config.to_dict().items() if not k.startswith("_") and "token" not in k}
    if is_main_process():
        write_manifest(
            spec,
            out,
            status="running",
            preset_resolved=preset,
            grpo_config=config_dict,
            data=data_identity,
            clip_warning=clip_warning,
            steps_per_rollout=config.steps_per_generation * config.num_iterations / config.gradient_accumulation_steps,
        )

    try:
        return _train(spec, out, config, dataset, clip_warning, start)
    except BaseException as exc:
        # train.json must not say "running" for a run that stopped.
        if is_main_process():
            status = "interrupted" if isinstance(exc, KeyboardInterrupt) else "failed"
            message = exc.one_line() if isinstance(exc, AuditError) else f"{type(exc).__name__}: {exc}"
            write_manifest(spec, out, status=status, error=message.splitlines()[0][:500] if message else status)
        raise


def _train(spec: TrainSpec, out: Path, config: Any, dataset: Any, clip_warning: Any, start: float) -> TrainResult:
    """The training loop, the final save and the checkpoint evaluation of `run_train`."""
    from trl import GRPOTrainer

    from rlvr_audit.generation.models import resolve_model
    from rlvr_audit.training.callbacks import make_callbacks

    # Train the weights train.json names: a hub id loads its pinned commit, not whatever
    # `main` is by the time each process starts.
    resolved = resolve_model(spec.model, pin=True)
    if resolved.revision and resolved.path_or_id == spec.model and not Path(spec.model).exists():
        config.model_init_kwargs = {**(config.model_init_kwargs or {}), "revision": resolved.revision}

    callbacks = make_callbacks(out, progress=spec.progress, is_main=is_main_process())
    try:
        trainer = GRPOTrainer(
            model=spec.model,
            reward_funcs=[build_reward(spec.reward)],
            args=config,
            train_dataset=dataset,
            callbacks=callbacks,
        )
    except OSError as exc:
        raise AuditError(
            f"cannot load model '{spec.model}' ({str(exc).splitlines()[0][:200]})",
            "pass --model with a local directory or a hub id you can download",
        ) from exc
    from transformers.trainer_callback import PrinterCallback

    # with tqdm off, transformers prints every log dict; metrics.jsonl and our bar keep them
    trainer.remove_callback(PrinterCallback)
    trainer.train()
    distributed = _distributed_info(trainer)
    final = out / "final"
    trainer.save_model(str(final))
    metrics_cb = callbacks[0]
    result = TrainResult(out, metrics_cb.history, metrics_cb.zero_variance_steps, clip_warning, final_model=final)
    result.checkpoints = sorted((p.name for p in out.glob("checkpoint-*")), key=lambda n: int(n.split("-")[1]))
    if is_main_process():
        if spec.eval_every:
            from rlvr_audit.training.checkpoint_eval import evaluate_checkpoints

            del trainer  # free the policy before the evaluation backend loads
            result.eval_runs = evaluate_checkpoints(spec, out, result.checkpoints)
        result.seconds = time.perf_counter() - start
        write_manifest(
            spec,
            out,
            status="finished",
            distributed=distributed,
            checkpoints=result.checkpoints,
            eval_runs=result.eval_runs,
            zero_variance_steps=result.zero_variance_steps,
            seconds=round(result.seconds, 2),
            train_summary=metrics_cb.summary,
            last_metrics=result.history[-1] if result.history else None,
        )
    return result
