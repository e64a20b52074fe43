"""Majority labels: clustering under the profile's equivalence, the correctness flag the
incorrect reward filters on, saving and reuse, and one real derivation with the hf backend."""

from __future__ import annotations

import json

import pytest

from rlvr_audit.core.types import Problem, Sampling
from rlvr_audit.training.labels import Label, cluster_answers, derive_labels, label_from_completions, load_labels

P = Problem("p", "q", "2220")

# (completions, expected majority, expected is_correct, expected vote counts)
CASES = [
    (["\\boxed{2220}", "\\boxed{2,220}", "\\boxed{17}"], "2220", True, [2, 1]),  # 2,220 == 2220 under ttrl
    (["\\boxed{17}", "\\boxed{17}", "\\boxed{2220}"], "17", False, [2, 1]),
    (["\\boxed{17}", "\\boxed{2220}"], "17", False, [1, 1]),  # tie: first seen wins
    (["no answer at all", "\\boxed{}", "\\boxed{5}"], "5", False, [1]),  # unanswered samples do not vote
    (["nothing", "still nothing"], None, False, []),
]


@pytest.mark.parametrize("completions,majority,correct,counts", CASES)
def test_label_from_controlled_completions(completions, majority, correct, counts):
    label = label_from_completions(P, completions, "ttrl")
    assert label.majority == majority
    assert label.is_correct is correct
    assert [n for _, n in label.votes] == counts


def test_clusters_are_sorted_by_votes():
    votes = cluster_answers(["\\boxed{1}", "\\boxed{3}", "\\boxed{3}", "\\boxed{\\frac{1}{2}}", "\\boxed{0.5}"], "ttrl")
    assert votes[0] == ("3", 2)
    assert sum(n for _, n in votes) == 5


def test_label_roundtrip():
    label = Label("3", False, (("3", 2), ("4", 1)))
    assert Label.from_dict(json.loads(json.dumps(label.to_dict()))) == label


def test_derive_with_hf_backend_saves_and_reuses(tiny_model, tmp_path):
    pytest.importorskip("transformers")
    problems = [Problem("a", "What is 1+1?", "2"), Problem("b", "What is 2+2?", "4")]
    out = tmp_path / "labels.json"
    sampling = Sampling(temperature=1.0, max_tokens=8, seed=1)
    labels = derive_labels(
        problems,
        model=str(tiny_model),
        backend="hf",
        k=2,
        sampling=sampling,
        profile="ttrl",
        out_path=out,
        progress=False,
    )
    assert set(labels) == {"a", "b"}
    assert all(sum(n for _, n in lab.votes) <= 2 for lab in labels.values())
    assert load_labels(out) == labels
    # saved labels are reused: an unknown backend is never created when nothing is missing
    again = derive_labels(
        problems,
        model=str(tiny_model),
        backend="no-such-backend",
        k=2,
        sampling=sampling,
        profile="ttrl",
        out_path=out,
        progress=False,
    )
    assert again == labels
    # a different k is a different key: the saved labels do not apply
    assert load_labels(out, key="other") == {}
