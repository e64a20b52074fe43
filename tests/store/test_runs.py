import numpy as np
import pytest

from rlvr_audit.core.errors import AuditError
from rlvr_audit.core.types import Generation, Grade, Problem, Sampling
from rlvr_audit.store.run import Run, new_manifest

PROBLEMS = [Problem(f"p{i}", f"q{i}", str(i)) for i in range(3)]


def _manifest(sampling=Sampling(n=2), templates=None, model="m"):
    return new_manifest(
        model={"id": model, "weights_hash": "abc"},
        benchmark={"name": "toy", "size": 3, "hash": "h1", "source": "test"},
        templates=templates or {"t1": {"hash": "x", "kind": "raw"}},
        sampling=sampling,
        command="test",
    )


def test_create_and_read_back(tmp_path):
    run = Run.create(tmp_path / "r", _manifest(), PROBLEMS)
    with run.generation_writer() as out:
        out.write_many(
            [
                Generation("p0", "t1", 0, "\\boxed{0}", "stop", 5, 3).to_dict(),
                Generation("p0", "t1", 1, "x", "length", 5, 9).to_dict(),
            ]
        )
    reopened = Run.open(tmp_path / "r")
    assert [p.id for p in reopened.problems()] == ["p0", "p1", "p2"]
    assert set(reopened.generations()) == {("p0", "t1", 0), ("p0", "t1", 1)}
    assert reopened.sampling.n == 2
    assert reopened.benchmark_identity == {"name": "toy", "size": 3, "hash": "h1"}


def test_duplicate_records_count_once(tmp_path):
    run = Run.create(tmp_path / "r", _manifest(), PROBLEMS)
    record = Generation("p1", "t1", 0, "first").to_dict()
    with run.generation_writer() as out:
        out.write_many([record, {**record, "completion": "second"}])
    gens = Run.open(tmp_path / "r").generations()
    assert len(gens) == 1 and gens[("p1", "t1", 0)].completion == "first"


def test_matrix_marks_missing_grades_as_nan(tmp_path):
    run = Run.create(tmp_path / "r", _manifest(), PROBLEMS)
    with run.grade_writer("prof") as out:
        out.write_many(
            [
                Run.grade_record(("p0", "t1", 0), Grade("prof", "1", "correct", "0")),
                Run.grade_record(("p0", "t1", 1), Grade("prof", "1", "no_answer", None)),
                Run.grade_record(("p2", "t1", 0), Grade("prof", "1", "timeout", None, "slow")),
            ]
        )
    m = run.matrix("t1", "prof")
    assert m.shape == (3, 2)
    assert m[0].tolist() == [1.0, 0.0]
    assert np.isnan(m[1]).all() and m[2, 0] == 0.0 and np.isnan(m[2, 1])
    status = run.matrix("t1", "prof", what="status")
    assert status[2].tolist() == ["timeout", "missing"]
    assert run.graded_profiles() == ["prof"]


def test_resume_with_same_spec_and_new_template(tmp_path):
    Run.create(tmp_path / "r", _manifest(), PROBLEMS)
    run = Run.create(
        tmp_path / "r",
        _manifest(templates={"t1": {"hash": "x"}, "t2": {"hash": "y"}}),
        PROBLEMS,
    )
    assert run.templates == ["t1", "t2"] and run.manifest["resumed"] == 1


@pytest.mark.parametrize(
    "changed",
    [
        {"sampling": Sampling(n=4)},
        {"model": "other"},
        {"templates": {"t1": {"hash": "CHANGED"}}},
    ],
)
def test_changed_spec_is_refused_unless_overwrite(tmp_path, changed):
    Run.create(tmp_path / "r", _manifest(), PROBLEMS)
    with pytest.raises(AuditError, match="--overwrite"):
        Run.create(tmp_path / "r", _manifest(**changed), PROBLEMS)
    run = Run.create(tmp_path / "r", _manifest(**changed), PROBLEMS, overwrite=True)
    assert run.generations() == {}


def test_open_non_run_directory_names_the_fix(tmp_path):
    with pytest.raises(AuditError) as info:
        Run.open(tmp_path)
    assert "rlvr-audit baseline" in info.value.one_line()
