"""Profile `qwen25-math`: Qwen2.5-Math `math_eval.py` (GRADERS.md section 1).

Stop-word cut, the prediction normalised twice (`run_execute` normalises again), the gold
once, a multiple-choice filter, then `math_equal` with 100x slack and bracket-blind
intervals. The letter for a multiple-choice gold comes from the whole completion, so it
travels inside the extraction (see `grading.blocks.choice`).
"""

from __future__ import annotations

from rlvr_audit.grading.base import Extraction, Profile
from rlvr_audit.grading.blocks.choice import split_letter, with_letter
from rlvr_audit.grading.blocks.equivalence import math_equal
from rlvr_audit.grading.blocks.extract import cut_at_stop_words, qwen_extract_once
from rlvr_audit.grading.blocks.qwen_norm import qwen_strip_string

__all__ = ["QWEN25_MATH", "Qwen25MathProfile"]

_CHOICES = ("A", "B", "C", "D", "E")


def _is_multi_choice(s: str) -> bool:
    return all(c in _CHOICES for c in s)  # True for "" (the #97 quirk)


class Qwen25MathProfile(Profile):
    """Qwen2.5-Math: stop-word cut, prediction normalised twice, gold once, MC filter,
    `math_equal` with 100x slack and bracket-blind intervals."""

    name = "qwen25-math"
    harness = "QwenLM/Qwen2.5-Math evaluation (math_eval.py)"
    description = "Qwen2.5-Math extract_answer + strip_string (pred twice) + math_equal"
    version = "1"

    def prepare_gold(self, answer: str, solution: str | None = None) -> str:
        source = solution if solution else "\\boxed{" + str(answer) + "}"
        return qwen_extract_once(source)[0]

    def extract(self, completion: str) -> Extraction:
        text = cut_at_stop_words(completion)
        once, found = qwen_extract_once(text)
        pred = qwen_strip_string(once)  # run_execute normalises again
        return Extraction(with_letter(pred, text, "ABCDE"), found, pred)

    def judge(self, extracted: str | None, gold: str) -> bool:
        pred, letter = split_letter(extracted)
        if pred is None:
            return False
        gold_twice = qwen_strip_string(gold)  # the filter sees the twice-normalised gold
        if gold_twice in _CHOICES and pred not in _CHOICES:
            pred = letter
        elif _is_multi_choice(gold_twice) and not _is_multi_choice(pred):
            pred = "".join(c for c in pred if c in _CHOICES)
        if pred == gold:
            return True
        return math_equal(pred, gold)


QWEN25_MATH = Qwen25MathProfile()
