"""The grading pool: per-item timeouts from outside, errors as `error`, cache, threads."""

from __future__ import annotations

import gzip
import json
import threading
import time

import pytest
from pool_profiles import ECHO, NASTY

from rlvr_audit.grading.base import GradeRequest
from rlvr_audit.grading.engine.cache import GradeCache
from rlvr_audit.grading.engine.pool import grade_many
from rlvr_audit.grading.engine.workers import WALL_FACTOR
from rlvr_audit.grading.registry import get_profile, profile_names

OVERHEAD_S = 6.0  # kill + restart a worker on a loaded 2-core machine


def _requests(answers):
    return [GradeRequest(completion, "7") for completion in answers]


@pytest.mark.parametrize(
    "answers, status",
    [
        (["hang"], "timeout"),
        (["hang-extract"], "timeout"),
        (["boom"], "error"),
        (["eat"], "error"),
        (["die"], "error"),
    ],
)
def test_misbehaving_item_gets_its_status_and_neighbours_are_graded(answers, status):
    completions = ["7", "8", *answers, "7", "no"] * 2  # the bad item twice, mid-chunk
    grade_many(_requests(["7"]), [NASTY], workers=2, progress=False)  # start-up is not timed
    start = time.monotonic()
    batch = grade_many(_requests(completions), [NASTY], workers=2, timeout=1.0, progress=False)
    elapsed = time.monotonic() - start
    got = [row["nasty"] for row in batch.grades]
    for completion, grade in zip(completions, got):
        if completion in answers:
            assert grade.status == status
            assert grade.detail  # the reason is kept
        else:
            assert grade.status == ("correct" if completion == "7" else "incorrect")
    # Both copies share one extraction/judge key, so one timeout is paid, not two.
    assert elapsed < WALL_FACTOR * 1.0 + OVERHEAD_S
    assert batch.stats.timeouts + batch.stats.errors == 2


def test_timeout_detail_names_the_step_and_the_limit():
    batch = grade_many(_requests(["hang-extract", "hang"]), [NASTY], workers=1, timeout=0.5, progress=False)
    assert [g["nasty"].status for g in batch.grades] == ["timeout", "timeout"]
    # A sleeping step hits the wall-time cap; a busy one the CPU limit.
    assert batch.grades[0]["nasty"].detail.startswith("extract took over 2 s of wall time")
    assert batch.grades[1]["nasty"].detail.startswith("judge used over 0.5 s of CPU")


def test_in_process_mode_enforces_the_timeout_too():
    # workers=0 cannot kill a step; interval timers interrupt it with the pool's limits.
    batch = grade_many(_requests(["hang-extract", "7", "hang", "8"]), [NASTY], workers=0, timeout=0.5, progress=False)
    assert [g["nasty"].status for g in batch.grades] == ["timeout", "correct", "timeout", "incorrect"]
    assert batch.grades[0]["nasty"].detail.startswith("extract took over 2 s of wall time")
    assert batch.grades[2]["nasty"].detail.startswith("judge used over 0.5 s of CPU")
    assert batch.stats.timeouts == 2


def test_in_process_mode_matches_pool():
    completions = ["7", "8", "boom", "", "7 "]
    local = grade_many(_requests(completions), [ECHO, NASTY], workers=0, progress=False)
    pooled = grade_many(_requests(completions), [ECHO, NASTY], workers=2, progress=False)
    assert local.grades == pooled.grades
    assert [g["echo"].status for g in local.grades] == ["correct", "incorrect", "incorrect", "no_answer", "correct"]
    assert local.grades[2]["nasty"].status == "error"


