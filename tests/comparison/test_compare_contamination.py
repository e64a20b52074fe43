"""compare puts the base model's contamination probe beside the gains: found beside the
base run or named with --contamination, summarised at the reference ratio, with the
verdict and its implication, in the table and in the JSON ("contamination")."""

from __future__ import annotations

import json

import pytest
from test_compare import _column, make_run

from rlvr_audit.cli.app import main
from rlvr_audit.comparison.contamination import implication, probe_matches, summarise_probe


def _est(mean, low, high, n=40):
    return {"mean": mean, "low": low, "high": high, "n": n}


def _probe_doc(model_id="base", benchmark="toy", label="memorised", size=40, bench_hash="h1"):
    """A probe.json as `rlvr-audit contamination` writes it, figures written by hand."""
    per_ratio = {
        "0.4": {
            "n": 40,
            "exact_match": _est(30.0, 15.0, 45.0),
            "rouge_l": _est(70.0, 60.0, 80.0),
            "answer_accuracy": None,
        },
        "0.6": {
            "n": 40,
            "exact_match": _est(52.5, 37.5, 67.5),
            "rouge_l": _est(81.2, 74.0, 88.1),
            "answer_accuracy": _est(50.0, 35.0, 65.0),
        },
    }
    control = {
        "run": "runs/base-random-calculation-probe",
        "benchmark": {"name": "random-calculation", "size": 40, "hash": "rc"},
        "per_ratio": {
            "0.4": {
                "n": 40,
                "exact_match": _est(0.0, 0.0, 0.0),
                "rouge_l": _est(20.0, 15.0, 25.0),
                "answer_accuracy": None,
            },
            "0.6": {
                "n": 40,
                "exact_match": _est(2.5, 0.0, 7.5),
                "rouge_l": _est(30.0, 25.0, 35.0),
                "answer_accuracy": _est(0.0, 0.0, 0.0),
            },
        },
    }
    return {
        "schema": "rlvr-audit.contamination",
        "schema_version": 1,
        "model": {"id": model_id, "revision": None, "weights_hash": None},
        "benchmark": {"name": benchmark, "size": size, "hash": bench_hash},
        "ratios": [0.4, 0.6],
        "reference_ratio": 0.6,
        "per_ratio": per_ratio,
        "control": control,
        "verdict": {
            "label": label,
            "ratio": 0.6,
            "sentence": f"{label}: 52.5% exact match vs 2.5% on the control (random-calculation) at ratio 0.6",
            "rule": "memorised when the 95% CI of exact match at ratio 0.6 minus the control's lies above 5 points",
        },
    }


def _write_probe(path, doc):
    path.mkdir(parents=True)
    (path / "probe.json").write_text(json.dumps(doc))
    return path


@pytest.fixture
def runs(tmp_path):
    make_run(tmp_path / "base", {("t", "p"): _column(20)})
    make_run(tmp_path / "trained", {("t", "p"): _column(30)})
    return tmp_path / "base", tmp_path / "trained"


def test_summary_takes_the_reference_ratio_and_says_what_the_verdict_implies():
    summary = summarise_probe(_probe_doc(), source="probe-dir", benchmark={"name": "toy", "size": 40, "hash": "h1"})
    assert summary["schema"] == "rlvr-audit.contamination-summary" and summary["ratio"] == 0.6
    assert summary["target"]["exact_match"]["mean"] == 52.5
    assert summary["target"]["answer_accuracy"]["mean"] == 50.0
    assert summary["control"]["exact_match"]["mean"] == 2.5
    assert summary["control"]["benchmark"]["name"] == "random-calculation"
    assert summary["verdict"] == "memorised" and "recall" in summary["implication"]
    assert summary["notes"] == []
    partial = summarise_probe(
        _probe_doc(size=10, bench_hash="h10"), source="d", benchmark={"name": "toy", "size": 40, "hash": "h1"}
    )
    assert "10 problems" in partial["notes"][0]


def test_implications_differ_by_verdict():
    assert implication("memorised") != implication("no sign of memorisation") != implication("inconclusive")
    assert "verbatim" in implication("no sign of memorisation")


