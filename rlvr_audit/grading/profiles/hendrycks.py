"""Profile `hendrycks`: MATH's `is_equiv` on the last box (GRADERS.md section 5): a pure
string match after `_strip_string`, gold from the solution's last box when there is one."""

from __future__ import annotations

from rlvr_audit.grading.blocks.boxed_profile import LastBoxProfile
from rlvr_audit.grading.blocks.normalize import is_equiv

__all__ = ["HENDRYCKS"]

HENDRYCKS = LastBoxProfile(
    "hendrycks",
    harness="hendrycks/math (modeling/math_equivalence.py is_equiv)",
    description="last \\boxed{} content, MATH _strip_string, exact string match",
    compare=is_equiv,  # identical strings are equal under it, so no shortcut is needed
    gold_from_solution=True,
)
