"""The same --json/--csv/--markdown/--latex PATH options on every command that prints a table:
a path or '-' for stdout, a bare option meaning stdout, wrong names refused in one line."""

from __future__ import annotations

import json

import pytest
import typer

from rlvr_audit.cli.app import app, main
from rlvr_audit.cli.exports import Exports, fill_bare_exports
from rlvr_audit.core.errors import AuditError

TABLE_COMMANDS = ["baseline", "grade", "compare", "contamination", "list", "verify", "audit", "cache info"]
FLAGS = ["--json", "--csv", "--markdown", "--latex"]


def _command(path: str):
    command = typer.main.get_command(app)
    for name in path.split():
        command = command.commands[name]
    return command


@pytest.mark.parametrize("name", TABLE_COMMANDS)
def test_every_table_command_has_the_four_exports_taking_a_path(name):
    options = {opt: p for p in _command(name).params for opt in getattr(p, "opts", [])}
    for flag in FLAGS:
        assert flag in options, f"{name} lacks {flag}"
        param = options[flag]
        assert not param.is_flag, f"{name} {flag} is a flag, not a PATH"
        assert param.metavar == "PATH"


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["list", "claims", "--json"], ["list", "claims", "--json", "-"]),
        (["compare", "a", "b", "--json", "--n-boot", "200"], ["compare", "a", "b", "--json", "-", "--n-boot", "200"]),
        (["grade", "f.jsonl", "--csv", "out.csv"], ["grade", "f.jsonl", "--csv", "out.csv"]),
        (["grade", "f.jsonl", "--csv", "-"], ["grade", "f.jsonl", "--csv", "-"]),
        (["x", "--markdown", "--latex"], ["x", "--markdown", "-", "--latex", "-"]),
        (["x", "--", "--json"], ["x", "--", "--json"]),
    ],
)
def test_a_bare_export_means_stdout(args, expected):
    assert fill_bare_exports(args) == expected


def test_file_names_must_match_the_format():
    with pytest.raises(AuditError, match=r"--json 'runs/base' is not a \.json file name"):
        Exports(json="runs/base")
    with pytest.raises(AuditError, match="--markdown 'x.txt'"):
        Exports(markdown="x.txt")
    assert Exports(markdown="t.markdown", latex="t.tex", csv="T.CSV", json="-").to_stdout


def test_only_one_export_may_go_to_stdout():
    with pytest.raises(AuditError, match="--json and --csv both print to stdout"):
        Exports(json="-", csv="-")


def test_list_writes_each_format(tmp_path, capsys):
    paths = {flag: tmp_path / name for flag, name in zip(FLAGS, ["r.json", "r.csv", "r.md", "r.tex"])}
    args = [part for flag, path in paths.items() for part in (flag, str(path))]
    assert main(["list", "rewards", *args]) == 0
    assert "truth" in capsys.readouterr().out  # the table still goes to the terminal
    rows = json.loads(paths["--json"].read_text())
    assert any(r["name"] == "truth" for r in rows)
    assert paths["--csv"].read_text().splitlines()[0] == "name,needs,description"
    assert "| name | needs | description |" in paths["--markdown"].read_text()
    assert paths["--latex"].read_text().startswith("% requires \\usepackage{booktabs}")


def test_bare_json_and_dash_print_the_same(capsys):
    assert main(["list", "rewards", "--json"]) == 0
    bare = capsys.readouterr().out
    assert main(["list", "rewards", "--json", "-"]) == 0
    assert capsys.readouterr().out == bare
    assert json.loads(bare)[0]["name"]


def test_csv_to_stdout_replaces_the_table(capsys):
    assert main(["list", "rewards", "--csv", "-"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0] == "name,needs,description"
    assert "┃" not in out


def test_a_wrong_name_is_one_line_exit_2(tmp_path, capsys):
    assert main(["list", "rewards", "--latex", str(tmp_path / "t.txt")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "--latex" in err[0] and ".tex" in err[0]
    assert not (tmp_path / "t.txt").exists()
