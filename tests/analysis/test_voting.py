"""The one majority vote: ballots, greedy clusters, ties, abstentions, maj@k, and the
equivalence a grading profile induces (representative = gold, answer = prediction)."""

from __future__ import annotations

import pytest

from rlvr_audit.analysis.voting import ballot, cluster_ballots, maj_at_k, majority_correct, profile_equivalence
from rlvr_audit.core.errors import AuditError


def _halves(representative: str, answer: str) -> bool:
    """A toy equivalence: equal as fractions ("1/2" ~ "0.5")."""
    return _val(representative) == _val(answer)


def _val(text: str) -> float:
    num, _, den = text.partition("/")
    return float(num) / float(den or 1)


@pytest.mark.parametrize(
    "status, extracted, expected",
    [
        ("correct", "2", "2"),
        ("incorrect", "3", "3"),
        ("no_answer", "", None),
        ("timeout", "4", None),  # a grade that never finished does not vote
        ("error", "5", None),
        ("missing", None, None),
    ],
)
def test_ballot(status, extracted, expected):
    assert ballot(status, extracted) == expected


@pytest.mark.parametrize(
    "ballots, same, expected",
    [
        # (representative index, members) per cluster, most votes first
        (["a", "b", "a"], None, [(0, (0, 2)), (1, (1,))]),
        (["b", "a", "a", "b"], None, [(0, (0, 3)), (1, (1, 2))]),  # tie: first seen first
        ([None, "7", None], None, [(1, (1,))]),  # None abstains
        (["", "  ", "7"], None, [(2, (2,))]),  # blank answers abstain too
        ([None, None], None, []),
        (["3", "1/2", "0.5"], None, [(0, (0,)), (1, (1,)), (2, (2,))]),
        (["3", "1/2", "0.5"], _halves, [(1, (1, 2)), (0, (0,))]),
    ],
)
def test_cluster_ballots(ballots, same, expected):
    clusters = cluster_ballots(ballots, same)
    assert [(c.representative, c.members) for c in clusters] == expected


def test_answer_is_judged_against_the_representative():
    seen = []

    def same(representative, answer):
        seen.append((representative, answer))
        return False

    cluster_ballots(["x", "y"], same)
    assert seen == [("x", "y")]


@pytest.mark.parametrize(
    "answers, correct, k, same, expected",
    [
        # plain string equality: "1/2" and "0.5" are different clusters; tie -> first seen.
        ([["1/2", "0.5", "3"]], [[True, True, False]], 3, None, 1.0),
        ([["3", "1/2", "0.5"]], [[False, True, True]], 3, None, 0.0),
        # with the profile's equivalence the two halves merge and win.
        ([["3", "1/2", "0.5"]], [[False, True, True]], 3, _halves, 1.0),
        # None never wins, even as the most common "answer".
        ([[None, None, "7"]], [[False, False, True]], 3, None, 1.0),
        ([[None, None, None]], [[False, False, False]], 3, None, 0.0),
        # only the first k answers vote.
        ([["2", "5", "5"]], [[True, False, False]], 1, None, 1.0),
        # two problems: averaged.
        ([["a", "a"], ["b", "c"]], [[True, True], [False, True]], 2, None, 0.5),
    ],
)
def test_maj_at_k(answers, correct, k, same, expected):
    assert maj_at_k(answers, correct, k, same) == pytest.approx(expected)


def test_maj_at_k_rejects_bad_input():
    with pytest.raises(AuditError, match="k >= 1"):
        maj_at_k([["a"]], [[True]], 0)
    with pytest.raises(AuditError, match="numbers of problems"):
        maj_at_k([["a"]], [], 1)


def test_majority_correct_is_the_representatives_grade():
    # "0.5" joins "1/2"'s cluster; the cluster is judged by its representative's grade
    assert majority_correct(["1/2", "0.5", "3"], [False, True, False], _halves) is False


@pytest.mark.parametrize(
    "profile, representative, answer, expected",
    [
        ("math-verify", "\\frac{1}{2}", "0.5", True),
        ("math-verify", "\\frac{1}{2}", "3", False),
        ("ttrl", "2220", "2,220", True),
        # qwen25-math's math_equal accepts the interval [1,2] against the gold "1,2", not
        # the other way round: the representative plays the gold
        ("qwen25-math", "1,2", "[1,2]", True),
        ("qwen25-math", "[1,2]", "1,2", False),
        # minerva and r1zero-tag read neither a bare answer nor \\boxed{...}: the stored
        # answer is what their comparators take, so it is judged as it is
        ("minerva", "\\frac{1}{2}", "0.5", True),
        ("minerva", "\\frac{1}{2}", "3", False),
        ("r1zero-tag", "\\frac{1}{2}", "0.5", True),
    ],
)
def test_profile_equivalence(profile, representative, answer, expected):
    assert profile_equivalence(profile)(representative, answer) is expected


def test_unknown_profile_clusters_by_string_equality():
    assert profile_equivalence("no-such-profile") is None
