"""Where a gain in one cell comes from: format (no extractable answer -> correct) versus
answer changes, and how much follows a switch to code-style reasoning.

Per problem, each side's samples are summarised as shares: correct `c`, no extractable answer
`u` (status no_answer), other `w` (incorrect, timeout, error). Treating the two sides'
samples as independent within a problem, the gain c_T - c_B splits exactly into

    format  = u_B * c_T - c_B * u_T      (became correct where there was no answer, net)
    answers = w_B * c_T - c_B * w_T      (became correct where the answer was wrong, net)

averaged over problems (with one sample per problem these are net counts of problems).
Code style follows Spurious Rewards: a completion "uses code" when it mentions "python";
problems are grouped by whether most of their samples do, before and after, and the gain
is summed per group (lang->code is the share that follows the switch).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

_CODE_MARKER = "python"


def _shares(status: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Per-problem shares (correct, no answer, other) over graded samples, and a mask of
    problems with at least one graded sample."""
    status = np.asarray(status, dtype=object)
    graded = (status != "missing") & np.array([[s is not None for s in row] for row in status], dtype=bool)
    n = graded.sum(axis=1)
    safe = np.maximum(n, 1)
    correct = ((status == "correct") & graded).sum(axis=1) / safe
    unanswered = ((status == "no_answer") & graded).sum(axis=1) / safe
    other = 1.0 - correct - unanswered
    return correct, unanswered, np.where(n > 0, other, 0.0), n > 0


def _code_share(texts: Sequence[Sequence[str | None]]) -> np.ndarray:
    out = []
    for row in texts:
        present = [t for t in row if t is not None]
        out.append(np.mean([_CODE_MARKER in t.lower() for t in present]) if present else np.nan)
    return np.array(out, dtype=float)


def decompose(
    *,
    base_status: np.ndarray,
    trained_status: np.ndarray,
    base_text: Sequence[Sequence[str | None]] | None = None,
    trained_text: Sequence[Sequence[str | None]] | None = None,
) -> dict[str, Any]:
    """Split the gain of one cell (status matrices [problems x samples], rows aligned).

    Returns points (0-100): "gain", "format", "answers" (format + answers == gain), the
    transition counts, and, when texts are given, "code": code-use rates and the gain per
    (base, trained) code group."""
    cb, ub, wb, okb = _shares(base_status)
    ct, ut, wt, okt = _shares(trained_status)
    keep = okb & okt
    cb, ub, wb, ct, ut, wt = (x[keep] for x in (cb, ub, wb, ct, ut, wt))
    n = int(keep.sum())
    if n == 0:
        return {"problems": 0, "gain": None, "format": None, "answers": None}
    fmt = ub * ct - cb * ut
    ans = wb * ct - cb * wt
    out: dict[str, Any] = {
        "problems": n,
        "gain": round(100 * float((ct - cb).mean()), 4),
        "format": round(100 * float(fmt.mean()), 4),
        "answers": round(100 * float(ans.mean()), 4),
        # Expected problem counts per transition (exact counts with one sample per problem).
        "transitions": {
            "no_answer_to_correct": round(float((ub * ct).sum()), 3),
            "correct_to_no_answer": round(float((cb * ut).sum()), 3),
            "incorrect_to_correct": round(float((wb * ct).sum()), 3),
            "correct_to_incorrect": round(float((cb * wt).sum()), 3),
        },
    }
    if base_text is not None and trained_text is not None:
        kb = _code_share(base_text)[keep]
        kt = _code_share(trained_text)[keep]
        diff = ct - cb
        groups = {}
        for name, mask in (
            ("lang_to_code", (kb < 0.5) & (kt >= 0.5)),
            ("code_to_lang", (kb >= 0.5) & (kt < 0.5)),
            ("code_to_code", (kb >= 0.5) & (kt >= 0.5)),
            ("lang_to_lang", (kb < 0.5) & (kt < 0.5)),
        ):
            groups[name] = {"problems": int(mask.sum()), "gain": round(100 * float(diff[mask].sum()) / n, 4)}
        total = float(diff.sum())
        out["code"] = {
            "marker": _CODE_MARKER,
            "base_rate": round(100 * float(np.nanmean(kb)), 2) if np.isfinite(kb).any() else None,
            "trained_rate": round(100 * float(np.nanmean(kt)), 2) if np.isfinite(kt).any() else None,
            "groups": groups,
            "lang_to_code_share": round(float(diff[(kb < 0.5) & (kt >= 0.5)].sum()) / total, 4) if total else None,
        }
    return out
