"""The multi-process path: a 2-process `accelerate launch` of `rlvr-audit train` on CPU
(gloo), via scripts/accelerate_cpu_smoke.sh, which explains why it launches with
--multi_gpu rather than --cpu (accelerate's --cpu launcher starts one process only)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "accelerate_cpu_smoke.sh"


@pytest.mark.slow
def test_two_process_accelerate_launch_on_cpu(tmp_path):
    pytest.importorskip("accelerate")
    pytest.importorskip("trl")
    out = tmp_path / "smoke"
    env = {**os.environ, "PYTHON": sys.executable}
    proc = subprocess.run(["bash", str(SCRIPT), str(out)], env=env, capture_output=True, text=True, timeout=480)
    assert proc.returncode == 0, proc.stderr[-3000:] + proc.stdout[-2000:]
    assert "accelerate CPU smoke run OK" in proc.stdout
    manifest = json.loads((out / "train.json").read_text())
    assert manifest["world_size"] == 2
    assert manifest["distributed"] == {"backend": "gloo", "device": "cpu", "num_processes": 2}
    assert (out / "final").is_dir()