def test_a_probe_matches_only_its_model_and_benchmark():
    doc = _probe_doc()
    assert probe_matches(doc, {"id": "base", "revision": None, "weights_hash": None}, {"name": "toy"})
    assert not probe_matches(doc, {"id": "base", "revision": "abc", "weights_hash": None}, {"name": "toy"})
    assert not probe_matches(doc, {"id": "other"}, {"name": "toy"})
    assert not probe_matches(doc, {"id": "base"}, {"name": "math500"})


def test_compare_finds_the_probe_beside_the_base_run(runs, tmp_path, capsys):
    _write_probe(tmp_path / "base-toy-probe", _probe_doc())
    _write_probe(tmp_path / "other-toy-probe", _probe_doc(model_id="trained", label="no sign of memorisation"))
    assert main(["compare", str(runs[0]), str(runs[1]), "--json", "--n-boot", "200"]) == 0
    payload = json.loads(capsys.readouterr().out)
    ctx = payload["contamination"]
    assert ctx["source"].endswith("base-toy-probe")
    assert ctx["verdict"] == "memorised"
    assert ctx["target"]["exact_match"]["mean"] == 52.5


def test_compare_table_shows_the_probe(runs, tmp_path, capsys):
    probe = _write_probe(tmp_path / "elsewhere" / "p", _probe_doc())
    assert main(["compare", str(runs[0]), str(runs[1]), "--contamination", str(probe), "--n-boot", "200"]) == 0
    out = capsys.readouterr().out
    assert "contamination of the base model" in out
    assert "52.5 [37.5, 67.5]" in out and "2.5 [0.0, 7.5]" in out
    assert "memorised" in out


def test_without_a_probe_compare_says_how_to_run_one(runs, capsys):
    assert main(["compare", str(runs[0]), str(runs[1]), "--json", "--n-boot", "200"]) == 0
    captured = capsys.readouterr()
    payload = json.loads(captured.out)
    assert payload["contamination"] is None
    assert any("rlvr-audit contamination --model base --benchmark toy" in n for n in payload["notes"])


def test_no_contamination_skips_discovery(runs, tmp_path, capsys):
    _write_probe(tmp_path / "base-toy-probe", _probe_doc())
    assert main(["compare", str(runs[0]), str(runs[1]), "--json", "--no-contamination", "--n-boot", "200"]) == 0
    payload = json.loads(capsys.readouterr().out)
    assert payload["contamination"] is None
    assert not any("contamination" in n for n in payload["notes"])


@pytest.mark.parametrize(
    "make_args, fix",
    [
        (lambda d: ["--contamination", str(d / "missing")], "rlvr-audit contamination"),
        (lambda d: ["--contamination", str(d / "wrong-model")], "--no-contamination"),
        (lambda d: ["--contamination", str(d / "wrong-model"), "--no-contamination"], "pass one of them"),
    ],
)
def test_bad_probe_arguments_are_one_line_errors(runs, tmp_path, capsys, make_args, fix):
    _write_probe(tmp_path / "wrong-model", _probe_doc(model_id="someone-else"))
    rc = main(["compare", str(runs[0]), str(runs[1]), *make_args(tmp_path), "--n-boot", "200"])
    err = capsys.readouterr().err.strip()
    assert rc != 0 and rc != 1  # an input error, not a tripped gate
    assert len(err.splitlines()) == 1 and fix in err and "Traceback" not in err


def test_a_claim_comparison_carries_the_published_probe_figures(capsys):
    assert main(["compare", "--claim", "spurious-rewards", "--json"]) == 0
    payload = json.loads(capsys.readouterr().out)
    figures = {(f["claim"], f["measure"]): f["value"] for f in payload["published_contamination"]}
    assert figures == {("wu-contamination", "exact_match"): 54.6, ("wu-contamination", "accuracy"): 53.6}
    assert main(["compare", "--claim", "spurious-rewards"]) == 0
    out = " ".join(capsys.readouterr().out.split())
    assert "54.6%" in out and "rlvr-audit contamination" in out
