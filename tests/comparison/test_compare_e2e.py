"""End to end: two runs of the tiny local model (two seeds, temperature 1) on 5 problems,
then `compare`: table, JSON and plot files are produced."""

from __future__ import annotations

import json

from rlvr_audit.cli.app import main
from rlvr_audit.core.types import Sampling

QUESTIONS = [
    ("What is 2+3?", "5"),
    ("Compute 7*6.", "42"),
    ("Simplify 10/4.", "\\frac{5}{2}"),
    ("What is the square root of 81?", "9"),
    ("Solve x+1=0.", "-1"),
]


def test_tiny_model_two_seeds_compare(tiny_model, tmp_path, capsys):
    from rlvr_audit.workflows.baseline import BaselineSpec, run_baseline

    data = tmp_path / "toy.jsonl"
    data.write_text(
        "".join(json.dumps({"id": f"toy-{i}", "problem": q, "answer": a}) + "\n" for i, (q, a) in enumerate(QUESTIONS))
    )
    runs = {}
    for seed in (1, 2):
        spec = BaselineSpec(
            model=str(tiny_model),
            benchmark="toy",
            data_file=data,
            templates=("qwen-math-chat", "no-template"),
            profiles=("qwen25-math", "math-verify"),
            backend="hf",
            out_dir=tmp_path / f"seed{seed}",
            sampling=Sampling(temperature=1.0, max_tokens=8, n=2, seed=seed),
            grade_workers=1,
            as_claimed=("qwen-math-chat", "qwen25-math") if seed == 2 else None,
            label=f"seed{seed}",
        )
        runs[seed] = run_baseline(spec, progress=False)
    out = tmp_path / "out"
    rc = main(
        [
            "compare",
            str(runs[1].path),
            str(runs[2].path),
            "--n-boot",
            "200",
            "--json-out",
            str(out / "cmp.json"),
            "--plot",
            str(out / "cmp.png"),
        ]
    )
    assert rc == 0, capsys.readouterr().err
    assert "claimed vs adjusted" in capsys.readouterr().out
    result = json.loads((out / "cmp.json").read_text())
    trained = result["trained"][0]
    assert trained["claimed"]["template"] == "qwen-math-chat"  # read from the run manifest
    assert len(trained["matched"]["cells"]) == 4
    assert trained["significance"]["test"] == "paired-permutation"  # two samples per problem
    assert trained["adjusted"]["low"] <= trained["adjusted"]["gain"] <= trained["adjusted"]["high"]
    assert (out / "cmp.png").stat().st_size > 1000
    assert (out / "cmp-heatmap.png").stat().st_size > 1000
