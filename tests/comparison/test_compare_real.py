"""End to end on real outputs: Qwen2.5-Math-7B base runs (prompt variants) vs the offline
RLVR checkpoint 7B-eval-offRLVR-20, imported from ../shared/data and compared.

Kept short (~15-30 s on 2 cores): four base variants and the checkpoint, the first 120 problems, one
profile. The checkpoint used the same prompt text as the base run "7B-eval-promptoriginal",
so its template is renamed to that to make the cell matched.
"""

from __future__ import annotations

import gzip
import json

import pytest

from rlvr_audit.cli.app import main

RUNS = ("7B-eval-promptoriginal", "7B-eval-to", "7B-eval-pi1-stopwords", "7B-eval-promptnobox", "7B-eval-offRLVR-20")
N_PROBLEMS = 120


@pytest.mark.shared
@pytest.mark.slow
def test_real_outputs_compare(shared_data, tmp_path, capsys):
    source = shared_data / "real-outputs" / "qwen25-math-7b_math500.jsonl.gz"
    with gzip.open(source, "rt", encoding="utf-8") as fh:
        records = [json.loads(line) for line in fh]
    keep_ids = list(dict.fromkeys(r["id"] for r in records))[:N_PROBLEMS]
    subset = [r for r in records if r["run"] in RUNS and r["id"] in set(keep_ids)]
    data = tmp_path / "subset.jsonl"
    data.write_text("".join(json.dumps(r) + "\n" for r in subset), encoding="utf-8")

    rc = main(
        [
            "import",
            str(data),
            "--group-by",
            "run",
            "--template-field",
            "run",
            "--model-field",
            "model",
            "--group",
            "*offRLVR*=offrlvr-20",
            "--group",
            "*=base",
            "--benchmark",
            "math500",
            "--rename-template",
            "7B-eval-offRLVR-20=7B-eval-promptoriginal",
            "--profile",
            "qwen25-math",
            "--out",
            str(tmp_path / "runs"),
            "--no-progress",
        ]
    )
    assert rc == 0, capsys.readouterr().err
    capsys.readouterr()
    out = tmp_path / "out"
    rc = main(
        [
            "compare",
            str(tmp_path / "runs" / "base"),
            str(tmp_path / "runs" / "offrlvr-20"),
            "--as-claimed",
            "7B-eval-promptoriginal:qwen25-math",
            "--n-boot",
            "1000",
            "--json-out",
            str(out / "cmp.json"),
            "--markdown",
            str(out / "cmp.md"),
            "--plot",
            str(out / "cmp.png"),
        ]
    )
    assert rc == 0
    table = capsys.readouterr().out
    assert "offrlvr-20" in table and "claimed vs adjusted" in table
    result = json.loads((out / "cmp.json").read_text())
    trained = result["trained"][0]
    assert result["base"]["cells"] and len(result["base"]["cells"]) == 4
    claimed, adjusted = trained["claimed"], trained["adjusted"]
    # The claimed cell is matched and its gain is the difference of the two accuracies.
    assert claimed["gain"] == pytest.approx(claimed["trained"] - claimed["base"], abs=1e-3)
    assert adjusted["base_best"]["accuracy"] == max(result["base"]["cells"].values())
    assert adjusted["low"] <= adjusted["gain"] <= adjusted["high"]
    assert trained["verdict"] in ("holds", "shrinks", "vanishes", "reverses")
    d = trained["decomposition"]
    assert d["format"] + d["answers"] == pytest.approx(d["gain"], abs=1e-3)
    assert (out / "cmp.png").stat().st_size > 1000 and (out / "cmp-heatmap.png").stat().st_size > 1000
    assert "| offrlvr-20 |" in (out / "cmp.md").read_text()
