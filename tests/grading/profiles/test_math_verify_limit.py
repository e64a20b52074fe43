"""The library's 5 s parsing limit as a verdict (`math-verify`, `sober`) and the variants
without it (`math-verify-untimed`, `sober-untimed`).

math-verify's `parse` stops after 5 s and returns [] (so verify is False). On degenerate
completions (hundreds of `\\boxed{}` after an unclosed `$`), its regexes backtrack for
longer than that; the profiles replay the library's own search in a child process and
count its CPU seconds, so the verdict does not depend on how busy the machine is.
"""

from __future__ import annotations

import gzip
import json
import logging
from itertools import islice

import pytest

from rlvr_audit.grading.base import GradeRequest
from rlvr_audit.grading.blocks import mathverify_steps as mv
from rlvr_audit.grading.registry import DEFAULT_PROFILES, get_profile, list_profiles, resolve_profiles

logging.getLogger("math_verify").setLevel(logging.ERROR)

# An unclosed `$`, then 300 empty boxes, then the answer: the library's own regexes need
# about 3 CPU seconds here (measured, 2-core machine), the guarded ones milliseconds.
DEGENERATE = "Simplify $(-2 + 3k) + (-k + 4). " + "\\boxed{}. " * 300 + "So \\boxed{2k+2}"
CLOSED = "Simplify $(-2 + 3k) + (-k + 4)$. " + "\\boxed{}. " * 3 + "So \\boxed{2k+2}"
TIGHT_LIMIT_S = 0.3  # 10 times under the library's need on DEGENERATE

# The held-out completions (qwen25-math-7b_math500.jsonl.gz, 0-based line) on which the
# plain library, given its own limit, says False where an unlimited search says True: its
# own parse had not finished when stopped after 10.6, 11.3 and 11.9 CPU seconds (measured
# by running the library itself, outside the tool).
LIMITED_LINES = {598: "7B-eval-offRLVR-20", 4520: "7B-eval-promptoriginal", 4783: "7B-eval-promptoriginal"}


@pytest.mark.parametrize("kind", ["default", "sober-pred"])
def test_a_search_over_the_limit_gives_no_answer(kind):
    assert mv.may_backtrack(DEGENERATE)
    assert mv.extract_parse(DEGENERATE, kind).found  # unlimited: the answer is found
    limited = mv.extract_parse(DEGENERATE, kind, TIGHT_LIMIT_S)
    assert (limited.found, limited.answer) == (False, None)


@pytest.mark.parametrize("kind", ["default", "sober-pred"])
def test_a_completion_that_cannot_backtrack_is_not_replayed(kind):
    assert not mv.may_backtrack(CLOSED)
    assert mv.extract_parse(CLOSED, kind, TIGHT_LIMIT_S) == mv.extract_parse(CLOSED, kind)
    assert mv.extract_parse(CLOSED, kind).found


def test_the_default_profiles_keep_the_library_limit_and_the_variants_drop_it():
    for name, limit, version in [
        ("math-verify", 5.0, "2"),
        ("sober", 5.0, "2"),
        ("math-verify-untimed", None, "1"),
        ("sober-untimed", None, "1"),
    ]:
        profile = get_profile(name)
        assert (profile.parse_limit_s, profile.version) == (limit, version), name
    assert get_profile("math-verify").fingerprint != get_profile("math-verify-untimed").fingerprint


def test_variants_are_listed_but_not_graded_by_default():
    listed = [p.name for p in list_profiles()]
    assert {"math-verify-untimed", "sober-untimed"} <= set(listed)
    assert listed[: len(DEFAULT_PROFILES)] == list(DEFAULT_PROFILES)
    assert "math-verify-untimed" not in resolve_profiles("all")
    assert resolve_profiles("math-verify-untimed,sober") == ["math-verify-untimed", "sober"]


@pytest.mark.shared
@pytest.mark.parametrize("line", sorted(LIMITED_LINES))
def test_the_held_out_completions_over_the_library_limit(shared_data, line):
    path = shared_data / "real-outputs" / "qwen25-math-7b_math500.jsonl.gz"
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        row = json.loads(next(islice(fh, line, line + 1)))
    assert row["run"] == LIMITED_LINES[line]
    assert mv.may_backtrack(row["completion"])
    request = GradeRequest(row["completion"], row["answer"])
    assert get_profile("math-verify-untimed").grade_local(request).status == "correct"
    assert get_profile("math-verify").grade_local(request).status == "no_answer"  # ~5 CPU s: the limit
    if line == min(LIMITED_LINES):  # sober runs the same search; once is enough
        assert get_profile("sober-untimed").grade_local(request).status == "correct"
        assert get_profile("sober").grade_local(request).status == "no_answer"
