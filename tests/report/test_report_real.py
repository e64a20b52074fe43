"""The report on real outputs: two Qwen2.5-Math-7B runs from ../shared/data (the base with the
original prompt, and the offline-RLVR checkpoint that used the same prompt), one profile.
The numbers are the README's grade table (qwen25-math: 50.4 and 26.2)."""

from __future__ import annotations

import gzip
import json

import pytest

from rlvr_audit.cli.app import main

RUNS = ("7B-eval-promptoriginal", "7B-eval-offRLVR-20")


@pytest.mark.shared
@pytest.mark.slow
def test_report_on_real_outputs(shared_data, tmp_path, capsys):
    source = shared_data / "real-outputs" / "qwen25-math-7b_math500.jsonl.gz"
    with gzip.open(source, "rt", encoding="utf-8") as fh:
        records = [r for r in map(json.loads, fh) if r["run"] in RUNS]
    subset = tmp_path / "subset.jsonl"
    subset.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    rc = main(
        ["import", str(subset), "--group-by", "run", "--group", "*offRLVR*=trained", "--group", "*=base",
         "--template", "promptoriginal", "--benchmark", "math500", "--profile", "qwen25-math",
         "--out", str(tmp_path / "runs"), "--no-progress"]
    )  # fmt: skip
    assert rc == 0, capsys.readouterr().err
    rc = main(["report", str(tmp_path / "runs"), "--html", str(tmp_path / "r.html"), "--n-boot", "300",
               "--as-claimed", "promptoriginal:qwen25-math"])  # fmt: skip
    assert rc == 0, capsys.readouterr().err
    data = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    claimed = data["comparison"]["trained"][0]["claimed"]
    assert (claimed["base"], claimed["trained"]) == (50.4, 26.2)
    assert data["runs"][0]["robustness"]["qwen25-math"]["no_answer"]["promptoriginal"] == 14.6
    assert data["runs"][0]["generation_facts"]["promptoriginal"]["finish_recorded"] == 0  # imports record none
    assert len(data["browser"]["runs"][1]["completion"]["promptoriginal"]) == 500
    html = (tmp_path / "r.html").read_text(encoding="utf-8")
    block = html.split('id="report-data">', 1)[1].split("</script>", 1)[0]
    assert json.loads(block)["browser"] == data["browser"]  # real model text never closes the block early
