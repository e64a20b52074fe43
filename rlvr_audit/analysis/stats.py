"""Statistics on per-problem outcomes: accuracy (avg@n), bootstrap CIs, pass@k, and the
paired statistics `compare` needs (paired bootstrap of a difference, the selection-aware
bootstrap of max-cell differences, exact McNemar, paired permutation test).

Outcomes are float arrays [problems x samples] of 1.0/0.0 with NaN for a missing grade. The
bootstrap resamples *problems* (the unit that varies between benchmarks), never samples.
Everything is vectorised numpy and seeded; no torch here. maj@k lives in `voting`, since it
clusters answers rather than outcomes.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from rlvr_audit.core.errors import AuditError

# Resampling matrices are built in chunks so memory stays ~O(chunk x problems).
_CHUNK = 512


# -- per-cell statistics -----------------------------------------------------------------


def _as_2d(outcomes: np.ndarray) -> np.ndarray:
    arr = np.asarray(outcomes, dtype=float)
    if arr.ndim == 1:
        arr = arr[:, None]
    if arr.ndim != 2:
        raise AuditError(f"outcomes must be [problems x samples], got shape {arr.shape}")
    return arr


def per_problem_means(outcomes: np.ndarray) -> np.ndarray:
    """Mean correctness per problem over its graded samples; NaN where a problem has none."""
    arr = _as_2d(outcomes)
    valid = ~np.isnan(arr)
    counts = valid.sum(axis=1)
    sums = np.where(valid, arr, 0.0).sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(counts > 0, sums / np.maximum(counts, 1), np.nan)


def avg_at_n(outcomes: np.ndarray) -> float:
    """Accuracy as a fraction 0-1: mean over problems of each problem's mean over samples.

    Missing samples (NaN) are excluded within their problem; a problem with no graded sample
    is excluded altogether. NaN when nothing is graded."""
    means = per_problem_means(outcomes)
    means = means[~np.isnan(means)]
    return float(means.mean()) if means.size else float("nan")


def _resample_counts(n_items: int, n_boot: int, rng: np.random.Generator) -> np.ndarray:
    """[n_boot x n_items] multinomial counts: how often each item is drawn per resample."""
    idx = rng.integers(0, n_items, size=(n_boot, n_items))
    offsets = (np.arange(n_boot) * n_items)[:, None]
    return np.bincount((idx + offsets).ravel(), minlength=n_boot * n_items).reshape(n_boot, n_items)


def _boot_means(values: np.ndarray, n_boot: int, seed: int) -> np.ndarray:
    """Bootstrap means of the columns of `values` [items x k] -> [n_boot x k].

    The same resamples are used for every column (this is what makes it *paired*)."""
    values = np.asarray(values, dtype=float)
    if values.ndim == 1:
        values = values[:, None]
    rng = np.random.default_rng(seed)
    n_items = values.shape[0]
    out = np.empty((n_boot, values.shape[1]))
    for start in range(0, n_boot, _CHUNK):
        stop = min(n_boot, start + _CHUNK)
        counts = _resample_counts(n_items, stop - start, rng).astype(float)
        out[start:stop] = counts @ values / n_items
    return out


def _percentile(draws: np.ndarray, level: float) -> tuple[float, float]:
    _check_level(level)
    alpha = (1.0 - level) / 2.0
    lo, hi = np.quantile(draws, [alpha, 1.0 - alpha])
    return float(lo), float(hi)


def _check_level(level: float) -> None:
    if not 0.0 < level < 1.0:
        raise AuditError(f"confidence level {level} is not between 0 and 1", "pass e.g. --level 0.95")


def bootstrap_ci(
    outcomes: np.ndarray, *, level: float = 0.95, n_boot: int = 2000, seed: int = 0
) -> tuple[float, float]:
    """Percentile bootstrap CI of `avg_at_n` over problems (fractions 0-1)."""
    means = per_problem_means(outcomes)
    means = means[~np.isnan(means)]
    if means.size == 0:
        return float("nan"), float("nan")
    return _percentile(_boot_means(means, n_boot, seed)[:, 0], level)


def pass_at_k(outcomes: np.ndarray, k: int) -> float:
    """Unbiased pass@k (Chen et al., 2021) averaged over problems: per problem with n graded
    samples of which c are correct, 1 - C(n-c, k) / C(n, k). Needs n >= k everywhere."""
    arr = _as_2d(outcomes)
    if k < 1:
        raise AuditError(f"pass@k needs k >= 1, got {k}")
    valid = ~np.isnan(arr)
    n = valid.sum(axis=1)
    c = np.where(valid, arr, 0.0).sum(axis=1)
    keep = n > 0
    n, c = n[keep], c[keep]
    if n.size == 0:
        return float("nan")
    if (n < k).any():
        raise AuditError(
            f"pass@{k} needs at least {k} graded samples per problem; some have {int(n.min())}",
            f"generate with n >= {k} or lower k",
        )
    # C(n-c, k) / C(n, k) = prod_{i=n-c+1}^{n} (1 - k / i), stable for large n.
    values = np.empty(n.size)
    for j, (ni, ci) in enumerate(zip(n.astype(int), c.astype(int))):
        if ni - ci < k:
            values[j] = 1.0
        else:
            values[j] = 1.0 - float(np.prod(1.0 - k / np.arange(ni - ci + 1, ni + 1)))
    return float(values.mean())


# -- paired comparison statistics --------------------------------------------------------


@dataclass(frozen=True)
class Interval:
    """A point estimate with its CI (same units as the inputs)."""

    estimate: float
    low: float
    high: float
    level: float

    def contains(self, value: float) -> bool:
        return self.low <= value <= self.high

    def to_dict(self) -> dict[str, float]:
        return {"estimate": self.estimate, "low": self.low, "high": self.high, "level": self.level}


def _paired_means(t: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per-problem means of two outcome arrays on the same problems, rows where either side
    has no graded sample dropped (a paired statistic needs both)."""
    mt, mb = per_problem_means(t), per_problem_means(b)
    if mt.shape != mb.shape:
        raise AuditError(f"paired statistics need the same problems: {mt.size} vs {mb.size} rows")
    keep = ~(np.isnan(mt) | np.isnan(mb))
    return mt[keep], mb[keep]


