"""compare: verdict rules at their boundaries, decomposition on hand-built runs, benchmark
identity, the claimed/reported-baseline paths, and CI gates through the CLI."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from rlvr_audit.cli.app import main
from rlvr_audit.comparison.decompose import decompose
from rlvr_audit.comparison.gains import HOLDS_RATIO, VERDICTS, compare_runs, verdict
from rlvr_audit.core.errors import AuditError
from rlvr_audit.core.types import Generation, Problem, Sampling
from rlvr_audit.store.run import Run, new_manifest

N_PROBLEMS = 40


def make_run(
    path: Path,
    statuses: dict[tuple[str, str], list[str]],
    *,
    texts: dict[str, list[str]] | None = None,
    benchmark_hash: str = "h1",
    as_claimed: dict | None = None,
) -> Run:
    """A run with one sample per problem: statuses[(template, profile)] is a status list."""
    problems = [Problem(f"p{i}", f"question {i}", str(i)) for i in range(N_PROBLEMS)]
    templates = sorted({t for t, _ in statuses})
    manifest = new_manifest(
        model={"id": path.name},
        benchmark={"name": "toy", "size": N_PROBLEMS, "hash": benchmark_hash},
        templates={t: {"hash": t} for t in templates},
        sampling=Sampling(n=1),
        as_claimed=as_claimed,
        source="test",
    )
    run = Run.create(path, manifest, problems)
    with run.generation_writer() as out:
        for t in templates:
            for i, p in enumerate(problems):
                text = (texts or {}).get(t, ["solution text"] * N_PROBLEMS)[i]
                out.write(Generation(p.id, t, 0, text).to_dict())
    for (t, prof), column in statuses.items():
        with run.grade_writer(prof) as out:
            for p, status in zip(problems, column):
                out.write(
                    {
                        "problem_id": p.id,
                        "template": t,
                        "sample": 0,
                        "status": status,
                        "extracted": None if status == "no_answer" else "x",
                        "detail": None,
                        "version": "1",
                    }
                )
    return Run.open(path)


def _column(n_correct: int, n_no_answer: int = 0) -> list[str]:
    rest = N_PROBLEMS - n_correct - n_no_answer
    return ["correct"] * n_correct + ["no_answer"] * n_no_answer + ["incorrect"] * rest


@pytest.mark.parametrize(
    "claimed, adjusted, low, high, expected",
    [
        (10.0, -3.0, -5.0, -0.01, "reverses"),
        (10.0, -2.0, -5.0, 0.0, "vanishes"),  # a CI touching 0 includes it
        (10.0, 2.0, 0.0, 4.0, "vanishes"),
        (10.0, 2.0, 0.01, 4.0, "shrinks"),
        (10.0, 8.0, 6.0, 9.99, "holds"),  # ratio 0.8 == HOLDS_RATIO
        (10.0, 7.99, 6.0, 9.99, "shrinks"),  # just under the ratio, claim outside the CI
        (10.0, 7.0, 4.0, 10.0, "holds"),  # claimed exactly at the CI's upper end
        (10.0, 12.0, 11.0, 13.0, "holds"),  # grew
        (None, 1.0, 0.5, 1.5, "holds"),
        (-5.0, 1.0, 0.5, 1.5, "holds"),
        # inconclusive: the CI reaches both 0 and the claimed gain
        (10.0, 2.0, -1.0, 10.0, "inconclusive"),  # claimed exactly at the upper end
        (10.0, 2.0, 0.0, 12.0, "inconclusive"),  # 0 exactly at the lower end
        (10.0, 2.0, -1.0, 9.99, "vanishes"),  # the claim just outside the CI
        (10.0, 5.0, 0.01, 12.0, "holds"),  # the claim inside, 0 just outside
        (-5.0, -1.0, -6.0, 1.0, "inconclusive"),  # a claimed loss, CI spanning it and 0
        (-5.0, -1.0, -4.0, 1.0, "vanishes"),  # the claimed loss outside the CI
        (0.0, 0.0, -1.0, 1.0, "vanishes"),  # no claimed gain to span
        (None, 0.0, -1.0, 1.0, "vanishes"),
        (10.0, -20.0, -30.0, -10.0, "reverses"),
    ],
)
def test_verdict_boundaries(claimed, adjusted, low, high, expected):
    name, reason = verdict(claimed, adjusted, low, high)
    assert name == expected
    assert f"{adjusted:+.1f}" in reason
    assert HOLDS_RATIO == 0.8
    assert name in VERDICTS


def test_decomposition_counts_format_and_answers():
    base = np.array(
        [["no_answer"], ["no_answer"], ["incorrect"], ["correct"], ["correct"], ["incorrect"]], dtype=object
    )
    trained = np.array([["correct"], ["correct"], ["correct"], ["no_answer"], ["correct"], ["incorrect"]], dtype=object)
    texts_b = [["words"]] * 6
    texts_t = [["python"], ["python"], ["words"], ["words"], ["words"], ["words"]]
    d = decompose(base_status=base, trained_status=trained, base_text=texts_b, trained_text=texts_t)
    # gain: 4/6 - 2/6; format: 2 became correct from no answer, 1 correct -> no answer.
    assert d["gain"] == pytest.approx(100 * 2 / 6, abs=1e-3)
    assert d["format"] == pytest.approx(100 * (2 - 1) / 6, abs=1e-3)
    assert d["answers"] == pytest.approx(100 * 1 / 6, abs=1e-3)
    assert d["format"] + d["answers"] == pytest.approx(d["gain"], abs=1e-3)  # rounded to 4 places
    assert d["transitions"]["no_answer_to_correct"] == 2
    assert d["code"]["groups"]["lang_to_code"] == {"problems": 2, "gain": pytest.approx(100 * 2 / 6, abs=1e-3)}
    assert d["code"]["lang_to_code_share"] == pytest.approx(1.0)


def test_compare_runs_on_hand_built_runs(tmp_path):
    base = make_run(tmp_path / "base", {("a", "x"): _column(10, 10), ("b", "x"): _column(20)})
    trained = make_run(
        tmp_path / "rl",
        {("a", "x"): _column(22), ("b", "x"): _column(23)},
        as_claimed={"template": "a", "profile": "x"},
    )
    result = compare_runs(base, [trained], n_boot=500)
    t = result.trained[0]
    assert t.claimed["gain"] == pytest.approx(100 * 12 / N_PROBLEMS)
    assert t.adjusted["gain"] == pytest.approx(100 * (23 - 20) / N_PROBLEMS)
    assert t.adjusted["trained_best"]["template"] == "b"
    assert t.matched["min"] == pytest.approx(7.5) and t.matched["max"] == pytest.approx(30.0)
    assert t.significance["test"] == "mcnemar-exact"
    assert t.decomposition["format"] == pytest.approx(25.0)  # the 10 unanswered became correct
    # 3 more correct of 40 on both sides' best cells: +7.5 with a CI near [-2.5, +17.5], which
    # includes 0 but not the claimed +30.
    assert t.adjusted["low"] < 0 < t.adjusted["high"] < t.claimed["gain"]
    assert t.verdict == "vanishes"
    data = json.loads(json.dumps(result.to_dict()))
    assert data["schema"] == "rlvr-audit.compare" and data["schema_version"] == 1
    values, rows, cols = result.gain_matrix(0)
    assert rows == ["a", "b"] and cols == ["x"] and values[0, 0] == pytest.approx(30.0)


def test_reported_baseline(tmp_path):
    base = make_run(tmp_path / "base", {("a", "x"): _column(20)})
    trained = make_run(tmp_path / "rl", {("a", "x"): _column(30)})
    t = compare_runs(base, [trained], as_claimed=("a", "x"), reported_baseline=40.0, n_boot=300).trained[0]
    assert t.claimed["source"] == "reported-baseline"
    assert t.claimed["gain"] == pytest.approx(75.0 - 40.0)
    assert t.claimed["low"] < t.claimed["gain"] < t.claimed["high"]


def test_benchmark_mismatch_is_one_line(tmp_path):
    base = make_run(tmp_path / "base", {("a", "x"): _column(20)})
    other = make_run(tmp_path / "other", {("a", "x"): _column(20)}, benchmark_hash="h2")
    with pytest.raises(AuditError) as info:
        compare_runs(base, [other])
    line = info.value.one_line()
    assert "\n" not in line and "h1" in line and "h2" in line


def test_unknown_claimed_cell(tmp_path):
    base = make_run(tmp_path / "base", {("a", "x"): _column(20)})
    trained = make_run(tmp_path / "rl", {("a", "x"): _column(20)})
    with pytest.raises(AuditError, match="a:x"):
        compare_runs(base, [trained], as_claimed=("zzz", "x"))


@pytest.mark.parametrize(
    "trained_correct, options, code, message",
    [
        (38, ["--fail-if-adjusted-below", "10"], 0, None),
        (22, ["--fail-if-adjusted-below", "10"], 1, "below the required"),
        (5, ["--fail-on-regression"], 1, "regressed"),
        (20, ["--fail-on-regression"], 0, None),
    ],
)
def test_gates_exit_codes(tmp_path, capsys, trained_correct, options, code, message):
    make_run(tmp_path / "base", {("a", "x"): _column(20)})
    make_run(tmp_path / "rl", {("a", "x"): _column(trained_correct)})
    rc = main(["compare", str(tmp_path / "base"), str(tmp_path / "rl"), "--n-boot", "300", *options])
    assert rc == code
    err = capsys.readouterr().err
    if message:
        lines = [line for line in err.splitlines() if line.startswith("error:")]
        assert len(lines) == 1 and message in lines[0]


def test_cli_outputs(tmp_path, capsys):
    make_run(tmp_path / "base", {("a", "x"): _column(20), ("a", "y"): _column(15)})
    make_run(tmp_path / "rl", {("a", "x"): _column(30), ("a", "y"): _column(30)})
    rc = main(
        [
            "compare",
            str(tmp_path / "base"),
            str(tmp_path / "rl"),
            "--as-claimed",
            "a:x",
            "--json",
            "--n-boot",
            "300",
            "--markdown",
            str(tmp_path / "t.md"),
            "--latex",
            str(tmp_path / "t.tex"),
            "--plot",
            str(tmp_path / "fig.png"),
        ]
    )
    assert rc == 0
    data = json.loads(capsys.readouterr().out)
    assert data["trained"][0]["claimed"]["template"] == "a"
    assert "| trained run |" in (tmp_path / "t.md").read_text()
    assert "\\begin{tabular}" in (tmp_path / "t.tex").read_text()
    assert (tmp_path / "fig.png").stat().st_size > 1000
    assert (tmp_path / "fig-heatmap.png").stat().st_size > 1000


@pytest.mark.parametrize("args", [["only-one"], ["a", "b", "--as-claimed", "nocolon"]])
def test_cli_bad_input_is_one_line(tmp_path, capsys, args):
    make_run(tmp_path / "a", {("t", "x"): _column(20)})
    make_run(tmp_path / "b", {("t", "x"): _column(20)})
    rc = main(["compare", *[str(tmp_path / a) if a in ("a", "b", "only-one") else a for a in args]])
    assert rc == 2
    assert len(capsys.readouterr().err.strip().splitlines()) == 1


@pytest.mark.parametrize("center", [None, 0.0])
def test_plot_heatmap(tmp_path, center):
    from rlvr_audit.report.plots import plot_heatmap

    values = np.array([[1.0, np.nan], [-2.5, 3.0]])
    path = plot_heatmap(values, ["t1", "t2"], ["p1", "p2"], tmp_path / "h.png", title="gains", center=center)
    assert path.stat().st_size > 1000
    with pytest.raises(AuditError, match="shape"):
        plot_heatmap(values, ["t1"], ["p1", "p2"], tmp_path / "bad.png", title="x")
    with pytest.raises(AuditError, match=".png"):
        plot_heatmap(values, ["t1", "t2"], ["p1", "p2"], tmp_path / "h.txt", title="x")


def test_cli_exports_and_the_old_json_out(tmp_path, capsys):
    make_run(tmp_path / "base", {("a", "x"): _column(20), ("a", "y"): _column(15)})
    make_run(tmp_path / "rl", {("a", "x"): _column(30), ("a", "y"): _column(10)})
    runs = [str(tmp_path / "base"), str(tmp_path / "rl"), "--as-claimed", "a:x", "--n-boot", "200"]
    assert main(["compare", *runs, "--csv", "-"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("trained_run,claimed_gain,claimed_low,claimed_high,adjusted_gain")
    assert lines[1].startswith("rl,25.0,")  # 30/40 - 20/40 = +25 points in the claimed cell
    # the old spelling: --json-out F writes the file; with a bare --json, stdout gets it too
    assert main(["compare", *runs, "--json", "--json-out", str(tmp_path / "c.json")]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert json.loads((tmp_path / "c.json").read_text()) == printed
    assert main(["compare", *runs, "--json", str(tmp_path / "d.json")]) == 0
    assert "claimed vs adjusted gains" in capsys.readouterr().out  # a file: the tables still print
    assert json.loads((tmp_path / "d.json").read_text())["trained"][0]["run"] == "rl"
    assert main(["compare", *runs, "--json", str(tmp_path / "e.json"), "--json-out", str(tmp_path / "f.json")]) == 2
