"""`finishes_within`: a computation's CPU seconds, measured on a forked child."""

from __future__ import annotations

import time

import pytest

from rlvr_audit.grading.blocks.cpu_budget import STARVED_FACTOR, finishes_within


def _spin() -> None:
    while True:
        pass


def _fail() -> None:
    raise ValueError("an error ends the computation too")


def test_a_quick_computation_finishes():
    assert finishes_within(lambda: sum(range(1000)), 2.0) is True


def test_an_error_counts_as_finishing():
    assert finishes_within(_fail, 2.0) is True


def test_an_endless_computation_is_stopped_at_its_cpu_budget():
    start = time.monotonic()
    assert finishes_within(_spin, 0.2) is False
    assert time.monotonic() - start < STARVED_FACTOR * 0.2 + 5  # it was stopped, not waited for


def test_a_child_that_gets_no_cpu_is_an_error_not_a_verdict():
    # Sleeping uses no CPU: the budget is never spent, so only the starvation cap ends it.
    with pytest.raises(RuntimeError, match="CPU-limited check got"):
        finishes_within(lambda: time.sleep(60), 0.1)
