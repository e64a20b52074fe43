"""compare refuses runs that are not comparable as they stand, and says what it leaves out."""

from __future__ import annotations

import json

import pytest
from test_compare import N_PROBLEMS, _column, make_run

from rlvr_audit.cli.app import main
from rlvr_audit.comparison.gains import compare_runs
from rlvr_audit.core.errors import AuditError
from rlvr_audit.store.run import Run


def _set_sampling(run, **changes):
    run.update_manifest(sampling={**run.manifest.sampling, **changes})
    return Run.open(run.path)


def test_different_sampling_is_refused_unless_cells_are_chosen(tmp_path):
    base = make_run(tmp_path / "base", {("t", "p"): _column(20)})
    trained = _set_sampling(make_run(tmp_path / "trained", {("t", "p"): _column(30)}), temperature=1.0, max_tokens=16)
    with pytest.raises(AuditError) as err:
        compare_runs(base, [trained], n_boot=200)
    line = err.value.one_line()
    assert "not comparable" in line and "sampling temperature 0.0 in base vs 1.0 in trained" in line
    assert "--profile/--template" in line
    chosen = compare_runs(base, [trained], profiles=["p"], n_boot=200)
    assert any("compared despite a difference: sampling max_tokens" in n for n in chosen.notes)


def test_different_profile_sets_are_refused(tmp_path, capsys):
    base = make_run(tmp_path / "base", {("t", "p"): _column(20), ("t", "q"): _column(20)})
    make_run(tmp_path / "trained", {("t", "p"): _column(30)})
    rc = main(["compare", str(base.path), str(tmp_path / "trained"), "--n-boot", "200"])
    err = capsys.readouterr().err.strip()
    assert rc == 2 and len(err.splitlines()) == 1
    assert "graded profiles differ (only base: q; only trained: none)" in err


def test_unrecorded_sampling_is_not_a_difference(tmp_path):
    base = make_run(tmp_path / "base", {("t", "p"): _column(20)})
    trained = _set_sampling(make_run(tmp_path / "trained", {("t", "p"): _column(30)}), known=False, temperature=None)
    assert compare_runs(base, [trained], n_boot=200).notes == [
        "trained: no as-claimed cell recorded; pass --as-claimed TEMPLATE:PROFILE for a claimed gain"
    ]


def test_cells_where_neither_run_answers_are_left_out_of_matched_gains(tmp_path):
    silent = ["no_answer"] * N_PROBLEMS
    base = make_run(tmp_path / "base", {("t", "p"): _column(20), ("t", "q"): silent})
    trained = make_run(tmp_path / "trained", {("t", "p"): _column(10), ("t", "q"): silent})
    result = compare_runs(base, [trained], n_boot=200).trained[0]
    assert [(c["template"], c["profile"]) for c in result.matched["cells"]] == [("t", "p")]
    assert result.matched["excluded"] == [{"template": "t", "profile": "q", "reason": "neither run yields an answer"}]
    assert result.matched["max"] == -25.0  # 10/40 - 20/40, not the 0 vs 0 of the silent cell


def test_a_missing_p_value_says_why(tmp_path, capsys):
    base = make_run(tmp_path / "base", {("a", "p"): _column(20), ("b", "p"): _column(10)})
    make_run(tmp_path / "trained", {("a", "p"): _column(5), ("b", "p"): _column(30)})
    assert main(["compare", str(base.path), str(tmp_path / "trained"), "--json", "--n-boot", "200"]) == 0
    payload = json.loads(capsys.readouterr().out)
    assert payload["trained"][0]["significance"] is None
    assert any("no paired test" in n and "b:p vs a:p" in n for n in payload["notes"])
