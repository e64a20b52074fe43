"""`rlvr-audit import`: generations files -> run directories, then compare."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from rlvr_audit.cli.app import main
from rlvr_audit.core.errors import AuditError
from rlvr_audit.store.run import Run
from rlvr_audit.workflows.import_run import ImportSpec, import_generations, parse_pairs


def _write(path: Path, records: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    return path


def _records() -> list[dict]:
    out = []
    for run, style in (("base-a", "wrong"), ("base-b", "right"), ("rl-1", "right")):
        for i in range(6):
            answer = str(i + 1)
            text = f"so the answer is \\boxed{{{answer if style == 'right' or i < 2 else '0'}}}"
            out.append(
                {
                    "id": f"q{i}",
                    "run": run,
                    "model": f"m-{run}",
                    "problem": f"what is {i}+1?",
                    "answer": answer,
                    "completion": text,
                }
            )
    return out


def test_import_groups_and_templates(tmp_path):
    src = _write(tmp_path / "gens.jsonl", _records())
    spec = ImportSpec(
        path=src,
        out_dir=tmp_path / "runs",
        group_by="run",
        template_field="run",
        groups=parse_pairs(["rl-*=trained", "base-*=base"], "--group"),
        rename_templates=parse_pairs(["rl-1=base-b"], "--rename-template"),
        model_field="model",
        profiles=("math-verify",),
    )
    runs = import_generations(spec, progress=False)
    assert [r.name for r in runs] == ["base", "trained"]
    base, trained = runs
    assert base.templates == ["base-a", "base-b"] and trained.templates == ["base-b"]
    assert base.manifest["source"] == "imported"
    # Nobody told the import how the file was sampled: unknown, not temperature 0 / seed 0.
    assert base.manifest["sampling"] == {
        "temperature": None,
        "top_p": None,
        "max_tokens": None,
        "n": 1,
        "seed": None,
        "known": False,
    }
    assert not base.sampling_known and base.sampling.n == 1
    assert base.benchmark_identity == trained.benchmark_identity
    assert base.matrix("base-a", "math-verify").mean() == pytest.approx(2 / 6)
    assert trained.matrix("base-b", "math-verify").mean() == pytest.approx(1.0)
    # Importing again adds nothing (resume-safe).
    import_generations(spec, progress=False)
    assert len(Run.open(base.path).generations()) == 12


def test_import_cli_then_compare(tmp_path, capsys):
    src = _write(tmp_path / "gens.jsonl", _records())
    rc = main(
        [
            "import",
            str(src),
            "--group-by",
            "run",
            "--template-field",
            "run",
            "--group",
            "rl-*=trained",
            "--group",
            "*=base",
            "--rename-template",
            "rl-1=base-b",
            "--out",
            str(tmp_path / "runs"),
            "--profile",
            "math-verify",
            "--no-progress",
        ]
    )
    assert rc == 0, capsys.readouterr().err
    capsys.readouterr()
    rc = main(
        [
            "compare",
            str(tmp_path / "runs" / "base"),
            str(tmp_path / "runs" / "trained"),
            "--as-claimed",
            "base-b:math-verify",
            "--json",
            "--n-boot",
            "300",
        ]
    )
    assert rc == 0
    data = json.loads(capsys.readouterr().out)
    assert data["trained"][0]["claimed"]["gain"] == pytest.approx(0.0)
    assert data["trained"][0]["adjusted"]["gain"] == pytest.approx(0.0)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"group_by": "nope"}, "--group-by"),
        ({"group_by": "run", "template_field": "nope"}, "--template-field"),
        ({"group_by": "run", "completion_field": "nope"}, "completion"),
    ],
)
def test_import_bad_fields(tmp_path, kwargs, message):
    src = _write(tmp_path / "gens.jsonl", _records())
    with pytest.raises(AuditError) as info:
        import_generations(ImportSpec(path=src, out_dir=tmp_path / "o", profiles=(), **kwargs), progress=False)
    assert message in info.value.one_line()


def test_parse_pairs_rejects_garbage():
    with pytest.raises(AuditError, match="--group"):
        parse_pairs(["no-equals"], "--group")


def _benchmark_file(tmp_path: Path, ids: range) -> Path:
    rows = [{"unique_id": f"q{i}", "problem": f"what is {i}+1?", "answer": str(i + 1)} for i in ids]
    return _write(tmp_path / "bench.jsonl", rows)


def test_import_with_benchmark_file_takes_its_problems_and_identity(tmp_path):
    from rlvr_audit.benchmarks.registry import load_benchmark

    bench_file = _benchmark_file(tmp_path, range(5, -1, -1))  # the benchmark's own order
    src = _write(tmp_path / "gens.jsonl", _records())
    spec = ImportSpec(
        path=src,
        out_dir=tmp_path / "runs",
        group_by="run",
        template="t",
        benchmark="math500",
        data_file=bench_file,
        profiles=(),
    )
    runs = import_generations(spec, progress=False)
    bench = load_benchmark("math500", data_file=str(bench_file))
    assert all(r.benchmark_identity == bench.identity for r in runs)
    assert [p.id for p in runs[0].problems()] == [p.id for p in bench.problems]


def test_import_with_benchmark_file_refuses_unknown_ids(tmp_path):
    bench_file = _benchmark_file(tmp_path, range(3))
    src = _write(tmp_path / "gens.jsonl", _records())
    spec = ImportSpec(
        path=src,
        out_dir=tmp_path / "runs",
        group_by="run",
        template="t",
        benchmark="math500",
        data_file=bench_file,
        profiles=(),
    )
    with pytest.raises(AuditError, match="not problems of math500"):
        import_generations(spec, progress=False)
