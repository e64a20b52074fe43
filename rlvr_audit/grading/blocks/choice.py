"""Multiple-choice letters carried through an extraction (Qwen2.5-Math and ttrl).

Both harnesses pick the letter out of the *whole completion* when the gold is a letter,
but `judge` only sees the extraction. So `extract` packs the letter behind the
prediction: ``pred + SEP + letter`` (SEP = U+001F, which no answer contains).
"""

from __future__ import annotations

from rlvr_audit.grading.blocks.extract import choice_answer_clean

__all__ = ["SEP", "with_letter", "split_letter"]

SEP = "\x1f"


def _last_letter(text: str, letters: str) -> str:
    """The last standalone letter (Qwen `choice_answer_clean`), or "" if there is none."""
    found = choice_answer_clean(text, letters)
    return found if len(found) == 1 and found in letters else ""


def with_letter(pred: str, text: str, letters: str) -> str:
    """`pred` with the last standalone letter of `letters` in `text` packed behind it."""
    return pred + SEP + _last_letter(text, letters)


def split_letter(extracted: str | None) -> tuple[str | None, str]:
    """(prediction, letter) from `with_letter`'s string; (None, "") for no extraction."""
    if extracted is None:
        return None, ""
    pred, _, letter = extracted.partition(SEP)
    return pred, letter
