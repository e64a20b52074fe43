"""`rlvr-audit baseline` through the real CLI entry point (hf backend, tiny model)."""

import json

import pytest

from rlvr_audit.cli.app import main

QUESTIONS = [
    ("What is 2+3?", "5"),
    ("Compute 7*6.", "42"),
    ("Simplify 10/4.", "\\frac{5}{2}"),
    ("What is the square root of 81?", "9"),
    ("Solve x+1=0.", "-1"),
]


def write_problems(path):
    path.write_text(
        "".join(json.dumps({"id": f"toy-{i}", "problem": q, "answer": a}) + "\n" for i, (q, a) in enumerate(QUESTIONS))
    )
    return path


@pytest.fixture
def data_file(tmp_path):
    return write_problems(tmp_path / "toy.jsonl")


def base_args(model, data_file, out):
    return [
        "baseline",
        "--model",
        str(model),
        "--benchmark",
        "toy",
        "--data-file",
        str(data_file),
        "--template",
        "qwen-math-chat",
        "--templates",
        "no-template",
        "--profile",
        "qwen25-math,minerva",
        "--backend",
        "hf",
        "--max-tokens",
        "8",
        "--out",
        str(out),
        "--workers",
        "1",
        "--quiet",
    ]


def test_baseline_end_to_end_with_every_output(tiny_model, data_file, tmp_path, capsys):
    out = tmp_path / "run"
    files = {
        "csv": tmp_path / "g.csv",
        "markdown": tmp_path / "g.md",
        "latex": tmp_path / "g.tex",
        "plot": tmp_path / "g.png",
    }
    extra = [a for k, f in files.items() for a in (f"--{k}", str(f))]
    code = main(
        base_args(tiny_model, data_file, out)
        + extra
        + ["--reported", "10", "--as-claimed", "qwen-math-chat:qwen25-math"]
    )
    printed = capsys.readouterr().out
    assert code == 0
    assert "qwen-math-chat" in printed and "no-template" in printed and f"run: {out}" in printed
    assert "generated 10 prompts" in printed
    csv_lines = files["csv"].read_text().splitlines()
    assert csv_lines[0].split(",")[:5] == ["template", "profile", "accuracy", "ci_low", "ci_high"]
    assert len(csv_lines) == 1 + 4  # one row per cell
    assert files["markdown"].read_text().count("\n| ") == 3
    assert "\\begin{tabular}" in files["latex"].read_text()
    assert files["plot"].read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"

    # Second call: resumes (nothing generated) and prints JSON only.
    assert main(base_args(tiny_model, data_file, out) + ["--json", "--reported", "10"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["generated"] == {"prompts": 0, "generations": 0, "completion_tokens": 0}
    assert len(data["cells"]) == 4 and data["reported"]["value"] == 10
    assert data["as_claimed"] == ["qwen-math-chat", "qwen25-math"]  # kept from the first call
    assert data["benchmark"]["size"] == 5


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["--model", "tiny"], "--data-file"),  # math500 from the hub, offline
        (["--model", "tiny", "--data-file", "DATA", "--template", "nope"], "'nope' is not a known template"),
        (["--model", "tiny", "--data-file", "DATA", "--profile", "nope"], "'nope' is not a known profile"),
        (["--model", "tiny", "--data-file", "DATA", "--backend", "nope"], "unknown backend"),
        (["--model", "tiny", "--data-file", "DATA", "--as-claimed", "x"], "TEMPLATE:PROFILE"),
        (
            ["--model", "tiny", "--data-file", "DATA", "-t", "r1", "--as-claimed", "r1:ttrl", "-p", "dapo"],
            "profile 'ttrl'",
        ),
        (["--model", "tiny", "--data-file", "DATA", "--backend-option", "oops"], "KEY=VALUE"),
        # Impossible sampling: refused before anything is loaded or written.
        (["--model", "tiny", "--data-file", "DATA", "--samples", "0"], "samples per problem must be at least 1"),
        (["--model", "tiny", "--data-file", "DATA", "-n", "-3"], "pass e.g. --samples 1"),
        (["--model", "tiny", "--data-file", "DATA", "--temperature", "-0.5"], "temperature must be 0 (greedy) or more"),
        (["--model", "tiny", "--data-file", "DATA", "--top-p", "0"], "top_p must be in (0, 1]"),
        (["--model", "tiny", "--data-file", "DATA", "--top-p", "1.01"], "top_p must be in (0, 1]"),
        (["--model", "tiny", "--data-file", "DATA", "--max-tokens", "0"], "max_tokens must be at least 1"),
        # Usage errors exit 2 too (1 is what a tripped CI gate returns).
        (["--modle", "tiny", "--data-file", "DATA"], "no such option --modle; did you mean --model?"),
        (["--model", "tiny", "--data-file", "DATA", "--samples", "two"], "Invalid value for '--samples'"),
        (["--data-file", "DATA"], "Missing option '--model'"),
    ],
)
def test_bad_input_is_one_line_exit_2(args, needle, data_file, tmp_path, capsys):
    args = [str(data_file) if a == "DATA" else a for a in args]
    code = main(["baseline", *args, "--out", str(tmp_path / "r"), "--quiet"])
    err = capsys.readouterr().err
    lines = [line for line in err.splitlines() if line.strip()]
    assert code == 2
    assert len(lines) == 1 and lines[0].startswith("error:") and needle in lines[0], err
    assert not (tmp_path / "r").exists()
