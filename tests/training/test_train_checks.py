"""`train` refuses bad settings before a model loads or anything is written, and a run
that stops never leaves train.json saying "running"."""

from __future__ import annotations

import json

import pytest

from rlvr_audit.cli.app import main
from rlvr_audit.core.errors import AuditError
from rlvr_audit.training.rewards import parse_reward
from rlvr_audit.training.run import TrainSpec


@pytest.mark.parametrize(
    "field, value, fragment",
    [
        ("max_steps", 0, "max_steps must be a whole number of at least 1, got 0"),
        ("max_steps", -1, "max_steps must be a whole number of at least 1, got -1"),
        ("save_every", 0, "save_every must be a whole number of at least 1, got 0"),
        ("eval_every", 0, "eval_every must be a whole number of at least 1, got 0"),
        ("k", 0, "k must be a whole number of at least 1, got 0"),
        ("data_limit", 0, "data_limit must be a whole number of at least 1, got 0"),
    ],
)
def test_spec_refuses_counts_below_one(field, value, fragment, tmp_path):
    with pytest.raises(AuditError) as err:
        TrainSpec(model="m", reward=parse_reward("random"), out_dir=tmp_path / "t", **{field: value})
    assert fragment in err.value.one_line()


@pytest.mark.parametrize(
    "args, fix",
    [
        (["--max-steps", "-1"], "--max-steps 500"),
        (["--max-steps", "0"], "--max-steps 500"),
        (["--eval-every", "0"], "--eval-every 50"),
        (["--save-every", "0"], "--save-every 50"),
    ],
)
def test_cli_refuses_before_writing(args, fix, tmp_path, capsys):
    out = tmp_path / "train-out"
    rc = main(["train", "--model", str(tmp_path / "no-model"), "--reward", "random", "--output-dir", str(out), *args])
    err = capsys.readouterr().err.strip()
    assert rc == 2 and len(err.splitlines()) == 1 and fix in err
    assert not out.exists()


def test_eval_every_with_unusable_eval_data_fails_before_training(tiny_model, problem_file, tmp_path, capsys):
    out = tmp_path / "train-out"
    rc = main(
        [
            "train",
            "--model",
            str(tiny_model),
            "--reward",
            "random",
            "--data",
            str(problem_file),
            "--max-steps",
            "1",
            "--eval-every",
            "1",
            "--eval-benchmark",
            "math500",
            "--eval-data-file",
            str(tmp_path / "missing.jsonl"),
            "--output-dir",
            str(out),
        ]
    )
    err = capsys.readouterr().err.strip()
    assert rc == 2 and len(err.splitlines()) == 1
    assert "checkpoint evaluation (--eval-every) cannot run" in err
    assert not (out / "train.json").exists()


def test_a_failed_run_is_marked_failed(tiny_model, problem_file, tmp_path, capsys, monkeypatch, trl_ready):
    import rlvr_audit.training.run as run_module

    def broken(*args, **kwargs):
        raise RuntimeError("the trainer broke")

    monkeypatch.setattr(run_module, "_train", broken)
    out = tmp_path / "train-out"
    spec = TrainSpec(
        model=str(tiny_model), reward=parse_reward("random"), out_dir=out, data=str(problem_file), max_steps=1
    )
    with pytest.raises(RuntimeError):
        run_module.run_train(spec)
    manifest = json.loads((out / "train.json").read_text())
    assert manifest["status"] == "failed"
    assert manifest["error"] == "RuntimeError: the trainer broke"
