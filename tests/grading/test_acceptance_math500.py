"""GRADERS section 10 acceptance: the gold answer fed back in each pipeline's format over
MATH-500 must give exactly the published counts and failing indices (0-based)."""

from __future__ import annotations

import json

import pytest

from rlvr_audit.grading.registry import get_profile

EXPECTED_FAILURES = {
    "qwen25-math": [383],
    "ttrl": [96, 97, 102, 284, 422],
    "hendrycks": [],
    "prm800k": [],
    "r1zero": [],
    "r1zero-fast": [],
    "r1zero-tag": [],
}


def _completion(name: str, answer: str) -> str:
    if name == "r1zero-tag":
        return f"<think> reasoning </think> <answer> {answer} </answer>"
    return f"So the final answer is $\\boxed{{{answer}}}$."


@pytest.fixture(scope="module")
def math500(shared_data):
    path = shared_data / "benchmarks" / "math500.jsonl"
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


@pytest.mark.shared
@pytest.mark.parametrize("name", sorted(EXPECTED_FAILURES))
def test_gold_fed_back_is_accepted(name, math500):
    profile = get_profile(name)
    assert len(math500) == 500
    failing = []
    for index, record in enumerate(math500):
        gold = profile.prepare_gold(record["answer"], record["solution"])
        extraction = profile.extract(_completion(name, record["answer"]))
        if not profile.judge(extraction.answer, gold):
            failing.append(index)
    assert failing == EXPECTED_FAILURES[name]
    assert 500 - len(failing) == 500 - len(EXPECTED_FAILURES[name])


@pytest.mark.shared
def test_qwen_answer_only_gold_equals_solution_gold(math500):
    profile = get_profile("qwen25-math")
    for record in math500:
        assert profile.prepare_gold(record["answer"]) == profile.prepare_gold(record["answer"], record["solution"])
