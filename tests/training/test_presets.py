"""Presets: the paper's batch arithmetic mapped onto TRL, overrides, the clip-ratio warning."""

from __future__ import annotations

from pathlib import Path

import pytest

from rlvr_audit.core.errors import AuditError
from rlvr_audit.training.presets import (
    PRESETS,
    ClipRatioWarning,
    apply_overrides,
    get_preset,
    grpo_kwargs,
    ratio_is_identically_one,
    warn_if_no_clipping,
)


# (world size, per-device batch) -> expected gradient accumulation (128 / (B * W))
@pytest.mark.parametrize("world,batch,accum", [(8, 4, 4), (8, 16, 1), (1, 8, 16), (4, 2, 16)])
def test_spurious_preset_maps_to_8_optimizer_steps_per_rollout(world, batch, accum):
    preset, _ = apply_overrides(get_preset("spurious-rewards"), [f"per_device_train_batch_size={batch}"])
    kw = grpo_kwargs(preset, world_size=world)
    assert kw["gradient_accumulation_steps"] == accum
    assert kw["generation_batch_size"] == 64 * 16
    steps_per_generation = kw["generation_batch_size"] // (batch * world)  # what TRL derives
    assert steps_per_generation / accum == 8
    assert (kw["loss_type"], kw["scale_rewards"], kw["epsilon"], kw["beta"]) == ("grpo", "group", 0.2, 0.0)
    assert (kw["learning_rate"], kw["lr_scheduler_type"], kw["temperature"]) == (5e-7, "constant", 1.0)
    assert (kw["num_generations"], kw["max_completion_length"]) == (16, 3072)


def test_batch_that_does_not_divide_is_an_error():
    preset, _ = apply_overrides(get_preset("spurious-rewards"), ["per_device_train_batch_size=3"])
    with pytest.raises(AuditError, match="per_device_train_batch_size"):
        grpo_kwargs(preset, world_size=8)


@pytest.mark.parametrize(
    "items,preset_changes,extra",
    [
        (["learning_rate=1e-6"], {"learning_rate": 1e-6}, {}),
        (
            ["gradient_checkpointing=false", "num_generations=4"],
            {"gradient_checkpointing": False, "num_generations": 4},
            {},
        ),
        (["logging_steps=5"], {}, {"logging_steps": 5}),
        (["mask_truncated_completions=true"], {}, {"mask_truncated_completions": True}),
    ],
)
def test_overrides_reach_preset_or_grpo_config(items, preset_changes, extra, trl_ready):
    preset, got_extra = apply_overrides(get_preset("spurious-rewards"), items)
    for key, value in preset_changes.items():
        assert getattr(preset, key) == value
    assert got_extra == extra


@pytest.mark.parametrize(
    "items,message",
    [(["learnin_rate=1"], "learning_rate"), (["novalue"], "KEY=VALUE"), (["num_generations=many"], "right type")],
)
def test_bad_overrides(items, message, trl_ready):
    with pytest.raises(AuditError, match=message):
        apply_overrides(get_preset("spurious-rewards"), items)


def _config(preset_name, items=()):
    from trl import GRPOConfig

    preset, extra = apply_overrides(get_preset(preset_name), list(items))
    kw = grpo_kwargs(preset, world_size=1)
    return GRPOConfig(output_dir="unused", use_cpu=True, bf16=False, report_to="none", **kw, **extra)


def test_trl_default_warns_that_clipping_cannot_act(trl_ready):
    config = _config("trl-default")
    assert ratio_is_identically_one(config)
    with pytest.warns(ClipRatioWarning, match="identically 1"):
        assert warn_if_no_clipping(config)


def test_spurious_preset_keeps_clipping(trl_ready, recwarn):
    config = _config("spurious-rewards", ["per_device_train_batch_size=16"])
    # optimizer steps fed by one rollout
    assert config.steps_per_generation * config.num_iterations / config.gradient_accumulation_steps == 8
    assert not ratio_is_identically_one(config)
    assert warn_if_no_clipping(config) is None
    assert not [w for w in recwarn if issubclass(w.category, ClipRatioWarning)]


def test_num_iterations_also_makes_clipping_act(trl_ready):
    assert not ratio_is_identically_one(_config("trl-default", ["num_iterations=2"]))


def test_every_preset_has_a_description():
    assert all(p.description for p in PRESETS.values())


CONFIGS = Path(__file__).resolve().parents[2] / "configs" / "accelerate"


@pytest.mark.parametrize("name", ["deepspeed_zero3.yaml", "fsdp.yaml", "deepspeed_zero3_colocate8.yaml"])
def test_accelerate_configs_load_and_fit_the_paper_batches(name):
    pytest.importorskip("accelerate")
    from accelerate.commands.config.config_args import load_config_from_file

    config = load_config_from_file(str(CONFIGS / name))
    kw = grpo_kwargs(get_preset("spurious-rewards"), world_size=config.num_processes)
    micro = kw["per_device_train_batch_size"] * config.num_processes
    assert micro * kw["gradient_accumulation_steps"] == 128
    assert kw["generation_batch_size"] // (micro * kw["gradient_accumulation_steps"]) == 8
