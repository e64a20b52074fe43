"""Shared by the audit tests: a benchmark a random tiny model sometimes gets right, two
tiny "checkpoints", and the audit options over them."""

from __future__ import annotations

import json
from pathlib import Path


def write_digits(path: Path, count: int = 8) -> Path:
    """Answers are single digits, so a random tiny model sampled at temperature 1 is
    sometimes right: the cells are not all zero."""
    with path.open("w") as fh:
        for i in range(count):
            fh.write(json.dumps({"id": f"d{i}", "problem": f"What is {i % 10} + 0?", "answer": str(i % 10)}) + "\n")
    return path


def tiny_checkpoints(root: Path) -> dict[str, Path]:
    """Two tiny models with other random weights than the base (seed 0), as stand-ins for
    RL checkpoints (`train` makes real ones in ~20 s each; these take ~2 s)."""
    from rlvr_audit.generation.tiny_model import build_tiny_model

    return {name: build_tiny_model(root / name, seed=seed) for name, seed in (("random", 1), ("truth", 2))}


def audit_options(base: Path, ckpts: dict[str, Path], data: Path, out: Path) -> dict:
    """`audit` options (as parameter names) for base + checkpoints on the digits file."""
    return {
        "base": str(base),
        "checkpoint": [f"{k}={v}" for k, v in ckpts.items()],
        "benchmark": "digits",
        "data_file": data,
        "template": ["qwen-math-chat", "no-template"],
        "profile": ["ttrl", "qwen25-math"],
        "as_claimed": "qwen-math-chat:ttrl",
        "temperature": 1.0,
        "samples": 2,
        "max_tokens": 16,
        "backend": "hf",
        "workers": 1,
        "out": out,
    }
