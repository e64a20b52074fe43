"""Benchmark-aware grading: the request's benchmark picks the harness's branch, the
benchmark is part of every cached key where it can change a verdict (and nowhere else),
runs grade under their manifest's benchmark, and `grade --benchmark` sets it for files."""

from __future__ import annotations

import json

import pytest

from rlvr_audit.cli.app import main
from rlvr_audit.core.types import Generation, Problem, Sampling
from rlvr_audit.grading.base import GradeRequest
from rlvr_audit.grading.engine.cache import GradeCache
from rlvr_audit.grading.engine.pool import grade_many
from rlvr_audit.grading.engine.runs import grade_run
from rlvr_audit.grading.registry import get_profile
from rlvr_audit.store.run import Run, new_manifest

# (profile, benchmark, completion, answer, solution, answers, status, extracted)
CASES = [
    # minerva_math: no unit removal, so `t` and `s` stay (Finding 1)
    ("qwen25-math", "minerva", "\\boxed{2 t}", "2 s", None, None, "incorrect", "2t"),
    ("qwen25-math", None, "\\boxed{2 t}", "2 s", None, None, "correct", "2"),
    ("qwen25-math", "math500", "\\boxed{2 t}", "2 s", None, None, "correct", "2"),
    (
        "qwen25-math",
        "minerva",
        "\\boxed{\\frac{1}{s}}",
        "x",
        "so $\\boxed{\\frac{1}{s}}$",
        None,
        "correct",
        "\\frac{1}{s}",
    ),
    ("qwen25-math", None, "\\boxed{\\frac{1}{s}}", "x", None, None, "incorrect", "\\frac{1}{}"),
    # the harness's own name for it is accepted too
    ("qwen25-math", "minerva_math", "\\boxed{2 t}", "2 s", None, None, "incorrect", "2t"),
    # aime24 takes the `answer` field; the math path takes the solution's last box
    ("qwen25-math", "aime24", "\\boxed{25}", "025", "so \\boxed{24}", None, "correct", "25"),
    ("qwen25-math", None, "\\boxed{25}", "025", "so \\boxed{24}", None, "incorrect", "25"),
    # gsm8k: the text after `####`, never the worked solution
    ("qwen25-math", "gsm8k", "\\boxed{18}", "18", "she makes 9 * 2 = 20 dollars", None, "correct", "18"),
    ("qwen25-math", None, "\\boxed{18}", "18", "she makes 9 * 2 = 20 dollars", None, "incorrect", "18"),
    ("qwen25-math", "gsm8k", "\\boxed{18}", "Janet makes 9 * 2 = 18\n#### 18", None, None, "correct", "18"),
    # gold normalised twice: `x \in [-2,7]` becomes `[-2,7]` on the answer-field branches
    ("qwen25-math", "amc23", "\\boxed{x \\in [-2,7]}", "x \\in [-2,7]", None, None, "correct", "[-2,7]"),
    ("qwen25-math", None, "\\boxed{x \\in [-2,7]}", "x \\in [-2,7]", None, None, "incorrect", "[-2,7]"),
    # olympiadbench: the first item of final_answer, `$` stripped
    ("qwen25-math", "olympiadbench", "\\boxed{3}", "$3$, $5$", None, ("$3$", "$5$"), "correct", "3"),
    ("qwen25-math", None, "\\boxed{3}", "$3$, $5$", None, ("$3$", "$5$"), "incorrect", "3"),
    # ttrl does not branch on the benchmark, but takes a list gold's first item
    ("ttrl", "olympiadbench", "\\boxed{3}", "$3$, $5$", None, ("$3$", "$5$"), "correct", "3"),
    ("ttrl", None, "\\boxed{3}", "$3$, $5$", None, ("$3$", "$5$"), "correct", "3"),
    ("ttrl", "minerva", "\\boxed{2 t}", "2 s", None, None, "incorrect", "2"),
    # a profile that does not branch ignores the benchmark
    ("hendrycks", "minerva", "\\boxed{2 t}", "2 t", None, None, "correct", "2 t"),
]


@pytest.mark.parametrize(("name", "benchmark", "completion", "answer", "solution", "answers", "status", "shown"), CASES)
def test_the_benchmark_picks_the_branch(name, benchmark, completion, answer, solution, answers, status, shown):
    request = GradeRequest(completion, answer, solution, benchmark, answers)
    local = get_profile(name).grade_local(request)
    assert (local.status, local.extracted) == (status, shown)
    pooled = grade_many([request], [name], workers=0, progress=False).grades[0][name]
    assert (pooled.status, pooled.extracted) == (status, shown)


