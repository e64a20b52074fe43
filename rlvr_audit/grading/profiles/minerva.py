"""Profile `minerva`: lm-eval `minerva_math*` exact_match (GRADERS.md §4).

The first "Final Answer: The final answer is … I hope it is correct." phrase, Minerva's
normaliser (B6, lm-eval's copy) on both sides, then sympy `parse_latex` on both and
`simplify(pred - gold) == 0`. No string shortcut: identical unparseable strings fail.
"""

from __future__ import annotations

import re
from functools import lru_cache

from rlvr_audit.core.errors import AuditError
from rlvr_audit.grading.base import Extraction, Profile
from rlvr_audit.grading.blocks.extract import last_boxed_only_string
from rlvr_audit.grading.blocks.minerva_norm import normalize_final_answer
from rlvr_audit.grading.blocks.safety import is_too_big

# ---------------------------------------------------------------- gold (§4.1.5)


def minerva_last_boxed(text: str) -> str | None:
    """lm-eval's B1 variant: any `\\boxed ` (with a space) wins, giving `\\boxed ` plus the
    text after the last `\\boxed ` up to the first `$`; otherwise the B1 brace scan."""
    if "\\boxed " in text:
        return "\\boxed " + text.split("\\boxed ")[-1].split("$")[0]
    return last_boxed_only_string(text)


def minerva_remove_boxed(boxed: str | None) -> str | None:
    """lm-eval's B2 variant (accepts `\\boxed X`). The original asserts where this returns
    None (no box, `\\fbox{…}`)."""
    if boxed is None:
        return None
    if "\\boxed " in boxed:
        return boxed[len("\\boxed ") :] if boxed.startswith("\\boxed ") else None
    if boxed.startswith("\\boxed{") and boxed.endswith("}"):
        return boxed[len("\\boxed{") : -1]
    return None


# ---------------------------------------------------------------- extraction (§4.1)

MINERVA_INVALID = "[invalidanswer]"
# Both dots are unescaped in the original: any character but a newline.
_MINERVA_PHRASE = re.compile(r"Final Answer: The final answer is(.*?). I hope it is correct.")


def minerva_unnormalized_answer(completion: str) -> str:
    """The stripped capture of the first phrase match (after appending the closing text),
    or `[invalidanswer]`."""
    match = _MINERVA_PHRASE.search(completion + "I hope it is correct.")
    return match.group(1).strip() if match else MINERVA_INVALID


# ---------------------------------------------------------------- comparison (§4.3)


def _parse_latex(text: str):
    try:
        from sympy.parsing.latex import parse_latex
    except ImportError as exc:  # pragma: no cover - depends on the install
        raise AuditError(
            "the minerva profile needs sympy's LaTeX parser",
            "pip install 'antlr4-python3-runtime==4.11.1'",
        ) from exc
    return parse_latex(text)


@lru_cache(maxsize=4096)
def minerva_is_equiv(pred: str, gold: str) -> bool:
    """lm-eval `is_equiv`: parse both with sympy `parse_latex`, True iff
    `simplify(pred - gold) == 0`; any parse or comparison error gives False."""
    import sympy
    from sympy.parsing.latex.errors import LaTeXParsingError

    try:
        try:
            parsed_pred = _parse_latex(pred)
            parsed_gold = _parse_latex(gold)
        except (LaTeXParsingError, sympy.SympifyError, TypeError):
            return False
        try:
            diff = parsed_pred - parsed_gold
        except TypeError:
            return False
        if is_too_big(diff):
            return False
        try:
            return bool(sympy.simplify(diff) == 0)
        except ValueError:  # the original logs and falls through to None (falsy)
            return False
    except AuditError:
        raise
    except ImportError as exc:  # the original re-raises import errors too
        raise AuditError(
            f"the minerva profile cannot import a dependency: {exc}",
            "pip install 'antlr4-python3-runtime==4.11.1'",
        ) from exc
    except Exception:  # the original swallows everything else (and its timeout) as 0
        return False


class MinervaProfile(Profile):
    """lm-eval `minerva_math` exact_match."""

    name = "minerva"
    harness = "EleutherAI lm-evaluation-harness minerva_math (exact_match, metadata v3)"
    description = "first 'Final Answer: … I hope it is correct.' phrase; parse_latex + simplify"
    version = "1"
    notes = (
        "Runs sympy 1.14's parse_latex (ANTLR 4.11.1) where the original pins sympy 1.12. "
        "Expressions that would build numbers over a million digits (huge powers, "
        "factorials) or symbolic powers above 10^4 are judged False without simplifying; "
        "the original would time out after 5 s and score 0 as well. When a solution has "
        "no \\boxed{} (the original asserts), or none is given, the gold comes from "
        "\\boxed{answer}."
    )

    def prepare_gold(self, answer: str, solution: str | None = None) -> str:
        inner = minerva_remove_boxed(minerva_last_boxed(solution)) if solution else None
        if inner is None:
            inner = minerva_remove_boxed(minerva_last_boxed("\\boxed{" + answer + "}"))
        return normalize_final_answer(inner if inner is not None else answer, "lm-eval")

    def extract(self, completion: str) -> Extraction:
        raw = minerva_unnormalized_answer(completion)
        found = raw != MINERVA_INVALID
        return Extraction(normalize_final_answer(raw, "lm-eval"), found)

    def judge(self, extracted: str | None, gold: str) -> bool:
        if extracted is None:
            return False
        return minerva_is_equiv(extracted, gold)


MINERVA = MinervaProfile()