def paired_bootstrap_diff(
    trained: np.ndarray, base: np.ndarray, *, level: float = 0.95, n_boot: int = 2000, seed: int = 0
) -> Interval:
    """avg@n(trained) - avg@n(base) with a paired percentile bootstrap CI over problems."""
    mt, mb = _paired_means(trained, base)
    if mt.size == 0:
        nan = float("nan")
        return Interval(nan, nan, nan, level)
    draws = _boot_means(mt - mb, n_boot, seed)[:, 0]
    lo, hi = _percentile(draws, level)
    return Interval(float((mt - mb).mean()), lo, hi, level)


# The graded cells of one run, each an outcome array [problems x samples].
Cells = Sequence[np.ndarray]


def _cell_means_matrix(cells: Cells) -> np.ndarray:
    """[problems x cells] per-problem means; every cell must have the same problems."""
    cols = [per_problem_means(c) for c in cells]
    if len({c.size for c in cols}) > 1:
        raise AuditError("cells have different numbers of problems; align them first")
    return np.column_stack(cols)


def _paired_cell_means(trained_cells: Cells, base_cells: Cells) -> tuple[np.ndarray, np.ndarray]:
    """Per-problem means of both runs' cells, keeping only problems graded in every cell."""
    t = _cell_means_matrix(trained_cells)
    b = _cell_means_matrix(base_cells)
    if t.shape[0] != b.shape[0]:
        raise AuditError(f"runs cover different problems ({t.shape[0]} vs {b.shape[0]})")
    keep = ~(np.isnan(t).any(axis=1) | np.isnan(b).any(axis=1))
    return t[keep], b[keep]


def selection_aware_max_diff(
    trained_cells: Cells, base_cells: Cells, *, level: float = 0.95, n_boot: int = 2000, seed: int = 0
) -> Interval:
    """max over cells of avg@n(trained) - max over cells of avg@n(base), with a paired
    bootstrap CI that pays for choosing both best cells.

    Each resample draws problems once, shared by every cell of both runs (so the pairing and
    the correlation between cells are kept), recomputes every cell and re-takes the maxima
    over all (trained cell, base cell) pairs: the statistic per resample is the largest
    studentised deviation of any pair difference. Its quantile q gives bands
    d_ab +- q se_ab that hold for all pairs at once, and since the adjusted gain is
    max_a min_b d_ab, [max_a min_b low_ab, max_a min_b high_ab] covers it whichever cells
    are truly best. With one cell per run this is the ordinary paired bootstrap interval.

    Why not the plain percentile interval of the re-selected difference: the maximum of
    near-tied noisy cells varies *less* than one cell, so that interval is narrower than
    the naive one and under-covers when the best cell is uncertain (the bootstrap of a
    maximum is inconsistent at ties). Problems missing in any cell are dropped from all.
    """
    _check_level(level)
    if not trained_cells or not base_cells:
        raise AuditError("the adjusted gain needs at least one graded cell in each run")
    t, b = _paired_cell_means(trained_cells, base_cells)
    if t.shape[0] == 0:
        nan = float("nan")
        return Interval(nan, nan, nan, level)
    n_t = t.shape[1]
    mean_t, mean_b = t.mean(axis=0), b.mean(axis=0)
    estimate = float(mean_t.max() - mean_b.max())
    d_hat = mean_t[:, None] - mean_b[None, :]  # [cells_t x cells_b]
    draws = _boot_means(np.hstack([t, b]), n_boot, seed)
    cov = np.atleast_2d(np.cov(draws, rowvar=False))
    var_t, var_b = np.diag(cov)[:n_t], np.diag(cov)[n_t:]
    se = np.sqrt(np.maximum(var_t[:, None] + var_b[None, :] - 2 * cov[:n_t, n_t:], 0.0))
    # A pair with no spread (e.g. both cells all-correct) has no uncertainty: it never
    # drives the maximum, and its band collapses onto its estimate.
    scale = np.where(se > 0, se, np.inf)
    z_max = np.empty(n_boot)
    for start in range(0, n_boot, _CHUNK):
        chunk = draws[start : start + _CHUNK]
        dev = (chunk[:, :n_t, None] - chunk[:, None, n_t:]) - d_hat[None]
        z_max[start : start + _CHUNK] = np.abs(dev / scale[None]).reshape(len(chunk), -1).max(axis=1)
    q = float(np.quantile(z_max, level))
    low = float((d_hat - q * se).min(axis=1).max())
    high = float((d_hat + q * se).min(axis=1).max())
    return Interval(estimate, low, high, level)


