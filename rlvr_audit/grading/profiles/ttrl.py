"""Profile `ttrl`: the Spurious Rewards / TTRL accuracy reward `qwen_reward_fn`
(GRADERS.md section 2): Qwen's `extract_answer` normalised once, no stop-word cut, the
raw gold, PRM800K `grade_answer`. A letter gold (GPQA mode) is matched against the last
standalone letter of the whole completion, carried inside the extraction. The format
reward of the same harness is `grading.blocks.formats.ttrl_format_reward`.

The reward does not branch on the data set (it always extracts with task `math` and
compares against the answer field as stored), so every benchmark is graded alike; a list
gold (OlympiadBench `final_answer`) is its first item, as TTRL's reward takes it.
"""

from __future__ import annotations

from rlvr_audit.grading.base import Extraction, Profile
from rlvr_audit.grading.blocks.choice import split_letter, with_letter
from rlvr_audit.grading.blocks.equivalence import grade_answer
from rlvr_audit.grading.blocks.extract import qwen_extract_once

__all__ = ["TTRL", "TtrlProfile", "ttrl_extract"]


def ttrl_extract(completion: str, r1_style: bool = False) -> tuple[str, bool]:
    """ttrl's `extract_answer(text, "math")`: normalised once; no stop-word cut."""
    text = completion
    if r1_style:
        text = text.replace("\u043a\u0438", "").split("<answer>")[-1].rstrip("</answer>")
    return qwen_extract_once(text)


class TtrlProfile(Profile):
    """ttrl accuracy reward: Qwen extraction normalised once, raw gold, PRM800K grade_answer."""

    name = "ttrl"
    harness = "ruixin31/Rethink_RLVR (Spurious Rewards) ttrl qwen_reward_fn"
    description = "Qwen extract_answer (once) + PRM800K grade_answer against the raw answer"
    version = "2"  # 2: a list gold is its first item
    exact_benchmarks = ("math500", "aime24", "amc23", "amc", "minerva", "olympiadbench", "gsm8k")
    uses_answer_items = True

    def __init__(self, r1_style: bool = False):
        self.r1_style = r1_style

    def prepare_gold(self, answer: str, solution: str | None = None) -> str:
        return str(answer)

    def gold_step(self, answer, solution=None, answers=None, variant=None) -> str:
        return str(answers[0]) if answers else self.prepare_gold(answer, solution)

    def extract(self, completion: str) -> Extraction:
        pred, found = ttrl_extract(completion, self.r1_style)
        return Extraction(with_letter(pred, completion, "ABCD"), found, pred)

    def judge(self, extracted: str | None, gold: str) -> bool:
        pred, letter = split_letter(extracted)
        if gold in ("A", "B", "C", "D"):  # GPQA mode: the letter from the whole completion
            pred = letter or None
        return grade_answer(pred, gold)  # None is False; identical strings pass its first step


TTRL = TtrlProfile()
