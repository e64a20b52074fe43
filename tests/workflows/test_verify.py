"""`verify_run`: passes on a fresh run, fails with a named reason on each kind of tampering,
and never changes the run directory it reads."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from rlvr_audit.core.errors import AuditError
from rlvr_audit.core.types import stable_hash
from rlvr_audit.store.run import prompt_hash
from rlvr_audit.workflows.grade_files import grade_run_dir
from rlvr_audit.workflows.import_run import ImportSpec, import_generations
from rlvr_audit.workflows.verify import VerifyOptions, verify_run
from rlvr_audit.workflows.verify_summary import recompute_summary

PROFILES = ("dapo", "math-verify")


def _records() -> list[dict]:
    """3 problems x 2 templates x 2 samples; dapo and math-verify read "Answer: X" alike."""
    out = []
    for i in range(3):
        for template in ("plain", "boxed"):
            for s in range(2):
                said = str(i + 1) if (i + s) % 2 == 0 else "0"
                out.append(
                    {
                        "id": f"q{i}",
                        "style": template,
                        "sample": s,
                        "problem": f"What is {i} + 1?",
                        "answer": str(i + 1),
                        "completion": f"Let me think.\nAnswer: {said}",
                    }
                )
    return out


def make_run(tmp_path: Path) -> Path:
    """An imported, graded run with summary.json, as `import` + `grade RUN` leave it."""
    src = tmp_path / "gens.jsonl"
    src.write_text("".join(json.dumps(r) + "\n" for r in _records()), encoding="utf-8")
    spec = ImportSpec(
        path=src,
        out_dir=tmp_path / "runs",
        group_by="style",
        groups=(("*", "toy"),),
        template_field="style",
        sample_field="sample",
        profiles=(),
    )
    (run,) = import_generations(spec, progress=False)
    grade_run_dir(run.path, list(PROFILES), workers=0, timeout=10.0, cache=None)
    return run.path


@pytest.fixture
def run_dir(tmp_path) -> Path:
    return make_run(tmp_path)


def _status(result, name: str):
    return {c.name: c for c in result.checks}[name]


def _lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines(keepends=True)


def _snapshot(path: Path) -> dict[str, tuple[int, bytes]]:
    return {str(p.relative_to(path)): (p.stat().st_mtime_ns, p.read_bytes()) for p in path.rglob("*") if p.is_file()}


def test_fresh_run_verifies(run_dir):
    result = verify_run(run_dir)
    assert result.ok, [c for c in result.checks if c.status != "ok"]
    checks = {c.name: c.status for c in result.checks}
    assert checks["benchmark hash"] == "ok" and checks["generations"] == "ok" and checks["summary"] == "ok"
    assert checks["grades dapo"] == "ok" and checks["grades math-verify"] == "ok"
    assert _status(result, "generations").detail == "12 generations (3 problems x 2 templates x 2 samples)"


def test_verify_changes_nothing(run_dir):
    before = _snapshot(run_dir)
    verify_run(run_dir)
    assert _snapshot(run_dir) == before


def test_hand_edited_grade_fails_the_summary(run_dir):
    path = run_dir / "grades" / "dapo.jsonl"
    lines = _lines(path)
    record = json.loads(lines[0])
    record["status"] = "incorrect" if record["status"] == "correct" else "correct"
    lines[0] = json.dumps(record) + "\n"
    path.write_text("".join(lines), encoding="utf-8")
    result = verify_run(run_dir)
    assert not result.ok
    summary = _status(result, "summary")
    assert summary.status == "FAIL"
    cell = f"cell {record['template']} x dapo accuracy: summary.json"
    assert cell in summary.detail and "recomputed" in summary.detail


def test_regrade_catches_an_edit_that_kept_the_summary_consistent(run_dir):
    path = run_dir / "grades" / "dapo.jsonl"
    lines = _lines(path)
    record = json.loads(lines[1])
    flipped = "incorrect" if record["status"] == "correct" else "correct"
    lines[1] = json.dumps({**record, "status": flipped}) + "\n"
    path.write_text("".join(lines), encoding="utf-8")
    (run_dir / "summary.json").write_text(json.dumps(recompute_summary(run_dir)))
    assert verify_run(run_dir).ok  # every record agrees with every other one
    result = verify_run(run_dir, VerifyOptions(regrade=True, workers=0))
    check = _status(result, "verdicts dapo")
    key = f"{record['problem_id']}/{record['template']}/{record['sample']}"
    assert not result.ok and check.status == "FAIL"
    assert f"1 of 12 verdicts differ: {key} stored {flipped}, now {record['status']}" in check.detail
    assert _status(result, "verdicts math-verify").status == "ok"


def test_deleted_generation_is_named(run_dir):
    path = run_dir / "generations.jsonl"
    lines = _lines(path)
    gone = json.loads(lines[4])
    path.write_text("".join(lines[:4] + lines[5:]), encoding="utf-8")
    result = verify_run(run_dir)
    key = f"{gone['problem_id']}/{gone['template']}/{gone['sample']}"
    assert not result.ok
    assert _status(result, "generations").status == "warn"  # an import holds what its file held
    grades = _status(result, "grades dapo")
    assert grades.status == "FAIL" and f"1 grade(s) with no generation: {key}" in grades.detail
    assert _status(result, "summary").status == "FAIL"  # template_stats counted the generation


def test_deleted_generation_of_a_generated_run_is_missing(run_dir):
    manifest = json.loads((run_dir / "run.json").read_text())
    manifest["source"] = "generated"
    (run_dir / "run.json").write_text(json.dumps(manifest))
    path = run_dir / "generations.jsonl"
    lines = _lines(path)
    path.write_text("".join(lines[1:]), encoding="utf-8")
    check = _status(verify_run(run_dir), "generations")
    gone = json.loads(lines[0])
    assert check.status == "FAIL"
    assert f"1 missing generation(s): {gone['problem_id']}/{gone['template']}/{gone['sample']}" in check.detail


@pytest.mark.parametrize("name", ["generations.jsonl", "grades/math-verify.jsonl"])
def test_duplicated_line_is_named(run_dir, name):
    path = run_dir / name
    lines = _lines(path)
    path.write_text("".join(lines + [lines[2]]), encoding="utf-8")
    result = verify_run(run_dir)
    check = _status(result, "generations" if name == "generations.jsonl" else "grades math-verify")
    assert not result.ok and check.status == "FAIL"
    assert "duplicate" in check.detail and f"lines {len(lines) + 1}" in check.detail


def test_changed_problem_file_fails_the_benchmark_hash(run_dir):
    path = run_dir / "problems.jsonl"
    path.write_text(path.read_text(encoding="utf-8").replace('"answer": "2"', '"answer": "3"'), encoding="utf-8")
    check = _status(verify_run(run_dir), "benchmark hash")
    assert check.status == "FAIL" and "problems.jsonl hashes to" in check.detail and "run.json records" in check.detail


def test_summary_edited_by_hand_names_cell_and_values(run_dir):
    path = run_dir / "summary.json"
    summary = json.loads(path.read_text())
    cell = summary["cells"][0]
    old = cell["accuracy"]
    cell["accuracy"] = old + 10
    path.write_text(json.dumps(summary))
    check = _status(verify_run(run_dir), "summary")
    assert check.status == "FAIL"
    assert f"cell {cell['template']} x {cell['profile']} accuracy: summary.json {old + 10!r}, recomputed {old!r}" in (
        check.detail
    )


def test_torn_last_line_is_reported(run_dir):
    path = run_dir / "grades" / "dapo.jsonl"
    with path.open("a", encoding="utf-8") as fh:
        fh.write('{"problem_id": "q0", "templ')
    check = _status(verify_run(run_dir), "grades dapo")
    assert check.status == "FAIL" and "torn last line 13" in check.detail


def test_stale_fingerprint_is_counted(run_dir):
    path = run_dir / "grades" / "dapo.jsonl"
    records = [json.loads(line) for line in _lines(path)]
    for r in records[:5]:
        r["fingerprint"] = "0ld0ld0ld0ld0ld0"
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    check = _status(verify_run(run_dir), "fingerprint dapo")
    assert check.status == "FAIL" and "5 of 12 grades stale (fingerprint 0ld0ld0ld0ld0ld0" in check.detail


def test_retried_timeout_is_not_a_duplicate(run_dir):
    path = run_dir / "grades" / "dapo.jsonl"
    lines = _lines(path)
    first = json.loads(lines[0])
    timed_out = {**first, "status": "timeout", "extracted": None, "detail": "took too long"}
    path.write_text(json.dumps(timed_out) + "\n" + "".join(lines), encoding="utf-8")
    check = _status(verify_run(run_dir), "grades dapo")
    assert check.status == "ok" and "1 superseded" in check.detail


def _add_prompts(run_dir: Path) -> list[dict]:
    """Give every generation a prompt_hash and store its prompt, as schema-2 runs do."""
    path = run_dir / "generations.jsonl"
    records = [json.loads(line) for line in _lines(path)]
    prompts = {}
    for r in records:
        text = f"prompt for {r['problem_id']} in {r['template']}"
        r["prompt_hash"] = prompt_hash(text)
        prompts[(r["problem_id"], r["template"])] = {
            "problem_id": r["problem_id"],
            "template": r["template"],
            "prompt_hash": r["prompt_hash"],
            "prompt": text,
        }
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    (run_dir / "prompts.jsonl").write_text("".join(json.dumps(p) + "\n" for p in prompts.values()))
    return records


def test_recorded_prompt_hashes_verify(run_dir):
    _add_prompts(run_dir)
    check = _status(verify_run(run_dir), "prompt hashes")
    assert check.status == "ok" and check.detail == "12 generations match 6 stored prompts"


def test_generation_naming_another_prompt_fails(run_dir):
    records = _add_prompts(run_dir)
    records[3]["prompt_hash"] = prompt_hash("another prompt")
    (run_dir / "generations.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records))
    check = _status(verify_run(run_dir), "prompt hashes")
    key = f"{records[3]['problem_id']}/{records[3]['template']}/{records[3]['sample']}"
    assert check.status == "FAIL" and f"1 generation(s) whose prompt_hash is not the stored prompt's: {key}" in (
        check.detail
    )


def test_edited_stored_prompt_fails(run_dir):
    _add_prompts(run_dir)
    path = run_dir / "prompts.jsonl"
    path.write_text(path.read_text().replace("prompt for q1 in plain", "prompt for q1 in plain, edited"))
    check = _status(verify_run(run_dir), "prompt hashes")
    assert check.status == "FAIL" and "1 stored prompt(s) whose text does not match its hash: q1/plain" in check.detail


def test_timeout_grades_are_a_warning(run_dir):
    path = run_dir / "grades" / "dapo.jsonl"
    lines = _lines(path)
    lines[0] = json.dumps({**json.loads(lines[0]), "status": "timeout", "extracted": None}) + "\n"
    path.write_text("".join(lines))
    check = _status(verify_run(run_dir), "grades dapo")
    assert check.status == "warn" and "1 timeout (not verdicts" in check.detail


def test_no_prompt_records_is_a_warning(run_dir):
    check = _status(verify_run(run_dir), "prompt hashes")
    assert check.status == "warn" and "no prompts recorded" in check.detail


@pytest.mark.parametrize("make", ["missing", "not_json", "file"])
def test_not_a_run_directory_is_bad_input(tmp_path, make):
    target = tmp_path / "x"
    if make == "file":
        target.write_text("{}")
    else:
        target.mkdir()
        if make == "not_json":
            (target / "run.json").write_text("{")
    with pytest.raises(AuditError) as info:
        verify_run(target)
    assert info.value.exit_code == 2 and "run directory" in info.value.one_line()


def write_v1_run(path: Path, template_hash: str = "0123456789abcdef") -> Path:
    """A schema-1 run as the code before issue 9 wrote it: no fingerprints, no prompts."""
    path.mkdir(parents=True)
    problems = [{"id": "p1", "question": "1+1?", "answer": "2", "solution": None, "meta": {}}]
    (path / "problems.jsonl").write_text("".join(json.dumps(p) + "\n" for p in problems))
    manifest = {
        "schema_version": 1,
        "kind": "rlvr-audit-run",
        "label": "v1",
        "source": "generated",
        "model": {"id": "tiny"},
        "benchmark": {"name": "toy", "size": 1, "hash": stable_hash([["p1", "1+1?", "2"]]), "source": "toy.jsonl"},
        "templates": {"no-template": {"hash": template_hash, "kind": "raw"}},
        "sampling": {"temperature": 0.0, "top_p": 1.0, "max_tokens": 8, "n": 1, "seed": 0},
    }
    (path / "run.json").write_text(json.dumps(manifest))
    gen = {"problem_id": "p1", "template": "no-template", "sample": 0, "completion": "Answer: 2"}
    (path / "generations.jsonl").write_text(json.dumps(gen) + "\n")
    (path / "grades").mkdir()
    grade = {"problem_id": "p1", "template": "no-template", "sample": 0, "status": "correct", "extracted": "2"}
    (path / "grades" / "dapo.jsonl").write_text(json.dumps({**grade, "detail": None, "version": "1"}) + "\n")
    return path


def test_schema_1_run_verifies_with_warnings_and_stays_schema_1(tmp_path):
    run_dir = write_v1_run(tmp_path / "v1")
    before = _snapshot(run_dir)
    result = verify_run(run_dir)
    checks = {c.name: c for c in result.checks}
    assert _snapshot(run_dir) == before and json.loads((run_dir / "run.json").read_text())["schema_version"] == 1
    assert checks["manifest"].status == "warn" and "schema 1" in checks["manifest"].detail
    assert checks["prompt hashes"].detail == "schema 1 run: no prompt hashes recorded"
    assert checks["template hashes"].status == "warn" and "no-template: changed since the run" in (
        checks["template hashes"].detail
    )
    assert checks["benchmark hash"].status == "ok" and checks["generations"].status == "ok"
    assert checks["fingerprint dapo"].status in ("warn", "FAIL")  # warn until a profile version moves
    assert checks["summary"].status == "warn"


def test_schema_1_run_migrates_regrades_and_verifies(tmp_path):
    from rlvr_audit.store.run import Run
    from rlvr_audit.templates import get_template

    run_dir = write_v1_run(tmp_path / "v1", template_hash=get_template("no-template").hash)
    Run.open(run_dir)  # migrates run.json to schema 2 in place
    grade_run_dir(run_dir, ["dapo"], workers=0, timeout=10.0, cache=None)  # re-grades the unfingerprinted grade
    result = verify_run(run_dir)
    checks = {c.name: c.status for c in result.checks}
    assert result.ok and checks["manifest"] == "ok" and checks["summary"] == "ok"
    assert checks["fingerprint dapo"] == "ok" and checks["template hashes"] == "ok"
    assert _status(result, "prompt hashes").detail == "schema 1 run (migrated): no prompt hashes recorded"


@pytest.mark.slow
def test_fresh_baseline_run_verifies_with_every_hash(tmp_path, tiny_model):
    """A run made by `baseline` (tiny model, hf backend) records prompts and template hashes."""
    from rlvr_audit.core.types import Sampling
    from rlvr_audit.workflows.baseline import BaselineSpec, run_baseline

    data = tmp_path / "toy.jsonl"
    data.write_text(
        "".join(json.dumps({"id": f"t{i}", "problem": f"{i}+1?", "answer": str(i + 1)}) + "\n" for i in range(2))
    )
    spec = BaselineSpec(
        model=str(tiny_model),
        benchmark="toy",
        data_file=data,
        templates=("no-template", "qwen-boxed"),
        profiles=("qwen25-math",),
        sampling=Sampling(max_tokens=4),
        backend="hf",
        out_dir=tmp_path / "run",
        grade_workers=0,
    )
    run = run_baseline(spec, progress=False)
    before = _snapshot(run.path)
    result = verify_run(run.path)
    checks = {c.name: c for c in result.checks}
    assert result.ok and _snapshot(run.path) == before
    for name in ("manifest", "benchmark hash", "template hashes", "prompt hashes", "generations", "summary"):
        assert checks[name].status == "ok", checks[name]
    assert checks["prompt hashes"].detail == "4 generations match 4 stored prompts"
