"""`train --data random-calculation[:...]`: generated training problems and their identity."""

from __future__ import annotations

import pytest

from rlvr_audit.benchmarks.random_calculation import RandomCalculationParams, write_benchmark
from rlvr_audit.core.errors import AuditError
from rlvr_audit.training.data import dataset_rows, load_train_problems


def test_generated_name_with_params():
    problems, identity = load_train_problems("random-calculation:n=40,seed=1,steps=2-5")
    assert len(problems) == 40
    assert problems[0].id == "random-calculation-rc-1-0"
    assert all(2 <= p.meta["steps"] <= 5 for p in problems)
    assert identity["kind"] == "generated"
    assert identity["name"] == "random-calculation" and identity["size"] == 40
    assert identity["generator"]["params"] == {"n": 40, "steps": "2-5", "operands": "1-100", "seed": 1}
    assert identity["source"] == "generated:random-calculation v1 n=40 steps=2-5 operands=1-100 seed=1"
    assert len(identity["hash"]) == 16


def test_bare_name_is_the_default_set_and_limit_works():
    problems, identity = load_train_problems("random-calculation", limit=10)
    assert len(problems) == 10 and identity["size"] == 10 and identity["rows"] == 10
    assert identity["generator"]["params"]["seed"] == 0 and identity["generator"]["params"]["n"] == 500


def test_train_and_eval_seeds_give_different_sets():
    train, train_id = load_train_problems("random-calculation:n=50,seed=1")
    evaluate, eval_id = load_train_problems("random-calculation:n=50,seed=0")
    assert train_id["hash"] != eval_id["hash"]
    assert [p.question for p in train] != [p.question for p in evaluate]


def test_the_written_file_trains_like_the_name(tmp_path):
    path = tmp_path / "rc.jsonl"
    write_benchmark(RandomCalculationParams(n=12, seed=1), path)
    from_file, file_id = load_train_problems(str(path))
    from_name, _ = load_train_problems("random-calculation:n=12,seed=1")
    assert file_id["kind"] == "file" and len(from_file) == 12
    assert [(p.question, p.answer) for p in from_file] == [(p.question, p.answer) for p in from_name]


def test_dataset_rows_carry_the_gold():
    problems, _ = load_train_problems("random-calculation:n=3,seed=1")
    rows = dataset_rows(problems, None)
    assert [r["answer"] for r in rows] == [p.answer for p in problems]
    assert all("Compute the exact value" in r["prompt"] for r in rows)


def test_bad_generated_params_are_audit_errors():
    with pytest.raises(AuditError) as info:
        load_train_problems("random-calculation:size=3")
    assert "n, steps, operands, seed" in info.value.fix
