"""Profile `math-verify`: the installed math-verify library with its defaults, gold wrapped
as `\\boxed{answer}` (GRADERS.md §3), as verl's math_verify reward calls it."""

from __future__ import annotations

from rlvr_audit.grading.base import Extraction, Profile
from rlvr_audit.grading.blocks.mathverify_steps import PERCENT_NOTE, extract_parse, judge_parsed


class MathVerifyProfile(Profile):
    """math-verify library defaults, gold wrapped as `\\boxed{answer}`."""

    name = "math-verify"
    harness = "huggingface/Math-Verify (installed version, defaults; as verl's math_verify reward)"
    description = "verify(parse('\\boxed{answer}'), parse(completion)) with library defaults"
    version = "1"
    notes = (
        "Runs the installed math-verify (0.9.0); GRADERS.md's examples were checked with "
        "0.8.0. Timeouts come from the grading pool, not the library's SIGALRM. "
        "Absurdly large numbers (e.g. 10^{10^{10^{10}}}) are judged False without "
        "simplifying, where the library's 5 s limit would also give False. " + PERCENT_NOTE
    )

    def prepare_gold(self, answer: str, solution: str | None = None) -> str:
        return "\\boxed{" + answer + "}"

    def extract(self, completion: str) -> Extraction:
        return extract_parse(completion, "default")

    def judge(self, extracted: str | None, gold: str) -> bool:
        return judge_parsed(extracted, gold, "default", "default", 6)


MATH_VERIFY = MathVerifyProfile()
