"""Checkpoint evaluation reuses one BaselineSpec: `train --eval-*` build it, each
checkpoint fills in its model, run directory and label."""

from pathlib import Path

from rlvr_audit.cli.train import train_spec
from rlvr_audit.core.types import Sampling
from rlvr_audit.training import checkpoint_eval
from rlvr_audit.training.rewards import parse_reward
from rlvr_audit.training.run import TrainSpec
from rlvr_audit.workflows.baseline import BaselineSpec

CLI_DEFAULTS = dict(
    gamma=None,
    reward_profile="ttrl",
    one_shot_id=None,
    grade_timeout=5.0,
    data=None,
    limit=None,
    template=None,
    preset="spurious-rewards",
    overrides=None,
    max_steps=500,
    output_dir=None,
    seed=3,
    save_every=None,
    eval_every=None,
    eval_benchmark="math500",
    eval_data_file=None,
    eval_templates=None,
    eval_profiles=None,
    eval_limit=None,
    eval_backend=None,
    eval_max_tokens=3072,
    k=8,
    labels=None,
    backend=None,
    report_to=None,
    no_progress=False,
)


def test_eval_options_become_one_baseline_spec():
    options = {
        **CLI_DEFAULTS,
        "eval_benchmark": "gsm8k",
        "eval_data_file": Path("p.jsonl"),
        "eval_templates": ["a,b", "c"],
        "eval_profiles": ["ttrl"],
        "eval_limit": 4,
        "eval_backend": "hf",
        "eval_max_tokens": 64,
    }
    spec = train_spec(model="m", reward="random", **options)
    assert spec.eval == BaselineSpec(
        model="m",
        benchmark="gsm8k",
        data_file="p.jsonl",
        templates=("a", "b", "c"),
        profiles=("ttrl",),
        sampling=Sampling(temperature=0.0, max_tokens=64, n=1, seed=3),
        backend="hf",
        limit=4,
    )
    assert spec.out_dir == Path("runs") / "train-m-random"


def test_default_eval_matches_the_cli_defaults():
    from_cli = train_spec(model="m", reward="random", **CLI_DEFAULTS).eval
    library = TrainSpec(model="m", reward=parse_reward("random", seed=3), out_dir="o", seed=3)
    assert checkpoint_eval.eval_template(library) == from_cli


def test_each_checkpoint_fills_the_template(tmp_path, monkeypatch):
    seen = []
    monkeypatch.setattr(checkpoint_eval, "run_baseline", lambda spec, progress: seen.append(spec))
    each = BaselineSpec(model="ignored", benchmark="tiny", limit=2)
    spec = TrainSpec(model="org/base", reward=parse_reward("format"), out_dir=tmp_path, eval=each, progress=False)
    runs = checkpoint_eval.evaluate_checkpoints(spec, tmp_path, ["checkpoint-1"])
    assert runs == [str(tmp_path / "eval" / "checkpoint-0"), str(tmp_path / "eval" / "checkpoint-1")]
    assert [s.model for s in seen] == ["org/base", str(tmp_path / "checkpoint-1")]
    assert [s.label for s in seen] == ["base format checkpoint-0", "base format checkpoint-1"]
    assert all(s.benchmark == "tiny" and s.limit == 2 for s in seen)


def test_grade_timeout_reaches_the_reward_spec():
    spec = train_spec(model="m", reward="truth", **{**CLI_DEFAULTS, "grade_timeout": 0.75})
    assert spec.reward.grade_timeout == 0.75
    assert train_spec(model="m", reward="truth", **CLI_DEFAULTS).reward.grade_timeout == 5.0
