"""Scoring the contamination probe: exact match, ROUGE-L, CIs and the verdict rule."""

from __future__ import annotations

import pytest

from rlvr_audit.analysis.contamination import (
    CLEAN,
    INCONCLUSIVE,
    MEMORISED,
    ProbeItem,
    difference,
    estimate,
    exact_match,
    ratio_figures,
    rouge_l,
    verdict,
)


@pytest.mark.parametrize(
    ("continuation", "remainder", "expected"),
    [
        (" that x^2 = 4.", " that x^2 = 4.", True),
        ("that  x^2\n= 4.", " that x^2 = 4.", True),  # whitespace runs and ends are normalised
        (" that x^2 = 4.\n\nSolution: x = 2", " that x^2 = 4.", True),  # text after the remainder ignored
        (" that x^2 = 5.", " that x^2 = 4.", False),
        (" that x^2 =", " that x^2 = 4.", False),  # a part of the remainder is not enough
        (" THAT x^2 = 4.", " that x^2 = 4.", False),  # case counts
        ("", "   ", False),  # an empty remainder never matches
    ],
)
def test_exact_match(continuation, remainder, expected):
    assert exact_match(continuation, remainder) is expected


def test_rouge_l_by_hand():
    # remainder a b c d, continuation a c d: LCS 3, precision 3/3, recall 3/4, F = 6/7.
    assert rouge_l("a c d", "a b c d") == pytest.approx(6 / 7)
    assert rouge_l("a b c d", "a b c d") == pytest.approx(1.0)
    assert rouge_l("e f", "a b c d") == 0.0


def test_rouge_l_keeps_math_symbols():
    # rouge-score's default tokenizer would reduce both to "frac 1 2" and score 1.0.
    # Ours: \ frac { 1 } { 2 } (8 tokens) vs 1 2 (2 tokens): LCS 2, P 1, R 2/8, F = 0.4.
    assert rouge_l("1 2", "\\frac{1}{2}") == pytest.approx(0.4)
    assert rouge_l("$x$", "$x$") == 1.0
    assert rouge_l("Find X", "find x") == 0.0  # case kept


def test_estimate_in_points_with_a_ci_around_the_mean():
    est = estimate([1, 1, 0, 0, 0, 0, 0, 0, 0, 0], n_boot=2000)
    assert est.mean == pytest.approx(20.0) and est.n == 10
    assert 0.0 <= est.low < 20.0 < est.high <= 60.0
    assert estimate([]).n == 0


def test_difference_of_independent_sets():
    d = difference([1.0] * 20, [0.0] * 20, n_boot=500)
    assert (d.mean, d.low, d.high) == (100.0, 100.0, 100.0)


def _items(n_match: int, n: int) -> list[ProbeItem]:
    return [ProbeItem(f"p{i}", i < n_match, 1.0 if i < n_match else 0.0) for i in range(n)]


def test_verdict_memorised_clean_inconclusive():
    memorised = verdict(_items(18, 20), _items(0, 20), ratio=0.6, control_name="random-calculation", n_boot=2000)
    assert memorised["label"] == MEMORISED
    assert memorised["sentence"] == (
        "memorised: 90.0% exact match vs 0.0% on the control (random-calculation) at ratio 0.6"
    )
    assert "above 5 points" in memorised["rule"]
    clean = verdict(_items(0, 50), _items(0, 50), ratio=0.6, control_name="c", n_boot=2000)
    assert clean["label"] == CLEAN and clean["difference"]["high"] == 0.0
    # 2 of 20 against 0 of 20: the CI of the difference spans the 5-point line.
    unsure = verdict(_items(2, 20), _items(0, 20), ratio=0.6, control_name="c", n_boot=2000)
    assert unsure["label"] == INCONCLUSIVE
    assert unsure["difference"]["low"] < 5.0 < unsure["difference"]["high"]


def test_verdict_without_control_tests_the_absolute_rate():
    v = verdict(_items(10, 10), None, ratio=0.4, n_boot=500)
    assert v["label"] == MEMORISED and v["control_exact_match"] is None and v["difference"] is None
    assert v["sentence"] == "memorised: 100.0% exact match at ratio 0.4 (no control)"
    assert verdict([], None, ratio=0.4)["label"] == INCONCLUSIVE


def test_ratio_figures_leave_answer_accuracy_out_when_not_asked():
    items = [ProbeItem("a", True, 1.0, True), ProbeItem("b", False, 0.5, False)]
    fig = ratio_figures(items, n_boot=200)
    assert fig["n"] == 2
    assert fig["exact_match"]["mean"] == 50.0 and fig["rouge_l"]["mean"] == 75.0
    assert fig["answer_accuracy"]["mean"] == 50.0
    assert ratio_figures([ProbeItem("a", True, 1.0)], n_boot=200)["answer_accuracy"] is None
