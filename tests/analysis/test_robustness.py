"""Prompt robustness (rlvr_audit.analysis.robustness) on hand-written status tables. Every
expected number is worked out by hand in the comment beside it, never with the code."""

from __future__ import annotations

import pytest

from rlvr_audit.analysis.robustness import (
    accuracy_spread,
    consistency_rate,
    no_answer_share,
    problem_consistency,
    robustness,
)

C, I, N, T, E = "correct", "incorrect", "no_answer", "timeout", "error"  # noqa: E741


@pytest.mark.parametrize(
    ("verdicts", "expected"),
    [
        ([True, True], 1.0),  # 1 pair, agrees
        ([True, False], 0.0),  # 1 pair, disagrees
        ([True, True, False], 1 / 3),  # pairs: TT agree, TF, TF -> 1 of 3
        ([True, False, False, False], 0.5),  # C(1,2)+C(3,2) = 0+3 of C(4,2) = 6
        ([True, True, False, False], 1 / 3),  # 1+1 of 6
        ([True, None, True], 1.0),  # the template without a verdict is left out
        ([True, None], None),  # one verdict: no pair
        ([], None),
        ([False, False, False], 1.0),  # all wrong is consistent too
    ],
)
def test_problem_consistency(verdicts, expected):
    got = problem_consistency(verdicts)
    assert got == (None if expected is None else pytest.approx(expected))


# Three templates x four problems, one sample each.
#            p0  p1  p2  p3
#   a:       C   C   I   N
#   b:       C   I   I   None (not graded)
#   c:       C   N   T   C
# p0: CCC -> 1; p1: C,I,N -> verdicts T,F,F -> 1/3; p2: I,I,T -> F,F,F -> 1;
# p3: N,C -> F,T (b has no verdict) -> 0. Mean = (1 + 1/3 + 1 + 0) / 4 = 7/12 = 58.3333%.
TABLE = {
    "a": [[C], [C], [I], [N]],
    "b": [[C], [I], [I], [None]],
    "c": [[C], [N], [T], [C]],
}


@pytest.mark.parametrize(
    ("templates", "rate", "problems", "flipped"),
    [
        (["a", "b", "c"], 100 * 7 / 12, 4, 2),
        (["a", "b"], 100 * 2 / 3, 3, 1),  # p0 agree, p1 C/I disagree, p2 agree, p3 b missing -> 2 of 3
        # p0 C/C agree, p1 I/N agree (neither correct), p2 I/T agree, p3 None/C no pair -> 3 of 3
        (["b", "c"], 100.0, 3, 0),
        (["a"], None, 0, 0),  # one template: no pairs
    ],
)
def test_consistency_rate(templates, rate, problems, flipped):
    got = consistency_rate(TABLE, templates)
    assert got["problems"] == problems and got["flipped"] == flipped
    assert got["rate"] == (None if rate is None else pytest.approx(rate, abs=1e-4))


def test_consistency_uses_sample_0_only():
    # sample 1 disagrees everywhere, sample 0 agrees: 100%.
    table = {"a": [[C, I], [I, C]], "b": [[C, C], [I, I]]}
    assert consistency_rate(table, ["a", "b"])["rate"] == 100.0


@pytest.mark.parametrize(
    ("accuracies", "expected"),
    [
        # 40, 50, 60: mean 50, deviations 10, 0, 10 -> var 200/3, std 8.1650
        ({"a": 40.0, "b": 50.0, "c": 60.0}, {"min": 40.0, "max": 60.0, "range": 20.0, "std": 8.165, "templates": 3}),
        # 25, 75: mean 50, std 25
        ({"a": 25.0, "b": 75.0}, {"min": 25.0, "max": 75.0, "range": 50.0, "std": 25.0, "templates": 2}),
        # a single template: no spread
        ({"a": 30.0, "b": None}, {"min": 30.0, "max": 30.0, "range": 0.0, "std": 0.0, "templates": 1}),
        ({}, {"min": None, "max": None, "range": None, "std": None, "templates": 0}),
    ],
)
def test_accuracy_spread(accuracies, expected):
    got = accuracy_spread(accuracies)
    for key, value in expected.items():
        assert got[key] == (pytest.approx(value, abs=1e-3) if isinstance(value, float) else value), key


def test_accuracy_spread_names_the_extremes():
    got = accuracy_spread({"a": 40.0, "b": 60.0, "c": 50.0})
    assert (got["argmin"], got["argmax"]) == ("a", "b")


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        ([[C], [N], [N], [I]], 50.0),  # 2 of 4
        ([[C, N], [N, N]], 75.0),  # every sample counts: 3 of 4
        ([[None], [N]], 100.0),  # ungraded samples are left out: 1 of 1
        ([[None]], None),
        ([[T], [E], [N]], 100 / 3),  # timeout and error are not no_answer
    ],
)
def test_no_answer_share(rows, expected):
    got = no_answer_share(rows)
    assert got == (None if expected is None else pytest.approx(expected, abs=1e-4))


def test_robustness_per_profile():
    # strict: TABLE. a: 2 of 4 correct = 50%; b: 1 of 3 graded = 33.33%; c: 2 of 4 = 50%.
    # loose: every template correct on every problem: 100%, consistency 100%.
    loose = {t: [[C]] * 4 for t in "abc"}
    got = robustness({"strict": TABLE, "loose": loose}, ["a", "b", "c"])
    strict = got["strict"]
    assert strict["accuracy"] == {"a": 50.0, "b": pytest.approx(33.3333, abs=1e-4), "c": 50.0}
    assert strict["spread"]["min"] == pytest.approx(33.3333, abs=1e-4) and strict["spread"]["max"] == 50.0
    # mean 44.444; deviations 5.556, 11.111, 5.556 -> var (30.864+123.457+30.864)/3 = 61.728, std 7.857
    assert strict["spread"]["std"] == pytest.approx(7.857, abs=1e-3)
    assert strict["consistency"]["rate"] == pytest.approx(58.3333, abs=1e-4)
    # no_answer: a 1 of 4 = 25%, b 0 of 3, c 1 of 4 = 25%
    assert strict["no_answer"] == {"a": 25.0, "b": 0.0, "c": 25.0}
    assert got["loose"]["consistency"]["rate"] == 100.0 and got["loose"]["spread"]["range"] == 0.0
