"""Profile `dapo`: verl `math_dapo.compute_score` in its default mode (GRADERS.md §8).

The last `Answer:` line within the last 300 characters, Minerva's normaliser (B6, verl's
copy) on both sides, exact string equality. `dapo_score` is the same rule as a +1/-1
reward.
"""

from __future__ import annotations

import re

from rlvr_audit.grading.base import Extraction, Profile
from rlvr_audit.grading.blocks.minerva_norm import normalize_final_answer

DAPO_INVALID = "[INVALID]"
_DAPO_ANSWER = re.compile(r"(?i)Answer\s*:\s*([^\n]+)")
_DAPO_WINDOW = 300


def dapo_raw_answer(completion: str) -> str:
    """The last `Answer:` capture within the last 300 characters, or `[INVALID]`."""
    matches = _DAPO_ANSWER.findall(completion[-_DAPO_WINDOW:])
    return matches[-1] if matches else DAPO_INVALID


def dapo_score(completion: str, gold: str) -> float:
    """verl `math_dapo.compute_score` default mode: +1.0 if the normalised last `Answer:`
    line equals the normalised gold exactly, else -1.0 (no overlong shaping)."""
    pred = normalize_final_answer(dapo_raw_answer(completion), "verl")
    return 1.0 if pred == normalize_final_answer(gold, "verl") else -1.0


class DapoProfile(Profile):
    """verl `math_dapo.compute_score` (strict_box_verify=False)."""

    name = "dapo"
    harness = "volcengine/verl math_dapo.compute_score (default mode)"
    description = "last 'Answer:' line in the last 300 chars; Minerva normaliser; exact match"
    version = "1"
    notes = "Pure string rule; gold is the benchmark answer, normalised (never box-extracted)."

    def prepare_gold(self, answer: str, solution: str | None = None) -> str:
        return normalize_final_answer(answer, "verl")

    def extract(self, completion: str) -> Extraction:
        raw = dapo_raw_answer(completion)
        return Extraction(normalize_final_answer(raw, "verl"), raw != DAPO_INVALID)

    def judge(self, extracted: str | None, gold: str) -> bool:
        return extracted is not None and extracted == gold


DAPO = DapoProfile()
