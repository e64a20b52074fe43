"""Majority labels: clustering under the profile's equivalence, the correctness flag the
incorrect reward filters on, agreement with a grid's maj@k on the same samples, saving and
reuse, and one real derivation with the hf backend."""

from __future__ import annotations

import json

import pytest

from rlvr_audit.analysis.grid import compute_grid
from rlvr_audit.core.types import Generation, Problem, Sampling
from rlvr_audit.grading.base import GradeRequest
from rlvr_audit.grading.registry import get_profile
from rlvr_audit.store.run import Run, new_manifest
from rlvr_audit.training.labels import Label, derive_labels, label_from_completions, load_labels

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
    completions = ["\\boxed{1}", "\\boxed{3}", "\\boxed{3}", "\\boxed{\\frac{1}{2}}", "\\boxed{0.5}"]
    votes = label_from_completions(Problem("p", "q", "3"), completions, "ttrl").votes
    assert votes == (("3", 2), ("\\frac{1}{2}", 2), ("1", 1))  # 0.5 = 1/2 under ttrl; ties: first seen


def _minerva(answer: str) -> str:
    return f"Final Answer: The final answer is {answer}. I hope it is correct."


# The same samples voted two ways: as a training label and as maj@n of a grid cell.
# (profile, gold, completions, majority, is_correct, votes); the expected values are by hand.
AGREEMENT = [
    ("ttrl", "2220", ["\\boxed{2220}", "\\boxed{2,220}", "\\boxed{17}"], "2220", True, [("2220", 2), ("17", 1)]),
    ("ttrl", "2220", ["\\boxed{17}", "\\boxed{17}", "\\boxed{2220}"], "17", False, [("17", 2), ("2220", 1)]),
    ("ttrl", "5", ["no answer at all", "\\boxed{}", "\\boxed{5}"], "5", True, [("5", 1)]),
    ("ttrl", "5", ["nothing", "still nothing"], None, False, []),
    # The old label clusterer judged the letter ttrl takes from the *whole* completion, so
    # "\\boxed{B} A" joined the "A" cluster, A tied C 2-2 and won (wrong); the old grid
    # compared the answers themselves and C won. The one vote compares the answers shown.
    (
        "ttrl",
        "C",
        ["\\boxed{A}", "\\boxed{B} A", "\\boxed{C}", "\\boxed{C}"],
        "C",
        True,
        [("C", 2), ("A", 1), ("B", 1)],
    ),
    # qwen25-math accepts the prediction [1,2] against the gold 1,2 but not the reverse. The
    # old grid judged the representative against the newcomer, kept three singletons and
    # let the first, 7, win; the representative plays the gold now, as it did for labels.
    ("qwen25-math", "1,2", ["\\boxed{7}", "\\boxed{1,2}", "\\boxed{[1,2]}"], "1,2", True, [("1,2", 2), ("7", 1)]),
    (
        "math-verify",
        "1/2",
        ["\\boxed{3}", "\\boxed{\\frac{1}{2}}", "\\boxed{0.5}"],
        "\\frac{1}{2}",
        True,
        [("\\frac{1}{2}", 2), ("3", 1)],
    ),
    # minerva reads only its "Final Answer: ..." phrasing, so re-reading a stored answer finds
    # nothing; the answer is judged as stored (0.5 = 1/2 under its comparator). Before, the
    # grid clustered these by string equality and let the first, 3, win.
    ("minerva", "\\frac{1}{2}", [_minerva(a) for a in ("3", "0.5", "1/2")], "0.5", True, [("0.5", 2), ("3", 1)]),
]


def _graded_run(tmp_path, problem: Problem, profile: str, completions: list[str]) -> Run:
    """A one-problem run holding `completions` as samples, graded by `profile` in-process."""
    manifest = new_manifest(
        model={"id": "toy", "name": "toy", "weights_hash": "sha256:0"},
        benchmark={"name": "toy", "size": 1, "hash": "h", "source": "test"},
        templates={"t": {"hash": "1", "kind": "raw"}},
        sampling=Sampling(n=len(completions), temperature=1.0),
        command="test",
    )
    run = Run.create(tmp_path / "run", manifest, [problem])
    prof = get_profile(profile)
    with run.generation_writer() as out:
        out.write_many(
            Generation(problem.id, "t", s, text, "stop", 3, 5).to_dict() for s, text in enumerate(completions)
        )
    with run.grade_writer(profile) as out:
        out.write_many(
            Run.grade_record((problem.id, "t", s), prof.grade_local(GradeRequest(text, problem.answer)))
            for s, text in enumerate(completions)
        )
    return Run.open(run.path)


@pytest.mark.parametrize("profile,gold,completions,majority,correct,votes", AGREEMENT)
def test_label_and_grid_maj_agree(tmp_path, profile, gold, completions, majority, correct, votes):
    problem = Problem("p", "q", gold)
    label = label_from_completions(problem, completions, profile)
    assert (label.majority, label.is_correct, list(label.votes)) == (majority, correct, votes)
    cell = compute_grid(_graded_run(tmp_path, problem, profile, completions), n_boot=10).cells[("t", profile)]
    assert cell.maj_at[len(completions)] == (100.0 if correct else 0.0)


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
