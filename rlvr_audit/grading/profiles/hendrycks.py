"""Profiles `hendrycks` (MATH's `is_equiv` on the last box, GRADERS section 5) and
`prm800k` (PRM800K `grade_answer` on the last box, section 6)."""

from __future__ import annotations

from rlvr_audit.grading.base import Extraction, Profile
from rlvr_audit.grading.blocks.equivalence import grade_answer
from rlvr_audit.grading.blocks.extract import last_boxed_only_string, remove_boxed
from rlvr_audit.grading.blocks.normalize import is_equiv

__all__ = ["HENDRYCKS", "PRM800K", "HendrycksProfile", "Prm800kProfile", "last_box"]


def last_box(text: str) -> str | None:
    """B2(B1(text)): the content of the last `\\boxed{...}`, or None."""
    return remove_boxed(last_boxed_only_string(text))


class HendrycksProfile(Profile):
    """MATH (hendrycks/math) `is_equiv`: pure string match after `_strip_string`."""

    name = "hendrycks"
    harness = "hendrycks/math (modeling/math_equivalence.py is_equiv)"
    description = "last \\boxed{} content, MATH _strip_string, exact string match"
    version = "1"

    def prepare_gold(self, answer: str, solution: str | None = None) -> str:
        if solution:
            boxed = last_box(solution)
            if boxed is not None:
                return boxed
        return str(answer)

    def extract(self, completion: str) -> Extraction:
        pred = last_box(completion)
        return Extraction(pred, pred is not None)

    def judge(self, extracted: str | None, gold: str) -> bool:
        if extracted is not None and extracted == gold:
            return True
        return is_equiv(extracted, gold)


class Prm800kProfile(Profile):
    """PRM800K `grade_answer` (mathd + `_normalize` + guarded sympy) on the last box."""

    name = "prm800k"
    harness = "openai/prm800k (prm800k/grading/grader.py grade_answer)"
    description = "last \\boxed{} content, PRM800K grade_answer (mathd, _normalize, sympy)"
    version = "1"

    def prepare_gold(self, answer: str, solution: str | None = None) -> str:
        return str(answer)

    def extract(self, completion: str) -> Extraction:
        pred = last_box(completion)
        return Extraction(pred, pred is not None)

    def judge(self, extracted: str | None, gold: str) -> bool:
        if extracted is None:
            return False
        if extracted == gold:
            return True
        return grade_answer(extracted, gold)


HENDRYCKS = HendrycksProfile()
PRM800K = Prm800kProfile()
