"""Rewards: each signal on completions we control, via the TRL call signature."""

from __future__ import annotations

import pytest

from rlvr_audit.core.errors import AuditError
from rlvr_audit.training.rewards import (
    REWARDS,
    Reward,
    RewardSpec,
    build_reward,
    completion_text,
    describe_rewards,
    format_reward,
    load_user_reward,
    parse_reward,
    random_rewards,
)


def call(reward: Reward, completions, **columns):
    metrics: dict[str, list[float]] = {}
    out = reward(
        prompts=["q"] * len(completions),
        completions=completions,
        completion_ids=None,
        log_metric=lambda name, value: metrics.setdefault(name, []).append(value),
        **columns,
    )
    return out, metrics


# (gold, completion, expected ttrl accuracy, expected box-only format) - GRADERS.md 2.4
TTRL_CASES = [
    ("0.15", "\\boxed{15\\%}", 0.0, 1.0),
    ("2220", "\\boxed{2,220}", 1.0, 1.0),
    ("1 \\pm \\sqrt{19}", "\\boxed{1 \\pm \\sqrt{19}}", 0.0, 1.0),
    ("11\\sqrt2", "\\boxed{\\sqrt{242}}", 1.0, 1.0),
    ("\\text{Evelyn}", "\\boxed{Evelyn}", 1.0, 1.0),
    ("3, 5, 7", "final answer is $357$. I hope it is correct.", 0.0, 0.0),
    ("5", "I boxed the answer: 5", None, 1.0),
    ("5", "\\boxed{}", 0.0, 0.0),
]


@pytest.mark.parametrize("gold,completion,accuracy,fmt", TTRL_CASES)
def test_truth_and_format_follow_the_ttrl_grader(gold, completion, accuracy, fmt):
    truth, metrics = call(build_reward(RewardSpec("truth")), [completion], answer=[gold], solution=[""])
    if accuracy is not None:
        assert truth == [accuracy]
    fmt_out, _ = call(build_reward(RewardSpec("format")), [completion])
    assert fmt_out == [fmt]
    assert metrics["format_rate"] == [fmt]


def test_majority_grades_against_the_label_not_the_gold():
    reward = build_reward(RewardSpec("majority"))
    out, _ = call(reward, ["\\boxed{3}", "\\boxed{4}"], answer=["4", "4"], label=["3", "3"])
    assert out == [1.0, 0.0]


@pytest.mark.parametrize(
    "text,expected", [("Let's use Python: print(1)", 1.0), ("```python\nx=1```", 1.0), ("no code here", 0.0)]
)
def test_python_reward_and_code_rate(text, expected):
    out, metrics = call(build_reward(RewardSpec("python")), [text])
    assert out == [expected]
    assert metrics["code_rate"] == [expected]


def test_conversational_completions_are_read():
    msgs = [[{"role": "assistant", "content": "\\boxed{2}"}]]
    assert completion_text(msgs[0]) == "\\boxed{2}"
    out, _ = call(build_reward(RewardSpec("truth")), msgs, answer=["2"])
    assert out == [1.0]


@pytest.mark.parametrize("gamma", [0.0, 0.3, 1.0])
def test_random_reward_rate_and_reproducibility(gamma):
    a = random_rewards(gamma, seed=7, call=0, rank=0, n=2000)
    assert a == random_rewards(gamma, seed=7, call=0, rank=0, n=2000)
    assert abs(sum(a) / len(a) - gamma) < 0.05
    if 0 < gamma < 1:
        assert a != random_rewards(gamma, seed=8, call=0, rank=0, n=2000)
        assert a != random_rewards(gamma, seed=7, call=1, rank=0, n=2000)


def test_random_reward_ignores_the_completion_and_replays_per_seed():
    texts = ["a", "b", "c", "d"] * 8
    first = [call(build_reward(RewardSpec("random", seed=3)), texts)[0] for _ in range(1)]
    r1, r2 = build_reward(RewardSpec("random", seed=3)), build_reward(RewardSpec("random", seed=3))
    seq1 = [call(r1, texts)[0] for _ in range(3)]
    seq2 = [call(r2, list(reversed(texts)))[0] for _ in range(3)]
    assert seq1 == seq2 and seq1[0] == first[0]
    assert seq1[0] != seq1[1]  # a fresh draw per batch


@pytest.mark.parametrize(
    "text,kwargs,message",
    [
        ("nope", {}, "not a known reward"),
        ("truth", {"gamma": 0.5}, "--gamma applies"),
        ("random", {"gamma": 1.5}, "gamma must be in"),
        ("one-shot", {}, "--one-shot-id"),
        ("truth", {"grade_timeout": 0}, "time limit must be > 0"),
        ("truth", {"profile": "nope"}, "not a known profile"),
        ("no_such_module_xyz:f", {}, "cannot import"),
        ("rlvr_audit.training.rewards:NOPE", {}, "has no callable"),
    ],
)
def test_parse_reward_errors_are_one_line(text, kwargs, message):
    with pytest.raises(AuditError) as info:
        parse_reward(text, **kwargs)
    assert message in info.value.one_line() and "\n" not in info.value.one_line()


def test_user_function_from_a_file(tmp_path):
    path = tmp_path / "my_reward.py"
    path.write_text("def length(prompts, completions, **kw):\n    return [float(len(c)) for c in completions]\n")
    spec = parse_reward(f"{path}:length")
    assert spec.name == "custom"
    out, _ = call(build_reward(spec), ["ab", "abc"])
    assert out == [2.0, 3.0]
    assert load_user_reward(f"{path}:length")(prompts=[], completions=["x"]) == [1.0]


def test_describe_rewards_lists_every_reward():
    names = [row["name"] for row in describe_rewards()]
    assert set(REWARDS) <= set(names)
    assert all(row["description"] for row in describe_rewards())


def test_format_reward_matches_box_only_rule():
    assert format_reward("\\boxed{ }") == 0.0
    assert format_reward("\\boxed{5") == 1.0