def test_no_cached_verdict_crosses_benchmarks():
    cache = GradeCache()
    math_path = GradeRequest("\\boxed{2 t}", "2 s")
    minerva = GradeRequest("\\boxed{2 t}", "2 s", benchmark="minerva")
    first = grade_many([math_path], ["qwen25-math"], workers=0, cache=cache, progress=False)
    assert first.grades[0]["qwen25-math"].status == "correct"
    second = grade_many([minerva], ["qwen25-math"], workers=0, cache=cache, progress=False)
    assert second.grades[0]["qwen25-math"].status == "incorrect"
    assert second.stats.cache_hits == 0 and second.stats.step_cache_hits == 0
    # the same benchmark again: answered by the cache
    third = grade_many([minerva], ["qwen25-math"], workers=0, cache=cache, progress=False)
    assert third.grades[0]["qwen25-math"].status == "incorrect" and third.stats.cache_hits == 1


def test_a_profile_that_does_not_branch_shares_its_cache_across_benchmarks():
    cache = GradeCache()
    grade_many([GradeRequest("\\boxed{2 t}", "2 t", benchmark="minerva")], ["hendrycks"], workers=0, cache=cache)
    again = grade_many([GradeRequest("\\boxed{2 t}", "2 t", benchmark="gsm8k")], ["hendrycks"], workers=0, cache=cache)
    assert again.stats.cache_hits == 1 and again.stats.step_cache_hits == 2


def test_one_call_grades_two_benchmarks_apart_in_workers():
    requests = [GradeRequest("\\boxed{2 t}", "2 s", benchmark=b) for b in ("minerva", "math500", None)]
    batch = grade_many(requests, ["qwen25-math"], workers=1, progress=False)
    assert [row["qwen25-math"].status for row in batch.grades] == ["incorrect", "correct", "correct"]


def _run(path, benchmark: str) -> Run:
    manifest = new_manifest(
        model={"id": "m", "weights_hash": "abc"},
        benchmark={"name": benchmark, "size": 1, "hash": "h", "source": "test"},
        templates={"t": {"hash": "x", "kind": "raw"}},
        sampling=Sampling(n=1),
        command="test",
    )
    run = Run.create(path, manifest, [Problem("p0", "q", "2 s")])
    with run.generation_writer() as out:
        out.write_many([Generation("p0", "t", 0, "\\boxed{2 t}").to_dict()])
    return Run.open(path)


@pytest.mark.parametrize(("benchmark", "status"), [("minerva", "incorrect"), ("math500", "correct")])
def test_a_run_is_graded_under_its_benchmark(tmp_path, benchmark, status):
    run = _run(tmp_path / "run", benchmark)
    grade_run(run, ["qwen25-math"], workers=0, progress=False)
    assert Run.open(tmp_path / "run").grades("qwen25-math")[("p0", "t", 0)].status == status


def test_grade_files_with_benchmark(tmp_path, capsys):
    path = tmp_path / "gen.jsonl"
    path.write_text(json.dumps({"completion": "\\boxed{2 t}", "answer": "2 s"}) + "\n", encoding="utf-8")
    for benchmark, correct in (("minerva", 0), ("math500", 1), (None, 1)):
        args = ["grade", str(path), "-p", "qwen25-math", "--json", "--workers", "0", "--no-cache"]
        code = main(args + (["--benchmark", benchmark] if benchmark else []))
        assert code == 0
        assert json.loads(capsys.readouterr().out)["rows"][0]["correct"] == correct, benchmark


def test_an_unknown_benchmark_is_a_one_line_error(tmp_path, capsys):
    path = tmp_path / "gen.jsonl"
    path.write_text(json.dumps({"completion": "\\boxed{2}", "answer": "2"}) + "\n", encoding="utf-8")
    code = main(["grade", str(path), "--benchmark", "minrva", "--workers", "0", "--no-cache"])
    assert code == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "'minrva' is not a known benchmark" in err[0] and "minerva" in err[0]
    assert not (tmp_path / "gen.grades.jsonl").exists()


def test_list_profiles_says_which_benchmarks_each_reproduces(capsys):
    assert main(["list", "profiles", "--json"]) == 0
    rows = {r["name"]: r for r in json.loads(capsys.readouterr().out)}
    assert rows["qwen25-math"]["benchmarks"] == "math500, minerva, gsm8k, aime24, amc23, olympiadbench"
    assert rows["ttrl"]["benchmarks"] == "math500, aime24, amc23, amc, minerva, olympiadbench, gsm8k"
    assert rows["hendrycks"]["benchmarks"] == "math500"
