"""Format checks: whether a completion carries an answer in the form a harness rewards,
whatever the answer is (used by the `format` training reward)."""

from __future__ import annotations

from rlvr_audit.grading.blocks.extract import qwen_box_only_raw, qwen_postprocess
from rlvr_audit.grading.blocks.qwen_norm import qwen_strip_string

__all__ = ["ttrl_format_reward"]


def ttrl_format_reward(completion: str, r1_style: bool = False) -> float:
    """ttrl `box_only_format` (GRADERS 2.2): 1.0 when the box-only extraction is non-empty."""
    text = completion.replace("\u043a\u0438", "")
    if r1_style:  # raw tail after the last <answer>, character-set stripped
        return 1.0 if text.split("<answer>")[-1].rstrip("</answer>") else 0.0
    pred = qwen_strip_string(qwen_postprocess(qwen_box_only_raw(text)))
    return 1.0 if pred else 0.0
