"""A profile skeleton for harnesses that grade the content of the last `\\boxed{}` with a
string comparator (MATH's `is_equiv`, PRM800K's `grade_answer`): the harness files then
only say which comparator and where the gold comes from."""

from __future__ import annotations

from collections.abc import Callable

from rlvr_audit.grading.base import Extraction, Profile
from rlvr_audit.grading.blocks.extract import last_box

__all__ = ["LastBoxProfile"]


class LastBoxProfile(Profile):
    """B2(B1(completion)) compared with `compare(extracted, gold)`. `gold_from_solution`:
    the gold is the last box of the solution when it has one (else the answer)."""

    def __init__(
        self,
        name: str,
        *,
        harness: str,
        description: str,
        compare: Callable[[str | None, str], bool],
        gold_from_solution: bool = False,
        version: str = "1",
    ):
        self.name = name
        self.harness = harness
        self.description = description
        self.compare = compare  # module-level, so that the profile pickles
        self.gold_from_solution = gold_from_solution
        self.version = version

    def prepare_gold(self, answer: str, solution: str | None = None) -> str:
        boxed = last_box(solution) if solution and self.gold_from_solution else None
        return boxed if boxed is not None else str(answer)

    def extract(self, completion: str) -> Extraction:
        pred = last_box(completion)
        return Extraction(pred, pred is not None)

    def judge(self, extracted: str | None, gold: str) -> bool:
        return bool(self.compare(extracted, gold))
