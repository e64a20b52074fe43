"""Profile `qwen25-math`: Qwen2.5-Math `math_eval.py` (GRADERS.md section 1).

Stop-word cut, the prediction normalised twice (`run_execute` normalises again), the gold
once, a multiple-choice filter, then `math_equal` with 100x slack and bracket-blind
intervals. The letter for a multiple-choice gold comes from the whole completion, so it
travels inside the extraction (see `grading.blocks.choice`).

The harness branches on the data set (`data_name`): minerva_math keeps units, and GSM8K,
AIME24, AMC23 and OlympiadBench take the gold from their answer field, normalised twice.
A request that names its benchmark gets that branch (`grading.blocks.qwen_datasets`);
MATH-500 and unnamed data take the `math` path.
"""

from __future__ import annotations

from rlvr_audit.grading.base import Extraction, Profile
from rlvr_audit.grading.blocks.choice import split_letter, with_letter
from rlvr_audit.grading.blocks.equivalence import math_equal
from rlvr_audit.grading.blocks.extract import cut_at_stop_words, qwen_extract_once
from rlvr_audit.grading.blocks.qwen_datasets import MINERVA, qwen_data_name, qwen_extract, qwen_gold, split_gold
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
    version = "2"  # 2: benchmark-aware (minerva_math, gsm8k, aime24, amc23, olympiadbench branches)
    exact_benchmarks = ("math500", "minerva", "gsm8k", "aime24", "amc23", "olympiadbench")
    uses_answer_items = True  # OlympiadBench: the first item of final_answer

    def benchmark_variant(self, benchmark: str | None) -> str | None:
        return qwen_data_name(benchmark)

    def prepare_gold(self, answer: str, solution: str | None = None) -> str:
        source = solution if solution else "\\boxed{" + str(answer) + "}"
        return qwen_extract_once(source)[0]

    def gold_step(self, answer, solution=None, answers=None, variant=None) -> str:
        return self.prepare_gold(answer, solution) if variant is None else qwen_gold(answer, solution, answers, variant)

    def extract(self, completion: str) -> Extraction:
        return self.extract_step(completion)

    def extract_step(self, completion: str, variant: str | None = None) -> Extraction:
        text = cut_at_stop_words(completion)
        once, found = qwen_extract(text, variant)
        pred = qwen_strip_string(once, skip_unit=variant == MINERVA)  # run_execute normalises again
        return Extraction(with_letter(pred, text, "ABCDE"), found, pred)

    def judge(self, extracted: str | None, gold: str) -> bool:
        return self.judge_step(extracted, gold)

    def judge_step(self, extracted: str | None, gold: str, variant: str | None = None) -> bool:
        pred, letter = split_letter(extracted)
        if pred is None:
            return False
        gold, filter_gold = split_gold(gold)
        if filter_gold is None:
            # math: the filter sees the twice-normalised gold; minerva_math: the gold itself
            filter_gold = gold if variant == MINERVA else qwen_strip_string(gold)
        if filter_gold in _CHOICES and pred not in _CHOICES:
            pred = letter
        elif _is_multi_choice(filter_gold) and not _is_multi_choice(pred):
            pred = "".join(c for c in pred if c in _CHOICES)
        if pred == gold:
            return True
        return math_equal(pred, gold)


QWEN25_MATH = Qwen25MathProfile()
