"""Tables as printed and exported: the width they are printed at (terminal, COLUMNS, --wide),
a footnote for every dash, and LaTeX that is plain ASCII and compiles with booktabs."""

from __future__ import annotations

import math
import shutil
import subprocess

import pytest

from rlvr_audit.analysis.grid import Cell, Grid
from rlvr_audit.cli.app import main
from rlvr_audit.report.grid_tables import grid_table
from rlvr_audit.report.tables import LATEX_REQUIRES, Missing, TableData, print_table, set_full_width

LONG = "a rather long description that a narrow terminal has to wrap over several lines"


@pytest.fixture(autouse=True)
def _narrow_by_default():
    set_full_width(False)
    yield
    set_full_width(False)


def _wide_table() -> TableData:
    return TableData(columns=["name", "description", "value"], rows=[["x", LONG, 1.5], ["y", LONG + " again", 2.0]])


def _widths(text: str) -> list[int]:
    return [len(line) for line in text.splitlines() if line.strip()]


def test_piped_table_fits_columns(monkeypatch, capsys):
    monkeypatch.setenv("COLUMNS", "60")
    print_table(_wide_table())
    out = capsys.readouterr().out
    assert max(_widths(out)) <= 60
    assert "several" in out  # wrapped, not cut


def test_wide_prints_the_full_width(monkeypatch, capsys):
    monkeypatch.setenv("COLUMNS", "60")
    set_full_width(True)
    print_table(_wide_table())
    assert max(_widths(capsys.readouterr().out)) > len(LONG)


def test_piped_without_columns_is_not_wrapped(monkeypatch, capsys):
    monkeypatch.delenv("COLUMNS", raising=False)
    print_table(_wide_table())
    assert any(LONG in line for line in capsys.readouterr().out.splitlines())


def test_list_templates_respects_columns_and_wide(monkeypatch, capsys):
    monkeypatch.setenv("COLUMNS", "100")
    assert main(["list", "templates"]) == 0
    assert max(_widths(capsys.readouterr().out)) <= 100
    assert main(["list", "templates", "--wide"]) == 0
    assert max(_widths(capsys.readouterr().out)) > 100
    assert main(["list", "templates"]) == 0  # --wide holds for its own call only
    assert max(_widths(capsys.readouterr().out)) <= 100


def _dashed() -> TableData:
    return TableData(
        columns=["run", "p", "gain"],
        rows=[["a", Missing("the best cells differ"), 1.0], ["b", None, Missing("the best cells differ")]],
        none_reason="not graded",
    )


def test_every_dash_has_a_footnote_in_every_format(monkeypatch, capsys):
    table = _dashed()
    assert table.footnotes() == [("a", "the best cells differ"), ("b", "not graded")]
    monkeypatch.setenv("COLUMNS", "120")
    print_table(table)
    out = capsys.readouterr().out
    assert "–[a]" in out and "–[b]" in out
    assert "[a] the best cells differ" in out and "[b] not graded" in out
    md = table.to_markdown()
    assert "| a | –[a] | 1.0 |" in md and "[b] not graded" in md
    tex = table.to_latex()
    assert "--\\textsuperscript{a}" in tex and "\\textsuperscript{b}not graded" in tex
    assert table.to_csv().splitlines()[1:] == ["a,,1.0", "b,,"]


def test_no_footnotes_without_dashes():
    table = TableData(columns=["a"], rows=[["x"]])
    assert table.footnotes() == []
    assert "[a]" not in table.to_markdown()


def _grid() -> Grid:
    cells = {
        ("a", "loose"): Cell("a", "loose", 75.0, 25.0, 100.0, 4, {"correct": 3}, 50.0),
        ("a", "strict"): Cell("a", "strict", 25.0, 0.0, 75.0, 4, {"correct": 1}, 50.0),
        ("b", "loose"): Cell("b", "loose", 25.0, 0.0, 75.0, 4, {"correct": 1}, 50.0),
    }
    stats = {"a": {"parsable": 50.0, "truncated": 0.0, "tokens": 4.0, "python": 0.0}, "b": {}}
    return Grid(
        run_name="run_1",
        run_path="/runs/run_1",
        model="Qwen/Qwen2.5-Math-7B",
        benchmark={"name": "math500", "size": 4},
        templates=["a", "b"],
        profiles=["loose", "strict"],
        cells=cells,
        template_stats=stats,
        samples=1,
        level=0.95,
        reported=20.0,
        as_claimed=("a", "strict"),
    )


def _special() -> TableData:
    return TableData(
        columns=["code use", "format (no answer → correct)", "x"],
        rows=[["12% → 40%", "±1.5 – 2 × 3 … ≥ é", "50%_&#"]],
        caption="spread – 3 points",
    )


def test_latex_is_plain_ascii_and_says_what_it_needs():
    for table in (_special(), grid_table(_grid()), grid_table(_grid(), compact=True)):
        tex = table.to_latex()
        assert tex.isascii(), [ch for ch in tex if not ch.isascii()]
        assert tex.splitlines()[0] == LATEX_REQUIRES
        assert "booktabs" in LATEX_REQUIRES
        assert "yellow" not in tex and "green" not in tex
    tex = _special().to_latex()
    assert "12\\% $\\rightarrow$ 40\\%" in tex
    assert "$\\pm$1.5 -- 2 $\\times$ 3 \\ldots{} $\\geq$ e" in tex


def test_latex_and_markdown_mark_cells_in_print_terms():
    tex = grid_table(_grid()).to_latex()
    assert "\\textbf{75.0 [25.0, 100.0]}" in tex  # the best cell
    assert "\\underline{25.0 [0.0, 75.0]}" in tex  # its CI contains the reported 20%
    assert "bold: best cell; underlined: CI contains the reported 20\\%" in tex
    md = grid_table(_grid()).to_markdown()
    assert "**75.0 [25.0, 100.0]**" in md and "_italic_: CI contains the reported 20%" in md


def test_latex_compiles_with_pdflatex(tmp_path):
    if shutil.which("pdflatex") is None:
        pytest.skip("pdflatex not installed (Debian: apt-get install texlive-latex-base texlive-latex-recommended)")
    found = subprocess.run(["kpsewhich", "booktabs.sty"], capture_output=True, text=True)
    if not found.stdout.strip():
        pytest.skip("booktabs.sty not installed (Debian: apt-get install texlive-latex-recommended)")
    body = "\n".join(t.to_latex() for t in (_special(), _dashed(), grid_table(_grid())))
    doc = "\\documentclass{article}\n\\usepackage{booktabs}\n\\begin{document}\n" + body + "\\end{document}\n"
    (tmp_path / "t.tex").write_text(doc, encoding="ascii")
    proc = subprocess.run(
        ["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "t.tex"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stdout[-3000:]
    assert (tmp_path / "t.pdf").stat().st_size > 1000
    assert "Missing character" not in (tmp_path / "t.log").read_text(errors="replace")


def test_missing_cells_of_a_grid_say_why():
    table = grid_table(_grid())
    reasons = dict(table.footnotes()).values()
    assert any("not graded" in r for r in reasons)  # b x strict has no cell
    assert not math.isnan(table.rows[0][3])  # a's parsable % is a number, no footnote
