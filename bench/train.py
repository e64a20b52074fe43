"""Benchmark: `rlvr-audit train` against a bare TRL GRPO script with the same config.

Both run as fresh processes (imports included) on the tiny local model, the same
prompts, the same GRPOConfig and the same reward; the bare script has nothing else (no
manifest, no profile-based metrics, no progress bar, no callbacks). Runs alternate, and the
table reports medians and the overhead ratio; the target is <= 5%.

`--reward random` (default): Bernoulli(0.5) in both. `--reward truth`: the bare script
grades with the ttrl profile in its own process, no time limit and no cache (what a plain
TRL reward function does), while `rlvr-audit train` grades in the worker pool with
per-item time limits and the verdict cache; the difference is the cost of that safety.

    python bench/train.py [--steps 30] [--repeats 3] [--reward random|truth]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SETTINGS = (
    "num_generations=4",
    "prompts_per_rollout=4",
    "completions_per_step=8",
    "per_device_train_batch_size=8",
    "max_completion_length=32",
    "gradient_checkpointing=false",
    "learning_rate=1e-4",
)

BARE = """
import json, sys
import numpy as np
from datasets import Dataset
from trl import GRPOConfig, GRPOTrainer

model, data, out, config_json, reward = sys.argv[1:6]
rows = [json.loads(line) for line in open(data)]
calls = [0]

def random_reward(prompts, completions, **kw):
    rng = np.random.default_rng([0, calls[0], 0])
    calls[0] += 1
    return [1.0 if u < 0.5 else 0.0 for u in rng.random(len(completions))]

def truth(prompts, completions, answer, **kw):
    from rlvr_audit.grading.registry import get_profile

    profile = get_profile("ttrl")
    return [
        1.0 if profile.judge(profile.extract(c).answer, profile.prepare_gold(a, None)) else 0.0
        for c, a in zip(completions, answer)
    ]

