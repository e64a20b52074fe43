"""Profiles `qwen25-math` (Qwen2.5-Math `math_eval.py`, GRADERS section 1) and `ttrl`
(Spurious Rewards / TTRL `qwen_reward_fn`, section 2), plus ttrl's format reward.

Both harnesses pick a multiple-choice letter out of the *whole completion* when the gold
is a letter. `judge` only sees the extraction, so `extract` carries that letter along:
`Extraction.answer` is ``pred + SEP + letter`` (SEP = U+001F); `shown` is the prediction.
"""

from __future__ import annotations

from rlvr_audit.grading.base import Extraction, Profile
from rlvr_audit.grading.blocks.equivalence import grade_answer, math_equal
from rlvr_audit.grading.blocks.extract import (
    choice_answer_clean,
    cut_at_stop_words,
    qwen_box_only_raw,
    qwen_extract_raw,
    qwen_postprocess,
)
from rlvr_audit.grading.blocks.qwen_norm import qwen_strip_string

__all__ = ["QWEN25_MATH", "TTRL", "Qwen25MathProfile", "TtrlProfile", "ttrl_format_reward", "ttrl_extract", "SEP"]

SEP = "\x1f"
_CHOICES = ("A", "B", "C", "D", "E")


def _letter(text: str, letters: str) -> str:
    """The last standalone letter (Qwen `choice_answer_clean`), or "" if there is none."""
    found = choice_answer_clean(text, letters)
    return found if len(found) == 1 and found in letters else ""


def _split(extracted: str | None) -> tuple[str | None, str]:
    if extracted is None:
        return None, ""
    pred, _, letter = extracted.partition(SEP)
    return pred, letter


def _is_multi_choice(s: str) -> bool:
    return all(c in _CHOICES for c in s)  # True for "" (the #97 quirk)


def _qwen_once(text: str) -> tuple[str, bool]:
    """Qwen `extract_answer(text, "math")`: (normalised once, whether anything was found)."""
    raw = qwen_extract_raw(text)
    if raw is None:  # `boxed` at the very end: "" without normalisation
        return "", False
    return qwen_strip_string(qwen_postprocess(raw)), raw.strip() != ""


class Qwen25MathProfile(Profile):
    """Qwen2.5-Math: stop-word cut, prediction normalised twice, gold once, MC filter,
    `math_equal` with 100x slack and bracket-blind intervals."""

    name = "qwen25-math"
    harness = "QwenLM/Qwen2.5-Math evaluation (math_eval.py)"
    description = "Qwen2.5-Math extract_answer + strip_string (pred twice) + math_equal"
    version = "1"

    def prepare_gold(self, answer: str, solution: str | None = None) -> str:
        source = solution if solution else "\\boxed{" + str(answer) + "}"
        return _qwen_once(source)[0]

    def extract(self, completion: str) -> Extraction:
        text = cut_at_stop_words(completion)
        once, found = _qwen_once(text)
        pred = qwen_strip_string(once)  # run_execute normalises again
        return Extraction(pred + SEP + _letter(text, "ABCDE"), found, pred)

    def judge(self, extracted: str | None, gold: str) -> bool:
        pred, letter = _split(extracted)
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


def ttrl_extract(completion: str, r1_style: bool = False) -> tuple[str, bool]:
    """ttrl's `extract_answer(text, "math")`: normalised once; no stop-word cut."""
    text = completion
    if r1_style:
        text = text.replace("\u043a\u0438", "").split("<answer>")[-1].rstrip("</answer>")
    return _qwen_once(text)


class TtrlProfile(Profile):
    """ttrl accuracy reward: Qwen extraction normalised once, raw gold, PRM800K grade_answer."""

    name = "ttrl"
    harness = "ruixin31/Rethink_RLVR (Spurious Rewards) ttrl qwen_reward_fn"
    description = "Qwen extract_answer (once) + PRM800K grade_answer against the raw answer"
    version = "1"

    def __init__(self, r1_style: bool = False):
        self.r1_style = r1_style

    def prepare_gold(self, answer: str, solution: str | None = None) -> str:
        return str(answer)

    def extract(self, completion: str) -> Extraction:
        pred, found = ttrl_extract(completion, self.r1_style)
        return Extraction(pred + SEP + _letter(completion, "ABCD"), found, pred)

    def judge(self, extracted: str | None, gold: str) -> bool:
        pred, letter = _split(extracted)
        if gold in ("A", "B", "C", "D"):  # GPQA mode: the letter from the whole completion
            pred = letter or None
        if pred is None:
            return False
        if pred == gold:
            return True
        return grade_answer(pred, gold)


def ttrl_format_reward(completion: str, r1_style: bool = False) -> float:
    """ttrl `box_only_format` (GRADERS 2.2): 1.0 when the box-only extraction is non-empty."""
    text = completion.replace("\u043a\u0438", "")
    if r1_style:  # raw tail after the last <answer>, character-set stripped
        return 1.0 if text.split("<answer>")[-1].rstrip("</answer>") else 0.0
    pred = qwen_strip_string(qwen_postprocess(qwen_box_only_raw(text)))
    return 1.0 if pred else 0.0


QWEN25_MATH = Qwen25MathProfile()
TTRL = TtrlProfile()
