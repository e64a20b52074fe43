"""Training presets: the paper's settings in the paper's terms, mapped onto TRL's GRPOConfig.

A preset speaks of prompts per rollout and completions per optimizer step, as papers do.
TRL speaks of micro-batches:

- one *micro-step* processes ``per_device_train_batch_size x num_processes`` completions;
- an *optimizer step* accumulates ``gradient_accumulation_steps`` micro-steps;
- a *rollout* (``generation_batch_size`` completions) is generated once every
  ``steps_per_generation`` micro-steps and then consumed slice by slice.

So for the Spurious Rewards setting (64 prompts x 16 completions = 1024 completions per
rollout, 128 completions per optimizer step) on W processes with per-device batch B:

    gradient_accumulation_steps = 128 / (B * W)
    generation_batch_size       = 1024            (TRL derives steps_per_generation =
                                                   1024 / (B * W) micro-steps)
    optimizer steps per rollout = 1024 / 128 = 8

Why it matters: TRL only computes the "old" log-probs (and hence a ratio that can differ
from 1 and be clipped) when ``gradient_accumulation_steps % (steps_per_generation *
num_iterations) != 0``, i.e. when a rollout feeds more than one optimizer step. With one
optimizer step per rollout the ratio is identically 1, clipping never acts, and the
random-reward effect (which the paper attributes to clipping bias) cannot appear.
"""

from __future__ import annotations

import dataclasses
import difflib
import json
import warnings
from dataclasses import dataclass, fields, replace
from typing import Any

from rlvr_audit.core.errors import AuditError


class ClipRatioWarning(UserWarning):
    """The settings make the PPO ratio identically 1, so clipping cannot act."""


@dataclass(frozen=True)
class Preset:
    """GRPO settings in paper terms. `completions_per_step` None: one micro-batch per
    optimizer step (TRL's default, gradient_accumulation_steps = 1); `prompts_per_rollout`
    None: one rollout per optimizer step (TRL's default)."""

    name: str
    loss_type: str = "dapo"
    scale_rewards: str = "group"
    epsilon: float = 0.2
    beta: float = 0.0
    learning_rate: float = 1e-6
    lr_scheduler_type: str = "linear"
    warmup_steps: float = 0  # transformers 5: a float < 1 is a fraction of max_steps
    weight_decay: float = 0.0
    max_grad_norm: float = 1.0
    temperature: float = 1.0
    top_p: float = 1.0
    num_generations: int = 8
    prompts_per_rollout: int | None = None
    completions_per_step: int | None = None
    per_device_train_batch_size: int = 8
    num_iterations: int = 1
    max_completion_length: int = 256
    gradient_checkpointing: bool = True
    description: str = ""

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


PRESETS: dict[str, Preset] = {
    "spurious-rewards": Preset(
        "spurious-rewards",
        loss_type="grpo",  # per-sequence mean of token losses, as in the paper's GRPO
        scale_rewards="group",  # advantages divided by the group's reward std
        epsilon=0.2,
        beta=0.0,  # no KL term, so no reference model
        learning_rate=5e-7,
        lr_scheduler_type="constant",
        temperature=1.0,
        num_generations=16,
        prompts_per_rollout=64,  # 64 x 16 = 1024 completions per rollout
        completions_per_step=128,  # -> 8 optimizer steps per rollout: clipping acts
        per_device_train_batch_size=4,  # 7B x 3072 tokens on an 80 GB GPU with ZeRO-3
        max_completion_length=3072,
        description="Spurious Rewards (Shao et al., 2025): GRPO, clip 0.2, no KL, lr 5e-7 constant, "
        "16 x 64 rollouts, 128 completions per step (8 steps per rollout), 3072 tokens",
    ),
    "trl-default": Preset(
        "trl-default",
        max_completion_length=512,
        description="TRL's GRPOConfig defaults (one optimizer step per rollout: the clip ratio is 1)",
    ),
}


def get_preset(name: str) -> Preset:
    if name not in PRESETS:
        raise AuditError(f"'{name}' is not a known preset", f"use one of: {', '.join(PRESETS)}")
    return PRESETS[name]


def grpo_field_types() -> dict[str, Any]:
    """GRPOConfig field -> its default (used to coerce --set values). Imports trl."""
    from trl import GRPOConfig

    return {f.name: f.default for f in fields(GRPOConfig)}


def parse_value(text: str, like: Any) -> Any:
    """`--set` value text -> a Python value shaped like the field's default."""
    low = text.strip().lower()
    if low in ("none", "null"):
        return None
    if isinstance(like, bool):
        if low in ("true", "1", "yes", "on"):
            return True
        if low in ("false", "0", "no", "off"):
            return False
        raise ValueError(f"expected true/false, got {text!r}")
    if isinstance(like, int) and not isinstance(like, bool):
        try:
            return int(text)
        except ValueError:  # e.g. warmup_steps=0.1 (a fraction of max_steps)
            return float(text)
    if isinstance(like, float):
        return float(text)
    if isinstance(like, str):
        return text
    try:
        return json.loads(text)
    except ValueError:
        return text


