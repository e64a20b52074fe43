"""Profile `sober`: the Sober-reasoning (lighteval) MATH-500 configuration of math-verify
(GRADERS.md §3): gold from the solution, Expr + Latex (boxed priority 0) on the output,
5 decimals; and `sober-untimed`, the same without the library's 5 s parsing limit."""

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
_VERSION_NOTE = (
    "Runs math-verify 0.9.0 (latex2sympy2_extended 1.x current) instead of the copy "
    "inside lighteval 0.8.1 (~math-verify 0.5.2, l2s 1.0.6). Verdicts that can "
    "differ: several boxes close together (0.9 merges nearby boxes into a set, "
    "so 'First \\boxed{5}. Then \\boxed{7}.' fails against 7 here but passes in "
    "Sober), the library's LatexExtractionConfig defaults (boxed priority 50 and "
    "equations=False instead of lighteval's 55 / equations=True; gold side only), "
    "and newer relation/set and float-rounding handling. Gold falls back to "
    "\\boxed{answer} when no solution is given, and to the raw gold string when "
    "nothing in it parses. "
)


class SoberProfile(Profile):
    """The Sober-reasoning (lighteval) MATH-500 configuration, on the installed library."""

    name = "sober"
    harness = "bethgelab/sober-reasoning (lighteval 0.8.1 math extraction), via math-verify"
    description = "gold from the solution; Expr + Latex(boxed priority 0) on the output; 5 decimals"
    version = "2"  # 2: the library's 5 s parsing limit gives no answer, as in lighteval
    parse_limit_s: float | None = LIBRARY_LIMIT_S
    notes = _VERSION_NOTE + TIMED_NOTE + PERCENT_NOTE

    def prepare_gold(self, answer: str, solution: str | None = None) -> str:
        return solution if solution else "\\boxed{" + answer + "}"

    def extract(self, completion: str) -> Extraction:
        return extract_parse(completion, "sober-pred", self.parse_limit_s)

    def judge(self, extracted: str | None, gold: str) -> bool:
        return judge_parsed(extracted, gold, "sober-pred", "sober-gold", 5)


class SoberUntimedProfile(SoberProfile):
    """`sober` without the library's parsing limit."""

    name = "sober-untimed"
    description = "sober, but a parse the library would stop at its 5 s limit runs to the end"
    version = "1"
    libraries = _LIBRARIES
    exact_benchmarks = ("math500",)
    parse_limit_s = None
    notes = _VERSION_NOTE + UNTIMED_NOTE + "This was `sober` version 1. " + PERCENT_NOTE


SOBER = SoberProfile()
SOBER_UNTIMED = SoberUntimedProfile()
