"""Profile `prm800k`: PRM800K `grade_answer` (mathd, `_normalize`, guarded sympy) on the
last box (GRADERS.md section 6), against the benchmark answer."""

from __future__ import annotations

from rlvr_audit.grading.blocks.boxed_profile import LastBoxProfile
from rlvr_audit.grading.blocks.equivalence import grade_answer

__all__ = ["PRM800K"]

PRM800K = LastBoxProfile(
    "prm800k",
    harness="openai/prm800k (prm800k/grading/grader.py grade_answer)",
    description="last \\boxed{} content, PRM800K grade_answer (mathd, _normalize, sympy)",
    compare=grade_answer,  # None is False; identical strings pass its first (mathd) step
)
