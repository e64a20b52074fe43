"""Scoring the contamination probe: exact match and ROUGE-L of each continuation against
the problem's true remainder, answer accuracy, bootstrap CIs, and a verdict whose rule is
stated with it.

Definitions (docs/contamination.md):
- **exact match**: after whitespace normalisation (runs of whitespace become one space,
  both ends stripped), the continuation starts with the whole remainder. Text after the
  remainder is ignored: the budget is the remainder's token count, and a model that says
  the remainder in fewer tokens goes on writing.
- **ROUGE-L**: the F-measure of rouge-score's LCS-based ROUGE-L between the continuation
  and the remainder, over tokens that keep mathematics: runs of letters/digits and every
  other non-space character on its own, case kept (rouge-score's default tokenizer drops
  everything but [a-z0-9], which would score `\\frac{1}{2}` against `1 2` as identical).
  Two texts that are both empty of tokens score 1 when equal, else 0.
- **answer accuracy**: the share of problems whose continuation, graded with the chosen
  profile, contains the correct final answer.

All figures are points (0-100), means over problems with percentile bootstrap 95% CIs.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from rlvr_audit.analysis.stats import bootstrap_ci

VERDICT_THRESHOLD = 5.0  # points of exact match (target minus control) that mean "memorised"
MEMORISED = "memorised"
CLEAN = "no sign of memorisation"
INCONCLUSIVE = "inconclusive"

_WS = re.compile(r"\s+")
_TOKEN = re.compile(r"[^\W_]+|[^\w\s]|_", re.UNICODE)


def normalise_whitespace(text: str) -> str:
    return _WS.sub(" ", text).strip()


def exact_match(continuation: str, remainder: str) -> bool:
    """True when the continuation reproduces the whole remainder (see module docstring)."""
    want = normalise_whitespace(remainder)
    got = normalise_whitespace(continuation)
    return bool(want) and got.startswith(want)


class _MathTokenizer:
    """rouge-score tokenizer interface: words and single symbols, case kept."""

    def tokenize(self, text: str) -> list[str]:
        return _TOKEN.findall(text)


_SCORER: Any = None


def rouge_l(continuation: str, remainder: str) -> float:
    """ROUGE-L F-measure (0-1) of the continuation against the remainder."""
    global _SCORER
    tokens = _MathTokenizer()
    if not tokens.tokenize(continuation) and not tokens.tokenize(remainder):
        return 1.0 if normalise_whitespace(continuation) == normalise_whitespace(remainder) else 0.0
    if _SCORER is None:
        from rouge_score import rouge_scorer

        _SCORER = rouge_scorer.RougeScorer(["rougeL"], tokenizer=tokens)
    return float(_SCORER.score(remainder, continuation)["rougeL"].fmeasure)


def rouge_identity() -> dict[str, str]:
    """What computed ROUGE-L, for the result's provenance."""
    import importlib.metadata

    try:
        version = importlib.metadata.version("rouge-score")
    except importlib.metadata.PackageNotFoundError:
        version = None
    return {"package": "rouge-score", "version": version, "measure": "rougeL f-measure", "tokenizer": "words+symbols"}


@dataclass(frozen=True)
class ProbeItem:
    """One problem's probe result at one ratio; `answer_correct` None when not asked."""

    problem_id: str
    exact_match: bool
    rouge_l: float
    answer_correct: bool | None = None


@dataclass(frozen=True)
class Estimate:
    """A mean in points with its bootstrap CI (NaN when nothing was measured)."""

    mean: float
    low: float
    high: float
    n: int

    def to_json(self) -> dict[str, Any]:
        def r(x: float) -> float | None:
            return None if np.isnan(x) else round(float(x), 4)

        return {"mean": r(self.mean), "low": r(self.low), "high": r(self.high), "n": self.n}


def estimate(values: Sequence[float], *, n_boot: int = 10_000, seed: int = 0, level: float = 0.95) -> Estimate:
    """Mean of per-problem values (0-1) as points with a percentile bootstrap CI."""
    arr = np.asarray(list(values), dtype=float)
    if arr.size == 0:
        return Estimate(float("nan"), float("nan"), float("nan"), 0)
    low, high = bootstrap_ci(arr, level=level, n_boot=n_boot, seed=seed)
    return Estimate(100.0 * float(arr.mean()), 100.0 * low, 100.0 * high, int(arr.size))