args = GRPOConfig(output_dir=out, **json.loads(config_json))
funcs = [truth if reward == "truth" else random_reward]
trainer = GRPOTrainer(model=model, reward_funcs=funcs, args=args, train_dataset=Dataset.from_list(rows))
output = trainer.train()
trainer.save_model(out + "/final")
json.dump(output.metrics, open(out + "/summary.json", "w"))
"""


def prepare(work: Path, steps: int) -> tuple[Path, Path, dict]:
    """Tiny model, problem file, TRL rows for the bare script, and the exact GRPOConfig kwargs."""
    from rlvr_audit.generation.tiny_model import build_tiny_model
    from rlvr_audit.training.data import dataset_rows, load_train_problems
    from rlvr_audit.training.presets import apply_overrides, get_preset, grpo_kwargs

    model = build_tiny_model(work / "tiny")
    problems_file = work / "problems.jsonl"
    problems_file.write_text(
        "".join(
            json.dumps({"id": f"p{i}", "problem": f"What is {i} + {i}?", "answer": str(2 * i)}) + "\n"
            for i in range(64)
        )
    )
    problems, _ = load_train_problems(str(problems_file))
    rows = [{k: v for k, v in r.items()} for r in dataset_rows(problems, None)]
    (work / "rows.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    preset, extra = apply_overrides(get_preset("spurious-rewards"), list(SETTINGS))
    config = {
        **grpo_kwargs(preset),
        **extra,
        "max_steps": steps,
        "seed": 0,
        "data_seed": 0,
        "logging_steps": 1,
        "save_strategy": "no",
        "report_to": "none",
        "bf16": False,
        "use_cpu": True,
        "disable_tqdm": True,
        "save_only_model": True,
    }
    return model, problems_file, config


def timed(cmd: list[str], env: dict) -> tuple[float, float]:
    """(wall seconds, CPU seconds of the child) for one run."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True)
    took = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        sys.exit(f"failed: {' '.join(cmd[:4])} ...\n{proc.stderr[-2000:]}")
    return took, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def train_runtime(out: Path) -> float:
    """TRL's own train_runtime (the training loop only) from either runner's output."""
    if (out / "summary.json").is_file():
        return float(json.loads((out / "summary.json").read_text())["train_runtime"])
    return float(json.loads((out / "train.json").read_text())["train_summary"]["train_runtime"])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--steps", type=int, default=30)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--reward", choices=("random", "truth"), default="random")
    opts = ap.parse_args()
    env = {
        **os.environ,
        "OMP_NUM_THREADS": os.environ.get("OMP_NUM_THREADS", "1"),
        "HF_HUB_OFFLINE": "1",
        "TOKENIZERS_PARALLELISM": "false",
        "WANDB_MODE": "disabled",
        "PYTHONWARNINGS": "ignore",
    }
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        model, problems_file, config = prepare(work, opts.steps)
        (work / "bare.py").write_text(BARE)
        ours_cmd = [
            sys.executable,
            "-m",
            "rlvr_audit",
            "train",
            "--model",
            str(model),
            "--reward",
            opts.reward,
            *(["--gamma", "0.5"] if opts.reward == "random" else []),
            "--data",
            str(problems_file),
            "--max-steps",
            str(opts.steps),
            "--no-progress",
        ]
        for item in SETTINGS:
            ours_cmd += ["--set", item]
        names = ("bare TRL", "rlvr-audit train")
        wall: dict[str, list[float]] = {n: [] for n in names}
        cpu: dict[str, list[float]] = {n: [] for n in names}
        loop: dict[str, list[float]] = {n: [] for n in names}
        for i in range(opts.repeats):
            runs = {
                "bare TRL": (
                    [
                        sys.executable,
                        str(work / "bare.py"),
                        str(model),
                        str(work / "rows.jsonl"),
                        str(work / f"bare{i}"),
                        json.dumps(config),
                        opts.reward,
                    ],
                    work / f"bare{i}",
                ),
                "rlvr-audit train": (ours_cmd + ["--output-dir", str(work / f"ours{i}")], work / f"ours{i}"),
            }
            order = names if i % 2 == 0 else names[::-1]  # alternate who runs first
            for name in order:
                cmd, out = runs[name]
                # a fresh verdict cache per run: no run profits from an earlier one's verdicts
                w, c = timed(cmd, {**env, "RLVR_AUDIT_HOME": str(work / f"home-{i}-{len(wall[name])}-{name[:4]}")})
                wall[name].append(w)
                cpu[name].append(c)
                loop[name].append(train_runtime(out))
    from rich.console import Console
    from rich.table import Table

    title = f"train overhead: {opts.steps} GRPO steps, tiny model, {opts.reward} reward, median of {opts.repeats}"
    table = Table(title=title)
    for col in ("measure", "bare TRL s", "rlvr-audit s", "ratio", "runs (bare | ours)"):
        table.add_column(col)
    ratios = {}
    for label, data in (("wall, whole process", wall), ("CPU, whole process", cpu), ("training loop", loop)):
        b, o = statistics.median(data["bare TRL"]), statistics.median(data["rlvr-audit train"])
        ratios[label] = o / b
        runs_text = (
            " ".join(f"{v:.1f}" for v in data["bare TRL"])
            + " | "
            + " ".join(f"{v:.1f}" for v in data["rlvr-audit train"])
        )
        table.add_row(label, f"{b:.2f}", f"{o:.2f}", f"{o / b:.3f}", runs_text)
    Console().print(table)
    print(
        f"overhead: {(ratios['wall, whole process'] - 1) * 100:+.1f}% of wall time, "
        f"{(ratios['CPU, whole process'] - 1) * 100:+.1f}% of CPU time, "
        f"{(ratios['training loop'] - 1) * 100:+.1f}% of the training loop (target <= 5%)"
    )


if __name__ == "__main__":
    main()
