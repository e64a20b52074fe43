"""`rlvr-audit contamination` end to end on the tiny model: what the probe stores, that it
resumes without generating, the budgets it decodes for, and bad input caught before any
model loads or anything is written."""

from __future__ import annotations

import json

import pytest

from rlvr_audit.cli.app import main
from rlvr_audit.store.run import Run
from rlvr_audit.workflows.contamination import ProbeSpec, run_probe

PROBLEMS = [
    ("q1", "Find the sum of all real numbers x such that x squared equals nine, and give the sum.", "0"),
    ("q2", "A rectangle has a perimeter of 30 units and a width of 5 units. What is its area?", "50"),
    ("q3", "How many positive divisors does the number 36 have? Count one and 36 as divisors.", "9"),
    ("q4", "Go.", "0"),  # one token or two: too short to split at every ratio, recorded, never dropped
]


def _write(path, rows):
    path.write_text("".join(json.dumps({"id": i, "problem": q, "answer": a}) + "\n" for i, q, a in rows))
    return path


def _one_error_line(err: str) -> str:
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error:"), err
    return lines[0]


@pytest.fixture()
def spec(tmp_path, tiny_model):
    return ProbeSpec(
        model=str(tiny_model),
        benchmark="mini",
        data_file=_write(tmp_path / "mini.jsonl", PROBLEMS),
        ratios=(0.5, 0.6),
        control="random-calculation:n=3,steps=3-6,seed=7",
        profile="qwen25-math",
        answer_tokens=6,
        backend="hf",
        out_dir=tmp_path / "probe",
        control_out_dir=tmp_path / "control",
        n_boot=500,
    )


@pytest.mark.slow
def test_probe_stores_runs_resumes_and_decodes_remainder_budgets(spec, tmp_path, tiny_model):
    from transformers import AutoTokenizer

    result = run_probe(spec, progress=False)
    data = json.loads((tmp_path / "probe" / "probe.json").read_text())
    assert data == json.loads(json.dumps(result.data))
    assert data["schema"] == "rlvr-audit.contamination" and data["schema_version"] == 1
    assert data["ratios"] == [0.5, 0.6] and data["reference_ratio"] == 0.6
    assert data["benchmark"]["name"] == "mini" and data["control"]["benchmark"]["name"] == "random-calculation"
    assert data["model"]["weights_hash"].startswith("sha256:")
    tok = AutoTokenizer.from_pretrained(tiny_model)
    n_go = len(tok("Go.", add_special_tokens=False)["input_ids"])
    short = 1 if n_go < 2 else 0
    assert data["splits"]["problems"] == 4 and data["splits"]["probed"] + data["splits"]["too_short"] == 4
    assert data["splits"]["too_short"] == short
    assert data["per_ratio"]["0.6"]["n"] == 4 - short
    assert data["control"]["per_ratio"]["0.6"]["n"] == 3
    for key in ("exact_match", "rouge_l", "answer_accuracy"):
        assert set(data["per_ratio"]["0.5"][key]) == {"mean", "low", "high", "n"}
    assert data["verdict"]["label"] in ("no sign of memorisation", "inconclusive")  # random weights
    assert data["rouge"]["package"] == "rouge-score"

    run = Run.open(tmp_path / "probe")
    splits = {(r["problem_id"], r["ratio"]): r for r in map(json.loads, open(run.path / "probe_splits.jsonl"))}
    gens = run.generations()
    prompts = run.prompt_records()
    for (pid, template, _), g in gens.items():
        ratio = float(template.split("-r")[1].split("-")[0])
        split = splits[(pid, ratio)]
        assert prompts[(pid, template)]["prompt"] == split["prefix"]  # raw: no template around it
        budget = 6 if template.endswith("-answer") else split["remainder_tokens"]
        assert g.completion_tokens <= budget
        assert (g.finish_reason == "length") == (g.completion_tokens == budget)
    # Each (problem, ratio) that could be split has one continuation and one answer.
    assert len(gens) == 2 * 2 * (4 - short)
    assert set(run.graded_profiles()) == {"qwen25-math"}
    # Answers are graded; continuations are scored against their remainder, never graded.
    assert {key[1] for key in run.grades("qwen25-math")} == {"probe-r0.5-answer", "probe-r0.6-answer"}

    again = run_probe(spec, progress=False)
    assert again.generated.prompts == 0 and not again.generated.backend_loaded
    assert again.data["per_ratio"] == data["per_ratio"]

    wider = run_probe(ProbeSpec(**{**spec.__dict__, "ratios": (0.5, 0.6, 0.8)}), progress=False)
    assert set(wider.generated.templates) == {"probe-r0.8", "probe-r0.8-answer"}
    assert wider.data["ratios"] == [0.5, 0.6, 0.8]


