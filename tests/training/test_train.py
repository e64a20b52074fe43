"""`rlvr-audit train` end to end on the tiny model: a few GRPO steps per reward type,
learning signal checks, reproducibility, checkpoint evaluation and the CLI."""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import pytest

# Only a missing third-party extra skips; a project module that fails to import must fail.
pytest.importorskip("trl")
pytest.importorskip("datasets")

from rlvr_audit.training.callbacks import NoLearningSignalWarning
from rlvr_audit.training.labels import Label, save_labels
from rlvr_audit.training.rewards import parse_reward

# 2 prompts x 2 completions per rollout, 2 completions per optimizer step (2 optimizer
# steps per rollout, so TRL's clipping path stays on), 16 tokens: seconds per run on a CPU.
TINY = (
    "num_generations=2",
    "prompts_per_rollout=2",
    "completions_per_step=2",
    "per_device_train_batch_size=2",
    "max_completion_length=16",
    "gradient_checkpointing=false",
    "learning_rate=1e-3",
)


def train(tiny_model, out, problem_file, reward="random", steps=2, extra=(), **kw):
    from rlvr_audit.training.run import TrainSpec, run_train

    reward_kw = {k: kw.pop(k) for k in ("gamma", "one_shot_id") if k in kw}
    spec = TrainSpec(
        model=str(tiny_model),
        reward=parse_reward(reward, seed=kw.get("seed", 0), **reward_kw),
        out_dir=out,
        data=str(problem_file),
        max_steps=steps,
        overrides=TINY + tuple(extra),
        progress=False,
        **kw,
    )
    return run_train(spec)


def weights(path: Path) -> dict:
    from safetensors.torch import load_file

    return load_file(str(next(Path(path).glob("*.safetensors"))))


def changed(a: dict, b: dict) -> bool:
    import torch

    return any(not torch.equal(a[k], b[k]) for k in a if k in b)


def write_labels(path: Path, majorities: dict[str, tuple[str, bool]]) -> Path:
    labels = {pid: Label(m, ok, ((m, 2),)) for pid, (m, ok) in majorities.items()}
    save_labels(path, labels, key="test", spec={})
    return path


LABELS = {"train-p1": ("2", True), "train-p2": ("5", False), "train-p3": ("7", False), "train-p4": ("8", True)}

# reward -> extra run arguments
REWARD_RUNS = [
    ("truth", {}),
    ("format", {}),
    ("python", {}),
    ("one-shot", {"one_shot_id": "p2"}),
    ("random", {"gamma": 0.5}),
    ("majority", {"labels": True}),
    ("incorrect", {"labels": True}),
    ("custom", {}),
]


@pytest.mark.parametrize("reward,args", REWARD_RUNS, ids=[r for r, _ in REWARD_RUNS])
def test_a_few_steps_per_reward(reward, args, tiny_model, problem_file, tmp_path):
    args = dict(args)
    if args.pop("labels", False):
        args["labels_file"] = str(write_labels(tmp_path / "given.json", LABELS))
    if reward == "custom":
        mod = tmp_path / "r.py"
        mod.write_text("def half(prompts, completions, **kw):\n    return [0.5 for _ in completions]\n")
        reward = f"{mod}:half"
    out = tmp_path / "run"
    result = train(tiny_model, out, problem_file, reward=reward, **args)
    logged = [row for row in result.history if "reward_mean" in row]
    assert logged, "no reward was logged"
    name = "custom" if ":" in reward else reward.replace("-", "_")
    assert f"rewards/{name}/mean" in logged[0]
    for key in ("reward_std", "format_rate", "code_rate", "clip_ratio", "completion_length"):
        assert key in logged[0]
    manifest = json.loads((out / "train.json").read_text())
    assert manifest["status"] == "finished"
    assert manifest["reward"]["name"] == ("custom" if ":" in reward else reward)
    assert {"trl", "transformers", "torch"} <= set(manifest["versions"])
    assert (out / "metrics.jsonl").read_text().count("\n") == len(result.history)
    if reward == "incorrect":  # only the problems whose majority label is wrong
        assert manifest["data"]["trained_on"] == sum(1 for _, ok in LABELS.values() if not ok)
        assert json.loads((out / "labels.json").read_text())["labels"]["train-p2"]["majority"] == "5"
    if reward == "one-shot":
        assert manifest["data"]["trained_on"] == 1


def test_parameters_change_when_the_reward_has_variance(tiny_model, problem_file, tmp_path):
    result = train(
        tiny_model,
        tmp_path / "run",
        problem_file,
        reward="random",
        gamma=0.5,
        extra=("num_generations=4", "prompts_per_rollout=2", "completions_per_step=4", "per_device_train_batch_size=4"),
    )
    assert any(row.get("frac_zero_std", 1.0) < 1.0 for row in result.history)
    assert not result.zero_variance_steps
    assert changed(weights(tiny_model), weights(result.final_model))


@pytest.mark.parametrize("reward,kw", [("random", {"gamma": 0.0}), ("python", {})])
def test_zero_variance_warns_and_learns_nothing(reward, kw, tiny_model, problem_file, tmp_path):
    with pytest.warns(NoLearningSignalWarning, match="zero variance"):
        result = train(tiny_model, tmp_path / "run", problem_file, reward=reward, **kw)
    assert result.zero_variance_steps
    assert not changed(weights(tiny_model), weights(result.final_model))