def test_cache_hits_are_counted_and_skip_judging(tmp_path):
    completions = ["7", "8", "7", "9"]
    cache = GradeCache(tmp_path / "cache.sqlite")
    first = grade_many(_requests(completions), [ECHO], workers=1, cache=cache, progress=False)
    assert (first.stats.judge_keys, first.stats.judged, first.stats.cache_hits) == (3, 3, 0)
    again = GradeCache(tmp_path / "cache.sqlite")  # a new process would see the same file
    second = grade_many(_requests(completions), [ECHO], workers=1, cache=again, progress=False)
    assert (second.stats.judged, second.stats.cache_hits) == (0, 3)
    # Gold preparation and extraction are cached too: 1 gold + 3 distinct completions.
    assert first.stats.step_cache_hits == 0
    assert second.stats.step_cache_hits == second.stats.tasks_phase1 == 4
    assert again.hits == 3 and again.misses == 0
    assert second.grades == first.grades


def test_errors_and_timeouts_are_never_cached():
    cache = GradeCache()
    grade_many(_requests(["boom", "hang", "7"]), [NASTY], workers=1, timeout=0.5, cache=cache, progress=False)
    assert len(cache) == 1  # only the verdict on "7"


def test_callable_from_a_non_main_thread():
    out = {}

    def work():
        out["batch"] = grade_many(_requests(["7", "hang"]), [NASTY], workers=1, timeout=0.5, progress=False)

    thread = threading.Thread(target=work)
    thread.start()
    thread.join(timeout=60)
    assert not thread.is_alive()
    assert [g["nasty"].status for g in out["batch"].grades] == ["correct", "timeout"]


def test_duplicate_profile_is_refused():
    from rlvr_audit.core.errors import AuditError

    with pytest.raises(AuditError, match="twice"):
        grade_many(_requests(["7"]), [ECHO, ECHO], workers=0, progress=False)


def test_real_profiles_match_in_process_grading(shared_data):
    path = shared_data / "real-outputs" / "qwen25-math-1.5b_math500.jsonl.gz"
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        records = [json.loads(line) for line in fh][::900]  # 8 items across the file's runs
    requests = [GradeRequest(r["completion"], r["answer"]) for r in records]
    names = profile_names()  # all of them: one that cannot load fails here
    batch = grade_many(requests, names, workers=2, timeout=30.0, progress=False)
    for name in names:
        profile = get_profile(name)
        expected = [profile.grade_local(req) for req in requests]
        assert [row[name] for row in batch.grades] == expected, name


def test_pool_recovers_from_an_interrupted_call():
    from rlvr_audit.grading.engine.workers import WorkerPool

    pool = WorkerPool(1)
    tasks = [("extract", "echo", str(i)) for i in range(300)]

    def interrupt(_):
        raise KeyboardInterrupt

    try:
        with pytest.raises(KeyboardInterrupt):
            pool.run(tasks, {"echo": ECHO}, timeout=5.0, on_done=interrupt)
        outcomes = pool.run(tasks[:5], {"echo": ECHO}, timeout=5.0)
        assert [o.value.answer for o in outcomes] == ["0", "1", "2", "3", "4"]
    finally:
        pool.close()


def test_unpicklable_profile_is_an_audit_error():
    from pool_profiles import EchoProfile

    from rlvr_audit.core.errors import AuditError

    profile = EchoProfile()
    profile.hook = lambda: None  # lambdas do not pickle
    with pytest.raises(AuditError, match="workers=0"):
        grade_many(_requests(["7"]), [profile], workers=1, progress=False)
    assert grade_many(_requests(["7"]), [profile], workers=0, progress=False).grades[0]["echo"].correct


def test_script_without_main_guard_works(tmp_path):
    # Workers must not re-run the parent's main script (spawn/forkserver would, by default).
    import subprocess
    import sys

    script = tmp_path / "unguarded.py"
    script.write_text(
        "from rlvr_audit.grading.base import GradeRequest\n"
        "from rlvr_audit.grading.engine.pool import grade_many\n"
        "batch = grade_many([GradeRequest('Answer: 3', '3')], ['dapo'], workers=1, progress=False)\n"
        "print('STATUS', batch.grades[0]['dapo'].status)\n",
        encoding="utf-8",
    )
    proc = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=120)
    assert proc.stdout.count("STATUS") == 1 and "STATUS correct" in proc.stdout, proc.stderr[-2000:]