@pytest.mark.slow
def test_cli_prints_the_table_and_writes_outputs(spec, tmp_path, capsys):
    args = [
        "contamination", "-m", str(spec.model), "-b", "mini", "--data-file", str(spec.data_file),
        "--ratios", "0.6", "--control", "random-calculation:n=2,seed=3", "--answer-tokens", "0",
        "--backend", "hf", "--out", str(tmp_path / "p"), "--control-out", str(tmp_path / "c"),
        "--csv", str(tmp_path / "p.csv"), "--markdown", str(tmp_path / "p.md"), "--plot", str(tmp_path / "p.png"), "-q",
    ]  # fmt: skip
    assert main(args) == 0
    out = capsys.readouterr().out
    assert "contamination probe of" in out and "verdict:" in out and "mini (target)" in out
    csv_rows = (tmp_path / "p.csv").read_text().splitlines()
    assert csv_rows[0] == "benchmark,role,ratio,n,measure,mean,ci_low,ci_high"
    # 2 benchmarks x 1 ratio x 2 measures (no answer accuracy with --answer-tokens 0)
    assert len(csv_rows) == 1 + 4
    assert "| mini (target) | 0.6 |" in (tmp_path / "p.md").read_text()
    assert (tmp_path / "p.png").read_bytes()[:4] == b"\x89PNG"
    assert main(["verify", str(tmp_path / "p")]) == 0


@pytest.mark.parametrize(
    ("extra", "needle"),
    [
        (["--ratios", "0.6,1.2"], "outside (0, 1)"),
        (["--ratios", "0"], "outside (0, 1)"),
        (["--ratios", "0.6,0.6"], "listed twice"),
        (["--answer-tokens", "-1"], "--answer-tokens"),
        (["--profile", "nope"], "nope"),
    ],
)
def test_bad_options_are_one_line_before_anything_is_written(tmp_path, extra, needle, capsys):
    data = _write(tmp_path / "mini.jsonl", PROBLEMS)
    args = ["contamination", "-m", "tiny", "--data-file", str(data), "--out", str(tmp_path / "p"), *extra]
    assert main(args) == 2
    assert needle in _one_error_line(capsys.readouterr().err)
    assert not (tmp_path / "p").exists()


@pytest.mark.parametrize(
    ("rows", "needle"),
    [
        ('{"id": "a", "answer": "1"}\n', "--field question="),  # no text column at all
        ('{"id": "a", "problem": "", "answer": "1"}\n', "no question text"),  # an empty text
    ],
)
def test_benchmark_without_problem_text(tmp_path, tiny_model, capsys, rows, needle):
    data = tmp_path / "blank.jsonl"
    data.write_text(rows)
    args = ["contamination", "-m", str(tiny_model), "--data-file", str(data), "--out", str(tmp_path / "p")]
    assert main(args) == 2
    assert needle in _one_error_line(capsys.readouterr().err)
    assert not (tmp_path / "p").exists()


def test_model_without_a_tokenizer(tmp_path, tiny_model, capsys):
    import shutil

    bare = tmp_path / "bare-model"
    bare.mkdir()
    for name in ("config.json", "model.safetensors"):
        shutil.copy(tiny_model / name, bare / name)
    data = _write(tmp_path / "mini.jsonl", PROBLEMS)
    args = ["contamination", "-m", str(bare), "--data-file", str(data), "--out", str(tmp_path / "p")]
    assert main(args) == 2
    line = _one_error_line(capsys.readouterr().err)
    assert "no tokenizer" in line and "--tokenizer" in line
    assert not (tmp_path / "p").exists()
