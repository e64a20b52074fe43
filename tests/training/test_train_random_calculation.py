"""CPU smoke test of the clean re-run of the training claim: `train --data random-calculation`
with the random and truth rewards (real TRL steps on the tiny model)."""

from __future__ import annotations

import json
import warnings

import pytest

from rlvr_audit.cli.app import main

TINY = (
    "num_generations=2",
    "prompts_per_rollout=2",
    "completions_per_step=2",
    "per_device_train_batch_size=2",
    "max_completion_length=16",
    "gradient_checkpointing=false",
    "learning_rate=1e-3",
)


@pytest.mark.slow
@pytest.mark.parametrize("reward", ["random", "truth"])
def test_train_on_generated_problems(reward, tiny_model, tmp_path, capsys):
    out = tmp_path / reward
    args = ["train", "--model", str(tiny_model), "--reward", reward, "--data", "random-calculation:n=8,seed=11"]
    args += ["--max-steps", "2", "--output-dir", str(out), "--no-progress"]
    for item in TINY:
        args += ["--set", item]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert main(args) == 0, capsys.readouterr().err
    manifest = json.loads((out / "train.json").read_text())
    assert manifest["status"] == "finished"
    data = manifest["data"]
    # The generated set's identity, not a file path: generator, parameters and content hash.
    assert "random-calculation" in json.dumps(data) and "seed=11" in json.dumps(data)
    assert (out / "final").is_dir()
    steps = [json.loads(line)["step"] for line in (out / "metrics.jsonl").read_text().splitlines()]
    assert steps == [1, 2]
