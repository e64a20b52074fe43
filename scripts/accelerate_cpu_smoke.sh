#!/usr/bin/env bash
# Two-process `accelerate launch --cpu` smoke run of `rlvr-audit train` on the tiny model.
#
# It exercises the multi-process path the GPU recipe uses (docs/training.md): one
# `rlvr-audit train` per process, torch.distributed over gloo (accelerate's choice without
# CUDA), DDP, rewards computed per process and gathered by TRL, the manifest by rank 0.
#
# Why `--multi_gpu` and not `--cpu`: in accelerate 1.x, `accelerate launch --cpu` routes to
# its `simple_launcher`, which starts exactly ONE process whatever --num_processes says;
# several CPU processes need `--mpirun_hostfile` (mpirun + an MPI/oneCCL install, absent
# here). `--multi_gpu` uses the torchrun launcher instead; with no CUDA device, accelerate
# and the Trainer run every rank on the CPU with the gloo backend, which the script checks.
#
# Usage: scripts/accelerate_cpu_smoke.sh [OUT_DIR]      (about a minute on 2 cores)
set -euo pipefail

OUT="${1:-$(mktemp -d)/accelerate-cpu-smoke}"
WORK="$(mktemp -d)"
PORT="${MAIN_PROCESS_PORT:-$((29500 + RANDOM % 1000))}"
export OMP_NUM_THREADS=1 HF_HUB_OFFLINE=1 TOKENIZERS_PARALLELISM=false WANDB_MODE=disabled
PYTHON="${PYTHON:-python}"

"$PYTHON" - "$WORK" <<'PY'
import json, sys
from pathlib import Path
from rlvr_audit.generation.tiny_model import build_tiny_model

work = Path(sys.argv[1])
build_tiny_model(work / "tiny")
rows = [{"id": f"p{i}", "problem": f"What is {i}+{i}?", "answer": str(2 * i)} for i in range(1, 9)]
(work / "problems.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
PY

# 2 processes x 2 completions per device = 4 completions per micro-step; a rollout of
# 4 prompts x 2 completions = 8 completions -> 2 optimizer steps per rollout (clipping on).
"$PYTHON" -m accelerate.commands.launch \
  --multi_gpu --num_processes 2 --num_machines 1 --mixed_precision no --dynamo_backend no \
  --main_process_port "$PORT" \
  -m rlvr_audit train \
  --model "$WORK/tiny" --reward random --gamma 0.5 --data "$WORK/problems.jsonl" \
  --max-steps 2 --output-dir "$OUT" --no-progress \
  --set num_generations=2 --set prompts_per_rollout=4 --set completions_per_step=4 \
  --set per_device_train_batch_size=2 --set max_completion_length=16 \
  --set gradient_checkpointing=false

"$PYTHON" - "$OUT" <<'PY'
import json, sys
from pathlib import Path

out = Path(sys.argv[1])
manifest = json.loads((out / "train.json").read_text())
assert manifest["status"] == "finished", manifest["status"]
assert manifest["world_size"] == 2, manifest["world_size"]
assert manifest["distributed"]["backend"] == "gloo", manifest["distributed"]
assert manifest["distributed"]["device"] == "cpu", manifest["distributed"]
rows = [json.loads(line) for line in (out / "metrics.jsonl").read_text().splitlines()]
assert any("reward_mean" in r for r in rows), rows
print(f"accelerate CPU smoke run OK: world_size=2, gloo on cpu, {len(rows)} logged steps, out={out}")
PY
