"""Profiles `r1zero` / `r1zero-fast` (understand-r1-zero `boxed_reward_fn`, GRADERS 7.1)
and `r1zero-tag` (`answer_tag_reward_fn`, 7.2).

The slow check's math-verify call runs with no in-process timeout (the original's 1 s
SIGALRM is replaced by the pool's per-item timeout from outside)."""

from __future__ import annotations

from itertools import islice, zip_longest

from rlvr_audit.grading.base import Extraction, Profile
from rlvr_audit.grading.blocks.compat import ensure_latex2sympy_compat, silence_math_verify_timeout_warning
from rlvr_audit.grading.blocks.equivalence import grade_answer_sympy
from rlvr_audit.grading.blocks.extract import last_box
from rlvr_audit.grading.blocks.normalize import prm_normalize, r1z_mathd_normalize
from rlvr_audit.grading.blocks.safety import is_bounded_size

__all__ = [
    "R1ZERO",
    "R1ZERO_FAST",
    "R1ZERO_TAG",
    "R1ZeroProfile",
    "R1ZeroTagProfile",
    "r1z_grade",
    "is_repetitive",
    "is_latex_equal",
]


def _ranks(values) -> list[int]:
    index = {v: i for i, v in enumerate(sorted(set(values)))}
    return [index[v] for v in values]


def _suffix_array(arr: list[int]) -> tuple[list[int], list[int]]:
    """Prefix doubling, as in the original: returns (rank of each suffix, suffix array)."""
    line, n, k = _ranks(arr), len(arr), 1
    while k < n - 1:
        line = _ranks(list(zip_longest(line, islice(line, k, None), fillvalue=-1)))
        k <<= 1
    sa = [0] * n
    for i, rank in enumerate(line):
        sa[rank] = i
    return line, sa


def is_repetitive(s: str) -> bool:
    """understand-r1-zero `repeatness`: adjacent-suffix LCP sum / (n(n+1)/2) > 0.2."""
    arr = [ord(c) for c in s]
    n = len(arr)
    if n <= 1:
        return False
    rank, sa = _suffix_array(arr)
    total, k = 0, 0
    for i in range(n):  # Kasai's LCP
        if rank[i] == n - 1:
            k = 0
            continue
        j = sa[rank[i] + 1]
        while i + k < n and j + k < n and arr[i + k] == arr[j + k]:
            k += 1
        total += k
        if k > 0:
            k -= 1
    return total * 2 / (n * (n + 1)) > 0.2


def is_latex_equal(given: str, gt: str) -> bool:
    """The fast=False math-verify check (no in-process timeout)."""
    try:
        if (len(given) > 128 and is_repetitive(given)) or (len(gt) > 128 and is_repetitive(gt)):
            return False
        gt_norm, given_norm = prm_normalize(gt), prm_normalize(given)
        if gt_norm is None:
            return False
        if gt_norm == given_norm:
            return True
        if not (is_bounded_size(given) and is_bounded_size(gt)):
            return False  # a power tower would eat memory; the original timed out (False)
        from math_verify import ExprExtractionConfig, LatexExtractionConfig, parse, verify

        ensure_latex2sympy_compat()
        silence_math_verify_timeout_warning()

        if "$" not in given:
            given = f"${given}$"
        if "$" not in gt:
            gt = f"${gt}$"
        config = [LatexExtractionConfig(boxed_match_priority=0), ExprExtractionConfig()]

        def _parse(text):
            # a list as extraction_mode is what the original passes (acts like any_match)
            return parse(
                text,
                extraction_config=config,
                fallback_mode="no_fallback",
                extraction_mode=["first_match"],
                parsing_timeout=None,
            )

        return bool(verify(_parse(gt), _parse(given), timeout_seconds=None))
    except Exception:
        return False


def r1z_grade(pred: str, gt: str, fast: bool) -> bool:
    """understand-r1-zero `grade(model_answer, gt_answer, fast)`."""
    if "\\boxed" in gt:
        gt = last_box(gt)
        if gt is None:
            return False
    if r1z_mathd_normalize(gt) == r1z_mathd_normalize(pred):
        return True
    if grade_answer_sympy(pred, gt):
        return True
    return (not fast) and is_latex_equal(pred, gt)


class R1ZeroProfile(Profile):
    """`boxed_reward_fn`: last `\\boxed{}` (unformatted without one), mathd or sympy,
    plus math-verify when not fast."""

    harness = "sail-sg/understand-r1-zero (math_grader.py boxed_reward_fn)"
    version = "1"

    def __init__(self, name: str, fast: bool):
        self.name = name
        self.fast = fast
        self.description = f"last \\boxed{{}}, r1z mathd + sympy{'' if fast else ' + math-verify'} (fast={fast})"

    def extract(self, completion: str) -> Extraction:
        if "\\boxed" not in completion:
            return Extraction(None, False)
        pred = last_box(completion)
        return Extraction(pred, pred is not None)

    def judge(self, extracted: str | None, gold: str) -> bool:
        if extracted is None:
            return False
        if extracted == gold and "\\boxed" not in gold:
            return True
        return r1z_grade(extracted, str(gold), self.fast)


class R1ZeroTagProfile(R1ZeroProfile):
    """`answer_tag_reward_fn`: needs `</think> <answer>` and `</answer>`."""

    harness = "sail-sg/understand-r1-zero (math_grader.py answer_tag_reward_fn)"

    def __init__(self, name: str, fast: bool):
        super().__init__(name, fast)
        self.description = f"text after the last <answer> (R1 template), r1z grade (fast={fast})"

    def extract(self, completion: str) -> Extraction:
        if "</think> <answer>" not in completion or "</answer>" not in completion:
            return Extraction(None, False)
        pred = completion.split("<answer>")[-1].replace("</answer>", "")
        if "\\boxed" in pred:
            boxed = last_box(pred)
            return Extraction(boxed, True, boxed if boxed is not None else pred)
        return Extraction(pred, True)


R1ZERO = R1ZeroProfile("r1zero", fast=False)
R1ZERO_FAST = R1ZeroProfile("r1zero-fast", fast=True)
R1ZERO_TAG = R1ZeroTagProfile("r1zero-tag", fast=False)
