"""The grid computed from hand-built runs (no model). Every expected number is written out
by hand from the outcomes below, never computed with the code under test.

The CIs are percentile bootstraps over 4 problems, so every resampled mean is a multiple
of 25: for 1 correct in 4, P(resample has 0 correct) = (3/4)^4 = 32% > 2.5%, so the low
bound is 0; P(>= 3 correct) = 5.1% > 2.5% > P(4 correct) = 0.4%, so the high bound is 75.
3 of 4 is the mirror image, [25, 100]; 0 of 4 is [0, 0]."""

import json

import pytest

from rlvr_audit.analysis.grid import compute_grid
from rlvr_audit.core.types import Generation, Grade, Problem, Sampling
from rlvr_audit.store.run import Run, new_manifest

PROBLEMS = [Problem(f"p{i}", f"What is {i}+1?", str(i + 1)) for i in range(4)]


def _run(tmp_path, *, n, templates, gens, grades, as_claimed=None):
    """gens: {(pid, t, s): (text, finish, tokens)}; grades: {profile: {(pid, t, s): (status, extracted)}}."""
    manifest = new_manifest(
        model={"id": "toy-model", "name": "toy", "weights_hash": "sha256:0"},
        benchmark={"name": "toy", "size": len(PROBLEMS), "hash": "h", "source": "test"},
        templates=templates,
        sampling=Sampling(n=n, temperature=1.0 if n > 1 else 0.0),
        command="test",
        as_claimed=as_claimed,
    )
    run = Run.create(tmp_path / "run", manifest, PROBLEMS)
    with run.generation_writer() as out:
        out.write_many(
            Generation(k[0], k[1], k[2], text, finish, 3, tok).to_dict() for k, (text, finish, tok) in gens.items()
        )
    for profile, table in grades.items():
        with run.grade_writer(profile) as out:
            out.write_many(Run.grade_record(k, Grade(profile, "1", st, ex)) for k, (st, ex) in table.items())
    return Run.open(run.path)


TEMPLATES = {
    "a": {"hash": "1", "kind": "raw", "recommended_profile": "strict"},
    "b": {"hash": "2", "kind": "chat", "recommended_profile": "not-graded"},
}


@pytest.fixture
def single(tmp_path):
    gens, strict, loose = {}, {}, {}
    for i, p in enumerate(PROBLEMS):
        gens[(p.id, "a", 0)] = (
            f"answer {i + 1}" + (" python" if i == 0 else ""),
            "length" if i < 2 else "stop",
            10 * (i + 1),
        )
        gens[(p.id, "b", 0)] = ("Python code", "stop", 4)
        # template a: strict finds 2 answers (1 correct); loose finds all 4 (3 correct)
        strict[(p.id, "a", 0)] = ("correct", "1") if i == 0 else (("incorrect", "9") if i == 1 else ("no_answer", None))
        loose[(p.id, "a", 0)] = ("correct", str(i + 1)) if i < 3 else ("incorrect", "0")
        strict[(p.id, "b", 0)] = ("no_answer", None)
        loose[(p.id, "b", 0)] = ("correct", str(i + 1)) if i == 0 else ("no_answer", None)
    return _run(
        tmp_path,
        n=1,
        templates=TEMPLATES,
        gens=gens,
        grades={"strict": strict, "loose": loose},
        as_claimed={"template": "a", "profile": "strict"},
    )


@pytest.mark.parametrize(
    ("template", "profile", "accuracy", "parsable", "ci"),
    [
        ("a", "strict", 25.0, 50.0, (0.0, 75.0)),
        ("a", "loose", 75.0, 100.0, (25.0, 100.0)),
        ("b", "strict", 0.0, 0.0, (0.0, 0.0)),
        ("b", "loose", 25.0, 25.0, (0.0, 75.0)),
    ],
)
def test_cell_accuracy_parsable_and_ci(single, template, profile, accuracy, parsable, ci):
    cell = compute_grid(single).cells[(template, profile)]
    assert cell.accuracy == pytest.approx(accuracy)
    assert cell.parsable == pytest.approx(parsable)
    assert cell.n == 4
    assert (cell.low, cell.high) == pytest.approx(ci)


def test_template_stats_and_parsable_profile(single):
    grid = compute_grid(single)
    a, b = grid.template_stats["a"], grid.template_stats["b"]
    assert a["parsable_profile"] == "strict" and a["parsable"] == 50.0  # the recommended profile
    assert b["parsable_profile"] == "loose" and b["parsable"] == 25.0  # recommended not graded: most lenient
    assert a["truncated"] == 50.0 and b["truncated"] == 0.0
    assert a["tokens"] == 25.0 and b["tokens"] == 4.0
    assert a["python"] == 25.0 and b["python"] == 100.0  # any case