def naive_max_diff(
    trained_cells: Cells, base_cells: Cells, *, level: float = 0.95, n_boot: int = 2000, seed: int = 0
) -> Interval:
    """The same difference of maxima, but with the best cells picked once on the full data
    and then treated as if fixed in advance (what a table of best-vs-best numbers implies).
    Kept for comparison: it ignores the selection."""
    t, b = _paired_cell_means(trained_cells, base_cells)
    ti, bi = int(t.mean(axis=0).argmax()), int(b.mean(axis=0).argmax())
    return paired_bootstrap_diff(t[:, ti], b[:, bi], level=level, n_boot=n_boot, seed=seed)


def mcnemar_exact(trained: Sequence[bool] | np.ndarray, base: Sequence[bool] | np.ndarray) -> dict[str, float]:
    """Exact two-sided McNemar test on paired 0/1 outcomes (one sample per problem).

    Returns {"wins": T right & B wrong, "losses": T wrong & B right, "p_value"}: a binomial
    test of wins against wins + losses at p = 1/2."""
    t = np.asarray(trained, dtype=float)
    b = np.asarray(base, dtype=float)
    keep = ~(np.isnan(t) | np.isnan(b))
    t, b = t[keep] > 0.5, b[keep] > 0.5
    wins, losses = int((t & ~b).sum()), int((~t & b).sum())
    n = wins + losses
    if n == 0:
        return {"wins": 0, "losses": 0, "p_value": 1.0}
    small = min(wins, losses)
    # Two-sided: double the smaller tail, computed in log space to survive large n.
    log_terms = [
        math.lgamma(n + 1) - math.lgamma(i + 1) - math.lgamma(n - i + 1) - n * math.log(2) for i in range(small + 1)
    ]
    tail = math.fsum(math.exp(x) for x in log_terms)
    return {"wins": wins, "losses": losses, "p_value": float(min(1.0, 2.0 * tail))}


def paired_permutation_test(
    trained: np.ndarray, base: np.ndarray, *, n_perm: int = 5000, seed: int = 0
) -> dict[str, float]:
    """Two-sided paired permutation (sign-flip) test of mean per-problem difference = 0.

    Under the null, swapping a problem's trained and base outcomes changes nothing, so the
    sign of each per-problem difference is flipped at random. Returns {"diff", "p_value"}."""
    mt, mb = _paired_means(trained, base)
    d = mt - mb
    if d.size == 0:
        return {"diff": float("nan"), "p_value": 1.0}
    observed = abs(d.mean())
    rng = np.random.default_rng(seed)
    extreme = 0
    for start in range(0, n_perm, _CHUNK):
        size = min(_CHUNK, n_perm - start)
        signs = rng.choice(np.array([-1.0, 1.0]), size=(size, d.size))
        extreme += int((np.abs(signs @ d / d.size) >= observed - 1e-12).sum())
    # +1 counts the observed labelling itself, so p is never 0.
    return {"diff": float(d.mean()), "p_value": float((extreme + 1) / (n_perm + 1))}


def paired_test(trained: np.ndarray, base: np.ndarray, *, n_perm: int = 5000, seed: int = 0) -> dict[str, object]:
    """The paired significance test that fits the data: exact McNemar with one sample per
    problem, a paired permutation test on per-problem means with several."""
    t, b = _as_2d(trained), _as_2d(base)
    if t.shape[1] == 1 and b.shape[1] == 1:
        return {"test": "mcnemar-exact", **mcnemar_exact(t[:, 0], b[:, 0])}
    return {"test": "paired-permutation", **paired_permutation_test(t, b, n_perm=n_perm, seed=seed)}