def test_random_reward_is_identical_across_runs_with_one_seed(tiny_model, problem_file, tmp_path):
    runs = [
        train(tiny_model, tmp_path / f"run{i}", problem_file, reward="random", gamma=0.5, steps=6, seed=5)
        for i in range(2)
    ]
    seqs = [[row["rewards/random/mean"] for row in r.history if "rewards/random/mean" in row] for r in runs]
    assert len(seqs[0]) == 3  # 6 steps, 2 optimizer steps per rollout
    assert seqs[0] == seqs[1]


def test_checkpoint_evaluation_produces_runs_compare_reads(tiny_model, problem_file, tmp_path):
    from rlvr_audit.comparison.gains import VERDICTS, compare_runs
    from rlvr_audit.core.types import Sampling
    from rlvr_audit.store.run import Run
    from rlvr_audit.workflows.baseline import BaselineSpec

    out = tmp_path / "run"
    each_checkpoint = BaselineSpec(
        model="filled in per checkpoint",
        benchmark="tiny",
        data_file=str(problem_file),
        templates=("qwen25-math-cot",),
        profiles=("ttrl",),
        limit=2,
        backend="hf",
        sampling=Sampling(max_tokens=8),
    )
    result = train(tiny_model, out, problem_file, reward="format", eval_every=1, eval=each_checkpoint)
    assert result.checkpoints == ["checkpoint-1", "checkpoint-2"]
    assert [Path(p).name for p in result.eval_runs] == ["checkpoint-0", "checkpoint-1", "checkpoint-2"]
    for path in result.eval_runs:  # each checkpoint run is complete, with its manifest
        for name in ("run.json", "generations.jsonl", "problems.jsonl", "summary.json", "grades/ttrl.jsonl"):
            assert (Path(path) / name).is_file(), (path, name)
    runs = [Run.open(p) for p in result.eval_runs]
    assert all(len(r.problems()) == 2 for r in runs)
    assert all(len(r.generations()) == 2 and len(r.grades("ttrl")) == 2 for r in runs)
    assert all(r.manifest["templates"].keys() == {"qwen25-math-cot"} for r in runs)

    comparison = compare_runs(runs[0], runs[1:], n_boot=50, as_claimed=("qwen25-math-cot", "ttrl"))
    assert [t.path for t in comparison.trained] == [str(Path(p)) for p in result.eval_runs[1:]]
    for trained in comparison.trained:
        for figure in (trained.claimed, trained.adjusted):
            assert all(isinstance(figure[k], float) for k in ("gain", "low", "high")), figure
            assert figure["low"] <= figure["gain"] <= figure["high"]
        assert trained.verdict in VERDICTS

    manifest = json.loads((out / "train.json").read_text())
    assert manifest["eval_runs"] == result.eval_runs
    # 2 steps, 2 optimizer steps per rollout: one metrics line per step, and the rollout's
    # reward only on the step that generated it.
    lines = [json.loads(line) for line in (out / "metrics.jsonl").read_text().splitlines()]
    assert [row["step"] for row in lines] == [1, 2]
    assert {"reward_mean", "reward_std", "rewards/format/mean", "loss", "clip_ratio"} <= lines[0].keys()
    assert "reward_mean" not in lines[1] and "loss" in lines[1]


def test_cli_train_and_errors(tiny_model, problem_file, tmp_path, capsys):
    from rlvr_audit.cli.app import main

    out = tmp_path / "cli"
    args = [
        "train",
        "--model",
        str(tiny_model),
        "--reward",
        "format",
        "--data",
        str(problem_file),
        "--max-steps",
        "2",
        "--output-dir",
        str(out),
        "--no-progress",
    ]
    for item in TINY:
        args += ["--set", item]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert main(args) == 0
    assert (out / "final").is_dir() and (out / "train.json").is_file()
    capsys.readouterr()
    assert main(["train", "--model", str(tiny_model), "--reward", "truth"]) == 2  # offline, no --data
    err = capsys.readouterr().err
    assert "--data FILE" in err and len(err.strip().splitlines()) == 1
    assert (
        main(
            [
                "train",
                "--model",
                str(tiny_model),
                "--reward",
                "random",
                "--data",
                str(problem_file),
                "--set",
                "learnin_rate=1",
            ]
        )
        == 2
    )
    assert "learning_rate" in capsys.readouterr().err


def test_trl_default_run_warns_about_the_clip_ratio(tiny_model, problem_file, tmp_path):
    from rlvr_audit.training.presets import ClipRatioWarning
    from rlvr_audit.training.run import TrainSpec, run_train

    spec = TrainSpec(
        model=str(tiny_model),
        reward=parse_reward("random", gamma=0.5),
        out_dir=tmp_path / "run",
        data=str(problem_file),
        max_steps=1,
        preset="trl-default",
        progress=False,
        overrides=(
            "num_generations=2",
            "per_device_train_batch_size=2",
            "max_completion_length=8",
            "gradient_checkpointing=false",
        ),
    )
    with pytest.warns(ClipRatioWarning, match="identically 1"):
        run_train(spec)
    manifest = json.loads((tmp_path / "run" / "train.json").read_text())
    assert manifest["steps_per_rollout"] == 1 and "clipping never acts" in manifest["clip_warning"]
