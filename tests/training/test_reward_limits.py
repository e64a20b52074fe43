"""Rewards are graded in the pool with a time limit: degenerate completions score 0 in
bounded time, the timeouts are counted and logged, and the workers stop with training."""

from __future__ import annotations

import time

import pytest
from reward_profiles import NAIVE

from rlvr_audit.grading.engine import pool
from rlvr_audit.grading.engine.workers import WALL_FACTOR
from rlvr_audit.training.reward_grading import shutdown_reward_grading
from rlvr_audit.training.rewards import Reward, RewardSpec, parse_reward

FLOOD = "\\boxed{" * 10_000
TOWER = "The answer is \\boxed{10^{10^{10^{10}}}}"
LIMIT = 0.5  # CPU seconds per grading step; the naive profile needs minutes on FLOOD, hours on TOWER
# Each completion is graded in two timed phases (extract, then judge), each killed after at
# most WALL_FACTOR x LIMIT of wall time; the slack covers replacing killed workers on a loaded box.
SLACK_S = 10.0
GRADING_BOUND_S = 2 * WALL_FACTOR * LIMIT + SLACK_S


def call(reward: Reward, completions, **columns):
    metrics: dict[str, list[float]] = {}
    out = reward(
        prompts=["q"] * len(completions),
        completions=completions,
        log_metric=lambda name, value: metrics.setdefault(name, []).append(value),
        **columns,
    )
    return out, metrics


def warm(workers: int) -> None:
    """Start the shared pool first, so that the bounds below time grading, not imports."""
    from rlvr_audit.grading.base import GradeRequest

    pool.grade_many([GradeRequest("\\boxed{1}", "1")], [NAIVE], workers=workers, timeout=30, progress=False)


def test_the_default_profile_scores_degenerate_completions_zero():
    out, metrics = call(
        Reward(RewardSpec("truth")), [FLOOD, TOWER, "\\boxed{2}"], answer=["2", "2", "2"], solution=[None] * 3
    )
    assert out == [0.0, 0.0, 1.0]
    assert metrics["reward/grade_errors"] == [0.0]
    assert metrics["reward/grade_seconds"][0] > 0


def test_a_grader_that_hangs_is_cut_off_and_counted():
    warm(2)
    reward = Reward(parse_reward("truth", grade_timeout=LIMIT), profile=NAIVE, workers=2)
    start = time.perf_counter()
    out, metrics = call(reward, [FLOOD, TOWER, "\\boxed{4}"], answer=["4", "4", "4"])
    took = time.perf_counter() - start
    assert out == [0.0, 0.0, 1.0]
    assert metrics["reward/grade_timeouts"] == [2.0]
    assert metrics["reward/grade_errors"] == [0.0]
    assert took <= GRADING_BOUND_S
    assert metrics["reward/grade_seconds"][0] <= took


def test_timeouts_are_not_cached_as_verdicts():
    warm(2)
    reward = Reward(parse_reward("truth", grade_timeout=LIMIT), profile=NAIVE, workers=2)
    for _ in range(2):  # the second call grades again (and times out again): no verdict was stored
        _, metrics = call(reward, [TOWER], answer=["4"])
        assert metrics["reward/grade_timeouts"] == [1.0]


def test_shutdown_stops_the_warm_workers():
    warm(2)
    assert pool._POOL is not None
    shutdown_reward_grading()
    assert pool._POOL is None


def test_the_workers_start_before_the_first_batch():
    from rlvr_audit.training.reward_grading import RewardGrader

    shutdown_reward_grading()
    grader = RewardGrader(NAIVE, workers=2, cache=False)
    grader.start()
    grader._wait_warm()
    assert pool._POOL is not None and pool._POOL.started == 2
    assert grader.grade(["\\boxed{3}"], ["3"]).rewards == [1.0]
    assert pool._POOL.started == 2  # the warm workers graded it


def test_each_training_process_on_a_node_gets_its_share_of_the_cores(monkeypatch):
    from rlvr_audit.grading.engine import workers
    from rlvr_audit.training.reward_grading import RewardGrader

    monkeypatch.setattr(workers, "default_workers", lambda: 16)
    monkeypatch.setenv("LOCAL_WORLD_SIZE", "4")
    assert RewardGrader("ttrl").workers == 4
    assert RewardGrader("ttrl", workers=0).workers == 0


def test_the_time_limit_is_part_of_the_recorded_reward():
    assert parse_reward("truth", grade_timeout=2.5).to_dict()["grade_timeout"] == 2.5
    assert parse_reward("truth").grade_timeout > 0


class Injecting:
    """The reward the trainer calls, with the first rollout's first two completions
    replaced by degenerate ones (as if the model had written them)."""

    def __init__(self, reward: Reward):
        self.reward = reward
        self.__name__ = reward.__name__
        self.calls: list[tuple[float, list[str], list[float]]] = []

    def __call__(self, prompts, completions, **kw):
        completions = list(completions)
        if not self.calls:
            completions[:2] = [FLOOD, TOWER]
        start = time.perf_counter()
        rewards = self.reward(prompts, completions, **kw)
        self.calls.append((time.perf_counter() - start, completions, rewards))
        return rewards


@pytest.mark.slow
@pytest.mark.usefixtures("trl_ready")
def test_degenerate_completions_inside_a_real_grpo_step(tiny_model, problem_file, tmp_path, monkeypatch):
    from rlvr_audit.training import run as train_run
    from rlvr_audit.training.run import TrainSpec, run_train

    injected: list[Injecting] = []

    def build(spec):
        injected.append(Injecting(Reward(spec, profile=NAIVE, workers=2)))
        return injected[-1]

    monkeypatch.setattr(train_run, "build_reward", build)
    warm(2)
    spec = TrainSpec(
        model=str(tiny_model),
        reward=parse_reward("truth", grade_timeout=LIMIT),
        out_dir=tmp_path / "run",
        data=str(problem_file),
        max_steps=2,  # one rollout of 4 completions, two optimizer steps
        overrides=(
            "num_generations=2",
            "prompts_per_rollout=2",
            "completions_per_step=2",
            "per_device_train_batch_size=2",
            "max_completion_length=16",
            "gradient_checkpointing=false",
        ),
        progress=False,
    )
    result = run_train(spec)
    took, completions, rewards = injected[0].calls[0]
    assert completions[:2] == [FLOOD, TOWER]
    assert rewards[:2] == [0.0, 0.0]
    assert took <= GRADING_BOUND_S
    assert max(row.get("reward/grade_timeouts", 0) for row in result.history) >= 1
    assert any("reward/grade_seconds" in row for row in result.history)
    assert pool._POOL is None  # the workers stopped with training