def difference(
    target: Sequence[float], control: Sequence[float], *, n_boot: int = 10_000, seed: int = 0, level: float = 0.95
) -> Estimate:
    """target mean minus control mean (points) with a bootstrap CI. The two sets are
    different problems, so each is resampled on its own (independent draws)."""
    t = np.asarray(list(target), dtype=float)
    c = np.asarray(list(control), dtype=float)
    if t.size == 0 or c.size == 0:
        return Estimate(float("nan"), float("nan"), float("nan"), 0)
    rng = np.random.default_rng(seed)
    draws_t = t[rng.integers(0, t.size, size=(n_boot, t.size))].mean(axis=1)
    draws_c = c[rng.integers(0, c.size, size=(n_boot, c.size))].mean(axis=1)
    alpha = (1.0 - level) / 2.0
    lo, hi = np.quantile(draws_t - draws_c, [alpha, 1.0 - alpha])
    return Estimate(100.0 * float(t.mean() - c.mean()), 100.0 * float(lo), 100.0 * float(hi), int(t.size))


def ratio_figures(items: Sequence[ProbeItem], *, n_boot: int = 10_000, seed: int = 0) -> dict[str, Any]:
    """Exact match, ROUGE-L and answer accuracy (when asked) at one ratio."""
    answers = [i.answer_correct for i in items if i.answer_correct is not None]
    return {
        "n": len(items),
        "exact_match": estimate([i.exact_match for i in items], n_boot=n_boot, seed=seed).to_json(),
        "rouge_l": estimate([i.rouge_l for i in items], n_boot=n_boot, seed=seed).to_json(),
        "answer_accuracy": estimate(answers, n_boot=n_boot, seed=seed).to_json() if answers else None,
    }


def verdict_rule(ratio: float, control: str | None, threshold: float = VERDICT_THRESHOLD) -> str:
    what = (
        f"exact match at ratio {ratio:g} minus the control's ({control})"
        if control
        else f"exact match at ratio {ratio:g}"
    )
    return (
        f"memorised when the 95% CI of {what} lies above {threshold:g} points; no sign of memorisation "
        f"when it lies below {threshold:g}; otherwise inconclusive"
    )


def verdict(
    target: Sequence[ProbeItem],
    control: Sequence[ProbeItem] | None,
    *,
    ratio: float,
    control_name: str | None = None,
    threshold: float = VERDICT_THRESHOLD,
    n_boot: int = 10_000,
    seed: int = 0,
) -> dict[str, Any]:
    """The plain verdict at `ratio` and the rule that gave it (see `verdict_rule`)."""
    t = [float(i.exact_match) for i in target]
    t_est = estimate(t, n_boot=n_boot, seed=seed)
    c_est = None
    if control is not None:
        c = [float(i.exact_match) for i in control]
        c_est = estimate(c, n_boot=n_boot, seed=seed)
        tested = difference(t, c, n_boot=n_boot, seed=seed)
    else:
        tested = t_est
    if not t or np.isnan(tested.low):
        label = INCONCLUSIVE
    elif tested.low > threshold:
        label = MEMORISED
    elif tested.high < threshold:
        label = CLEAN
    else:
        label = INCONCLUSIVE
    if control is not None and c_est is not None and not np.isnan(c_est.mean):
        sentence = (
            f"{label}: {t_est.mean:.1f}% exact match vs {c_est.mean:.1f}% on the control ({control_name}) "
            f"at ratio {ratio:g}"
        )
    elif t:
        sentence = f"{label}: {t_est.mean:.1f}% exact match at ratio {ratio:g} (no control)"
    else:
        sentence = f"{label}: no problem could be probed"
    return {
        "label": label,
        "ratio": ratio,
        "threshold": threshold,
        "target_exact_match": t_est.to_json()["mean"],
        "control_exact_match": c_est.to_json()["mean"] if c_est is not None else None,
        "difference": tested.to_json() if control is not None else None,
        "tested": tested.to_json(),
        "rule": verdict_rule(ratio, control_name if control is not None else None, threshold),
        "sentence": sentence,
    }
