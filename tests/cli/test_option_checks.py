"""Numeric options are checked while the command line is parsed: before a model loads, a
benchmark is read, or a directory is created. Each case exits 2 with one line naming the fix."""

from __future__ import annotations

import pytest

from rlvr_audit.cli.app import main


def _baseline(tmp_path, *extra):
    # A model that does not exist: any check that came after model resolution would say so.
    return ["baseline", "--model", str(tmp_path / "no-model"), "--out", str(tmp_path / "out"), *extra]


def _compare(tmp_path, *extra):
    return ["compare", str(tmp_path / "no-run-a"), str(tmp_path / "no-run-b"), *extra]


@pytest.mark.parametrize(
    "build, first_line",
    [
        (lambda t: _baseline(t, "--max-model-len", "0"), "--max-model-len must be at least 1, got 0"),
        (lambda t: _baseline(t, "--workers", "-1"), "--workers must be at least 0, got -1"),
        (lambda t: _baseline(t, "--reported", "150"), "--reported must be between 0 and 100, got 150.0"),
        (lambda t: _baseline(t, "--reported", "nan"), "--reported must be between 0 and 100, got nan"),
        (lambda t: _baseline(t, "--max-tokens", "0"), "max_tokens must be at least 1, got 0"),
        (lambda t: _baseline(t, "--temperature", "-1"), "temperature must be 0 (greedy) or more, got -1.0"),
        (lambda t: _baseline(t, "--top-p", "2"), "top_p must be in (0, 1], got 2.0"),
        (lambda t: _baseline(t, "--samples", "0"), "samples per problem must be at least 1, got 0"),
        (lambda t: _baseline(t, "--samples", "-1"), "samples per problem must be at least 1, got -1"),
        (
            lambda t: _compare(t, "--fail-if-adjusted-below", "nan"),
            "--fail-if-adjusted-below must be between -100 and 100, got nan",
        ),
        (
            lambda t: _compare(t, "--reported-baseline", "150"),
            "--reported-baseline must be between 0 and 100, got 150.0",
        ),
        (lambda t: ["grade", str(t / "no-file.jsonl"), "--workers", "-2"], "--workers must be at least 0, got -2"),
    ],
)
def test_bad_numbers_are_refused_before_any_work(build, first_line, tmp_path, capsys):
    rc = main(build(tmp_path))
    err = capsys.readouterr().err.strip()
    assert rc == 2
    assert len(err.splitlines()) == 1 and first_line in err and "pass e.g." in err
    assert sorted(p.name for p in tmp_path.iterdir()) == []  # nothing created
