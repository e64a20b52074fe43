"""Answer extraction: the Hendrycks "last boxed" scan (GRADERS B1/B2) and Qwen2.5-Math's
`extract_answer` chain (GRADERS section 1.1). Pure string work; cheap."""

from __future__ import annotations

import re

# B1 lives in core so that benchmarks (gold from a solution) use the very same scan.
from rlvr_audit.core.latex import last_boxed_only_string
from rlvr_audit.grading.blocks.qwen_norm import qwen_strip_string

__all__ = [
    "last_boxed_only_string",
    "remove_boxed",
    "last_box",
    "qwen_extract_raw",
    "qwen_extract_once",
    "qwen_box_only_raw",
    "qwen_postprocess",
    "choice_answer_clean",
    "QWEN_STOP_WORDS",
    "cut_at_stop_words",
]

# GRADERS section 9.1: the stop list for the qwen25-math-cot prompt.
QWEN_STOP_WORDS: tuple[str, ...] = ("</s>", "<|im_end|>", "<|endoftext|>")


def remove_boxed(s: str | None) -> str | None:
    """B2: the inside of `\\boxed{...}`; None for None, `\\fbox{..}` or `\\boxed 5`."""
    if s is None:
        return None
    left = "\\boxed{"
    if s.startswith(left) and s.endswith("}") and len(s) >= len(left) + 1:
        return s[len(left) : -1]
    return None


def last_box(text: str | None) -> str | None:
    """B2(B1(text)): the content of the last `\\boxed{...}`, or None."""
    return remove_boxed(last_boxed_only_string(text))


def cut_at_stop_words(text: str, stops: tuple[str, ...] = QWEN_STOP_WORDS) -> str:
    """How Qwen's math_eval.py cleans a generation: rstrip, cut at the first stop word, strip."""
    text = text.rstrip()
    for stop in stops:
        if stop in text:
            text = text.split(stop)[0].strip()
    return text.strip()


def _box_tail(text: str) -> str:
    """Qwen 1.1 step 3 on the text after the last `boxed` (caller checks it is non-empty)."""
    ans = text.split("boxed")[-1]
    if not ans:
        return ""
    if ans[0] == "{":
        depth = 1
        out = []
        for ch in ans[1:]:
            if ch == "{":
                depth += 1
                out.append(ch)
            elif ch == "}":
                depth -= 1
                if depth == 0:
                    break
                out.append(ch)
            else:
                out.append(ch)
        return "".join(out)
    return ans.split("$")[0].strip()


_NUMBER = re.compile(r"-?\d*\.?\d+")


def qwen_extract_raw(text: str) -> str | None:
    """Qwen 1.1 steps 1-7: the candidate before post-processing/normalisation.
    Returns None only for the 'empty remainder after boxed' case (returned as "" unnormalised)."""
    text = text.replace("\u043a\u0438", "")
    if "final answer is $" in text and "$. I hope" in text:
        tmp = text.split("final answer is $", 1)[1]
        return tmp.split("$. I hope", 1)[0].strip()
    if "boxed" in text:
        if not text.split("boxed")[-1]:
            return None
        return _box_tail(text)
    if "he answer is" in text:
        return text.split("he answer is")[-1].strip()
    if "final answer is" in text:
        return text.split("final answer is")[-1].strip()
    if "答案是" in text:
        return text.split("答案是")[1].strip().split("\n\n")[0].strip()
    nums = _NUMBER.findall(text.replace(",", ""))
    return nums[-1] if nums else ""


_NEWLINE_WS = re.compile(r"\n\s*")


def qwen_postprocess(pred: str) -> str:
    """Qwen 1.1 step 8."""
    pred = _NEWLINE_WS.sub("", pred)
    if pred and pred[0] == ":":
        pred = pred[1:]
    if pred and pred[-1] == ".":
        pred = pred[:-1]
    if pred and pred[-1] == "/":
        pred = pred[:-1]
    return pred


def qwen_extract_once(text: str) -> tuple[str, bool]:
    """Qwen `extract_answer(text, "math")` (steps 1-9, one strip_string) and whether it
    found anything: `boxed` at the very end gives "" without normalisation."""
    raw = qwen_extract_raw(text)
    if raw is None:
        return "", False
    return qwen_strip_string(qwen_postprocess(raw)), raw.strip() != ""


def qwen_box_only_raw(text: str) -> str:
    """ttrl `extract_answer_box_only` before post-processing: "" without any `boxed`."""
    if "boxed" not in text:
        return ""
    return _box_tail(text)


def choice_answer_clean(pred: str, letters: str = "ABCDE") -> str:
    """Qwen `choice_answer_clean`: the last standalone letter of `letters` in the
    upper-cased, trimmed text, else the trimmed text."""
    pred = pred.strip("\n").rstrip(".").rstrip("/").strip(" ").lstrip(":")
    found = re.findall(r"\b([" + letters + r"])\b", pred.upper())
    if found:
        return found[-1]
    return pred.strip().strip(".").rstrip(".").rstrip("/")