def test_best_spread_reported_and_claimed(single):
    grid = compute_grid(single, reported=20.0)
    assert (grid.best.template, grid.best.profile) == ("a", "loose")
    assert grid.spread == pytest.approx(75.0)
    data = grid.to_json()
    assert data["reported"]["below_best"] == pytest.approx(55.0)
    # 20 lies in [0, 75] (a/strict, b/loose), not in [25, 100] (a/loose) nor [0, 0] (b/strict).
    containing = {tuple(c) for c in data["reported"]["cells_containing"]}
    assert containing == {("a", "strict"), ("b", "loose")}
    assert data["as_claimed"] == ["a", "strict"]
    json.dumps(data)  # serialisable: no NaN objects, tuples only as lists


def test_profile_and_template_selection(single):
    grid = compute_grid(single, profiles=["strict"], templates=["b"])
    assert list(grid.cells) == [("b", "strict")]


def test_incomplete_run_counts_graded_problems_only(tmp_path):
    gens = {(p.id, "a", 0): ("x", "stop", 1) for p in PROBLEMS[:2]}
    grades = {"strict": {(p.id, "a", 0): ("correct", "1") for p in PROBLEMS[:2]}}
    grid = compute_grid(_run(tmp_path, n=1, templates={"a": TEMPLATES["a"]}, gens=gens, grades=grades))
    cell = grid.cells[("a", "strict")]
    assert cell.n == 2 and cell.accuracy == 100.0
    assert (cell.low, cell.high) == (100.0, 100.0)  # every resample is all-correct


def test_one_of_two_problems_correct_is_50(tmp_path):
    gens = {(p.id, "a", 0): ("x", "stop", 1) for p in PROBLEMS[:2]}
    grades = {"strict": {("p0", "a", 0): ("correct", "1"), ("p1", "a", 0): ("incorrect", "7")}}
    cell = compute_grid(_run(tmp_path, n=1, templates={"a": TEMPLATES["a"]}, gens=gens, grades=grades)).cells[
        ("a", "strict")
    ]
    assert cell.n == 2 and cell.accuracy == 50.0 and cell.parsable == 100.0
    # Resamples of 2 problems: 0 (1/4), 50 (1/2), 100 (1/4) -> the 95% bounds are 0 and 100.
    assert (cell.low, cell.high) == (0.0, 100.0)


def test_pass_and_maj_at_k(tmp_path):
    # 4 samples per problem; p0: answers 2,2,3,x(no answer), correct = the 2s
    rows = {
        "p0": [("correct", "2"), ("correct", "2"), ("incorrect", "3"), ("no_answer", None)],
        "p1": [("incorrect", "5"), ("incorrect", "5"), ("correct", "2"), ("incorrect", "7")],
        "p2": [("incorrect", "1"), ("incorrect", "1"), ("incorrect", "1"), ("incorrect", "1")],
        "p3": [("correct", "4"), ("incorrect", "9"), ("incorrect", "8"), ("incorrect", "7")],
    }
    gens, grades = {}, {}
    for pid, samples in rows.items():
        for s, (st, ex) in enumerate(samples):
            gens[(pid, "a", s)] = (f"... {ex}", "stop", 5)
            grades[(pid, "a", s)] = (st, ex)
    run = _run(tmp_path, n=4, templates={"a": TEMPLATES["a"]}, gens=gens, grades={"strict": grades})
    cell = compute_grid(run).cells[("a", "strict")]
    assert cell.accuracy == pytest.approx(25.0)  # per-problem means 2/4, 1/4, 0, 1/4
    assert cell.pass_at[1] == pytest.approx(25.0)
    # pass@2 = 1 - C(n-c, 2)/C(4, 2) per problem: 1 - 1/6, 1 - 3/6, 0, 1 - 3/6 -> mean 11/24.
    assert cell.pass_at[2] == pytest.approx(100 * 11 / 24)
    assert cell.pass_at[4] == pytest.approx(75.0)  # every problem but p2 has a correct sample
    # maj@4: p0 -> "2" correct; p1 -> "5" wrong; p2 wrong; p3 tie of singletons -> first ("4") correct
    assert cell.maj_at[4] == pytest.approx(50.0)
    assert cell.maj_at[1] == pytest.approx(50.0)  # the first samples: correct, wrong, wrong, correct
    assert compute_grid(run).ks() == [1, 2, 4]


def test_maj_uses_profile_equivalence(tmp_path):
    """Four distinct strings: by string equality "3" (first) wins; under math-verify's own
    comparator 1/2, 0.5 and \\frac{1}{2} are one cluster of three and win."""
    samples = [("incorrect", "3"), ("correct", "\\frac{1}{2}"), ("correct", "0.5"), ("correct", "1/2")]
    gens = {("p0", "a", s): ("x", "stop", 1) for s in range(4)}
    grades = {("p0", "a", s): v for s, v in enumerate(samples)}
    run = _run(tmp_path, n=4, templates={"a": TEMPLATES["a"]}, gens=gens, grades={"math-verify": grades})
    cell = compute_grid(run).cells[("a", "math-verify")]
    assert cell.maj_at[4] == 100.0
    assert cell.maj_at[1] == 0.0