def apply_overrides(preset: Preset, overrides: dict[str, str] | list[str]) -> tuple[Preset, dict[str, Any]]:
    """Split `KEY=VALUE` overrides into preset fields (applied to the preset) and other
    GRPOConfig fields (returned, typed). An unknown key -> AuditError with the closest."""
    items = _pairs(overrides)
    preset_fields = {f.name: f for f in fields(Preset)}
    extra: dict[str, Any] = {}
    changes: dict[str, Any] = {}
    grpo: dict[str, Any] | None = None
    for key, text in items:
        key = key.strip().replace("-", "_")
        try:
            if key in preset_fields and key != "name":
                default = getattr(PRESETS["spurious-rewards"], key)
                like = default if default is not None else 0
                changes[key] = parse_value(text, like)
                continue
            grpo = grpo if grpo is not None else grpo_field_types()
            if key in grpo:
                default = grpo[key]
                extra[key] = parse_value(text, default if not isinstance(default, type(dataclasses.MISSING)) else "")
                continue
        except ValueError as exc:
            raise AuditError(f"--set {key}={text}: {exc}", f"give {key} a value of the right type") from exc
        known = sorted(set(preset_fields) | set(grpo or {}))
        close = difflib.get_close_matches(key, known, n=3)
        hint = f"did you mean {', '.join(close)}?" if close else "use a preset field or a GRPOConfig field"
        raise AuditError(f"--set {key}: no such setting", hint)
    return replace(preset, **changes), extra


def _pairs(overrides: dict[str, str] | list[str]) -> list[tuple[str, str]]:
    if isinstance(overrides, dict):
        return [(k, str(v)) for k, v in overrides.items()]
    pairs = []
    for item in overrides:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise AuditError(f"--set {item!r} is not KEY=VALUE", "write --set learning_rate=1e-6")
        pairs.append((key, value))
    return pairs


def grpo_kwargs(preset: Preset, *, world_size: int = 1) -> dict[str, Any]:
    """GRPOConfig keyword arguments for `preset` on `world_size` processes (see module doc)."""
    b = preset.per_device_train_batch_size
    micro = b * world_size  # completions per micro-step, all processes together
    kw: dict[str, Any] = {
        k: getattr(preset, k)
        for k in (
            "loss_type",
            "scale_rewards",
            "epsilon",
            "beta",
            "learning_rate",
            "lr_scheduler_type",
            "warmup_steps",
            "weight_decay",
            "max_grad_norm",
            "temperature",
            "top_p",
            "num_generations",
            "per_device_train_batch_size",
            "num_iterations",
            "max_completion_length",
            "gradient_checkpointing",
        )
    }
    accum = 1
    if preset.completions_per_step is not None:
        if preset.completions_per_step % micro:
            raise AuditError(
                f"{preset.completions_per_step} completions per step do not split into micro-batches of "
                f"{b} x {world_size} processes",
                "--set per_device_train_batch_size=B so that B x processes divides completions_per_step",
            )
        accum = preset.completions_per_step // micro
    kw["gradient_accumulation_steps"] = accum
    if preset.prompts_per_rollout is not None:
        rollout = preset.prompts_per_rollout * preset.num_generations
        if rollout % (micro * accum):
            raise AuditError(
                f"a rollout of {rollout} completions is not a whole number of optimizer steps of {micro * accum}",
                "--set prompts_per_rollout / completions_per_step so that one divides the other",
            )
        kw["generation_batch_size"] = rollout
    return kw


def ratio_is_identically_one(config: Any) -> bool:
    """True when TRL skips the old log-probs (see module doc): the ratio is 1, no clipping."""
    generate_every = config.steps_per_generation * config.num_iterations
    return config.gradient_accumulation_steps % generate_every == 0


def warn_if_no_clipping(config: Any) -> str | None:
    """Warn (ClipRatioWarning) when the clip ratio is identically 1; return the message."""
    if not ratio_is_identically_one(config):
        return None
    msg = (
        f"one optimizer step per rollout (steps_per_generation={config.steps_per_generation}, "
        f"num_iterations={config.num_iterations}, gradient_accumulation_steps={config.gradient_accumulation_steps}): "
        "the PPO ratio is identically 1 and clipping never acts, so the random-reward effect cannot appear; "
        "use --preset spurious-rewards or --set prompts_per_rollout=P with P x num_generations > completions_per_step"
    )
    warnings.warn(msg, ClipRatioWarning, stacklevel=2)
    return msg
