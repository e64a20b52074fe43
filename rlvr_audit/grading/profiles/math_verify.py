"""Profile `math-verify`: the installed math-verify library with its defaults, gold wrapped
as `\\boxed{answer}` (GRADERS.md §3), as verl's math_verify reward calls it; and
`math-verify-untimed`, the same without the library's 5 s parsing limit."""

from __future__ import annotations

from rlvr_audit.grading.base import Extraction, Profile
from rlvr_audit.grading.blocks.mathverify_steps import (
    LIBRARY_LIMIT_S,
    PERCENT_NOTE,
    TIMED_NOTE,
    UNTIMED_NOTE,
    extract_parse,
    judge_parsed,
)

_LIBRARIES = ("math-verify", "latex2sympy2_extended", "sympy", "antlr4-python3-runtime")


class MathVerifyProfile(Profile):
    """math-verify library defaults, gold wrapped as `\\boxed{answer}`."""

    name = "math-verify"
    harness = "huggingface/Math-Verify (installed version, defaults; as verl's math_verify reward)"
    description = "verify(parse('\\boxed{answer}'), parse(completion)) with library defaults"
    version = "2"  # 2: the library's 5 s parsing limit gives no answer, as in the library
    parse_limit_s: float | None = LIBRARY_LIMIT_S
    notes = (
        "Runs the installed math-verify (0.9.0); GRADERS.md's examples were checked with "
        "0.8.0. " + TIMED_NOTE + "Other timeouts come from the grading pool (CPU time), not "
        "the library's SIGALRM. Absurdly large numbers (e.g. 10^{10^{10^{10}}}) are judged "
        "False without simplifying, where the library's 5 s limit would also give False. " + PERCENT_NOTE
    )

    def prepare_gold(self, answer: str, solution: str | None = None) -> str:
        return "\\boxed{" + answer + "}"

    def extract(self, completion: str) -> Extraction:
        return extract_parse(completion, "default", self.parse_limit_s)

    def judge(self, extracted: str | None, gold: str) -> bool:
        return judge_parsed(extracted, gold, "default", "default", 6)


class MathVerifyUntimedProfile(MathVerifyProfile):
    """`math-verify` without the library's parsing limit."""

    name = "math-verify-untimed"
    description = "math-verify, but a parse the library would stop at its 5 s limit runs to the end"
    version = "1"
    libraries = _LIBRARIES
    exact_benchmarks = ("math500",)
    parse_limit_s = None
    notes = (
        UNTIMED_NOTE + "This was `math-verify` version 1. It differs from `math-verify` only on such "
        "degenerate completions: 5 of the 14,800 real Qwen2.5-Math outputs in the shared data "
        "(3 of the 6,000 Qwen2.5-Math-7B ones), docs/grading-fidelity.md. " + PERCENT_NOTE
    )


MATH_VERIFY = MathVerifyProfile()
MATH_VERIFY_UNTIMED = MathVerifyUntimedProfile()
