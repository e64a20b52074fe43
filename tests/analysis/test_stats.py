"""Statistics: accuracy, CIs (coverage by simulation), pass@k, paired tests (maj@k: test_voting)."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest

from rlvr_audit.analysis import stats
from rlvr_audit.core.errors import AuditError

nan = float("nan")


@pytest.mark.parametrize(
    "outcomes, expected",
    [
        ([[1, 0], [1, 1]], 0.75),
        ([[1, nan], [0, 0]], 0.5),  # a missing sample is excluded within its problem
        ([[nan, nan], [1, 0]], 0.5),  # a problem with nothing graded is excluded
        ([1, 0, 0, 1], 0.5),  # 1-D: one sample per problem
        ([[1, 1, 0], [0, 0, 0], [1, 1, 1]], (2 / 3 + 0 + 1) / 3),
    ],
)
def test_avg_at_n(outcomes, expected):
    assert stats.avg_at_n(np.array(outcomes, dtype=float)) == pytest.approx(expected)


def test_avg_at_n_empty_is_nan():
    assert math.isnan(stats.avg_at_n(np.full((3, 2), nan)))


def test_bootstrap_ci_is_seeded_and_brackets_the_mean():
    rng = np.random.default_rng(3)
    x = (rng.random((200, 4)) < 0.6).astype(float)
    a = stats.bootstrap_ci(x, seed=1)
    assert a == stats.bootstrap_ci(x, seed=1)
    assert a != stats.bootstrap_ci(x, seed=2)
    assert a[0] < stats.avg_at_n(x) < a[1]
    narrow = stats.bootstrap_ci(x, level=0.5, seed=1)
    assert a[0] < narrow[0] < narrow[1] < a[1]


def _simulate(seed: int, n_problems: int, n_samples: int, gain: float):
    """Problems drawn from a population with base p ~ U(0.1, 0.8) and trained p = base +
    gain: the planted population gain is exactly `gain`."""
    rng = np.random.default_rng(seed)
    p_base = rng.uniform(0.1, 0.8, n_problems)
    p_trained = p_base + gain
    base = (rng.random((n_problems, n_samples)) < p_base[:, None]).astype(float)
    trained = (rng.random((n_problems, n_samples)) < p_trained[:, None]).astype(float)
    return trained, base


@pytest.mark.parametrize("n_samples", [1, 2])
def test_paired_bootstrap_covers_planted_gain(n_samples):
    hits = 0
    for seed in range(500):
        trained, base = _simulate(seed, 150, n_samples, 0.1)
        ci = stats.paired_bootstrap_diff(trained, base, n_boot=1000, seed=seed)
        hits += ci.contains(0.1)
    assert 0.93 <= hits / 500 <= 0.97, hits / 500


def test_bootstrap_ci_covers_planted_accuracy():
    hits = 0
    for seed in range(500):
        _, base = _simulate(seed, 150, 2, 0.0)
        low, high = stats.bootstrap_ci(base, n_boot=1000, seed=seed)
        hits += low <= 0.45 <= high  # E[U(0.1, 0.8)]
    assert 0.93 <= hits / 500 <= 0.97, hits / 500


def test_selection_aware_with_one_cell_covers_planted_gain():
    hits = 0
    for seed in range(500):
        trained, base = _simulate(seed, 150, 1, 0.1)
        ci = stats.selection_aware_max_diff([trained], [base], n_boot=1000, seed=seed)
        hits += ci.contains(0.1)
    assert 0.93 <= hits / 500 <= 0.97, hits / 500


def _many_cells(seed: int, n_cells: int, n_problems: int = 200):
    """Cells share per-problem difficulty but differ per template, like a real grid."""
    rng = np.random.default_rng(seed)
    difficulty = rng.normal(0, 1.5, n_problems)

    def cells(shift: float) -> list[np.ndarray]:
        out = []
        for c in range(n_cells):
            p = 1 / (1 + np.exp(-(difficulty + shift + 0.05 * c + rng.normal(0, 1.0, n_problems))))
            out.append((rng.random(n_problems) < p).astype(float)[:, None])
        return out

    return cells(0.3), cells(0.0)


@pytest.mark.parametrize("n_cells", [8, 16])
def test_selection_aware_ci_is_wider_than_naive_with_many_cells(n_cells):
    wider = 0
    for seed in range(10):
        trained, base = _many_cells(seed, n_cells)
        aware = stats.selection_aware_max_diff(trained, base, n_boot=500, seed=seed)
        naive = stats.naive_max_diff(trained, base, n_boot=500, seed=seed)
        assert aware.estimate == pytest.approx(naive.estimate)
        wider += (aware.high - aware.low) > (naive.high - naive.low)
    assert wider == 10


def test_selection_aware_estimate_is_difference_of_maxima():
    t = [np.array([[1], [1], [0], [0]], float), np.array([[1], [1], [1], [0]], float)]
    b = [np.array([[1], [0], [0], [0]], float), np.array([[0], [0], [0], [0]], float)]
    ci = stats.selection_aware_max_diff(t, b, n_boot=200)
    assert ci.estimate == pytest.approx(0.75 - 0.25)
    assert ci.low <= ci.estimate <= ci.high


def _pass_at_k_brute(row: list[float], k: int) -> float:
    subsets = list(itertools.combinations(row, k))
    return sum(any(s) for s in subsets) / len(subsets)


@pytest.mark.parametrize("k", [1, 2, 3, 5])
def test_pass_at_k_matches_brute_force(k):
    rng = np.random.default_rng(k)
    x = (rng.random((30, 6)) < 0.3).astype(float)
    expected = np.mean([_pass_at_k_brute(list(row), k) for row in x])
    assert stats.pass_at_k(x, k) == pytest.approx(expected)


def test_pass_at_k_needs_enough_samples():
    with pytest.raises(AuditError, match="pass@4"):
        stats.pass_at_k(np.ones((3, 2)), 4)


def test_pass_at_1_equals_avg_at_n():
    x = np.array([[1, 0, 0], [1, 1, 0]], float)
    assert stats.pass_at_k(x, 1) == pytest.approx(stats.avg_at_n(x))


@pytest.mark.parametrize("wins, losses", [(10, 2), (0, 0), (5, 5), (30, 12), (1, 0)])
def test_mcnemar_exact_matches_binomial(wins, losses):
    t = [1] * wins + [0] * losses + [1] * 7 + [0] * 4
    b = [0] * wins + [1] * losses + [1] * 7 + [0] * 4
    result = stats.mcnemar_exact(t, b)
    n = wins + losses
    tail = sum(math.comb(n, i) for i in range(min(wins, losses) + 1)) / 2**n if n else 0.5
    assert result["wins"] == wins and result["losses"] == losses
    assert result["p_value"] == pytest.approx(min(1.0, 2 * tail))


def test_paired_permutation_test():
    rng = np.random.default_rng(0)
    base = (rng.random((100, 4)) < 0.4).astype(float)
    same = stats.paired_permutation_test(base, base.copy(), n_perm=500)
    assert same["p_value"] == pytest.approx(1.0)
    better = (rng.random((100, 4)) < 0.8).astype(float)
    diff = stats.paired_permutation_test(better, base, n_perm=500)
    assert diff["diff"] > 0.3 and diff["p_value"] < 0.01


@pytest.mark.parametrize("n_samples, test", [(1, "mcnemar-exact"), (3, "paired-permutation")])
def test_paired_test_picks_the_test(n_samples, test):
    x = np.ones((5, n_samples))
    assert stats.paired_test(x, x)["test"] == test
