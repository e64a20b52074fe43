"""Grid tables and the grid heatmap, from a hand-built `Grid` (no run needed)."""

from __future__ import annotations

import math

import pytest

from rlvr_audit.analysis.grid import Cell, Grid
from rlvr_audit.report.grid_tables import grid_caption, grid_long_table, grid_sampling_table, grid_table, grid_title

NAN = math.nan


def _cell(t, p, acc, low, high, **extra):
    return Cell(t, p, acc, low, high, 4, {"correct": 1, "no_answer": 2}, 50.0, **extra)


@pytest.fixture
def grid():
    cells = {
        ("a", "loose"): _cell("a", "loose", 75.0, 25.0, 100.0),
        ("a", "strict"): _cell("a", "strict", 25.0, 0.0, 75.0),
        ("b", "loose"): _cell("b", "loose", 25.0, 0.0, 75.0),
        ("b", "strict"): _cell("b", "strict", 0.0, 0.0, 0.0),
    }
    stats = {t: {"parsable": 50.0, "truncated": 0.0, "tokens": 4.0, "python": 0.0} for t in "ab"}
    return Grid(
        run_name="run",
        run_path="/runs/run",
        model="toy",
        benchmark={"name": "toy", "size": 4},
        templates=["a", "b"],
        profiles=["loose", "strict"],
        cells=cells,
        template_stats=stats,
        samples=1,
        level=0.95,
        reported=20.0,
        as_claimed=("a", "strict"),
    )


def test_table_layout(grid):
    table = grid_table(grid)
    assert table.columns == ["template", "loose", "strict", "parsable %", "truncated %", "tokens", "python %"]
    assert [r[0] for r in table.rows] == ["a", "b"]
    assert table.rows[0][1] == "75.0 [25.0, 100.0]"
    assert table.rows[0][2] == "25.0* [0.0, 75.0]"  # as-claimed mark
    assert table.styles[(0, 1)] == "bold green"  # best cell
    assert table.styles[(0, 2)] == "yellow"  # its CI contains the reported 20
    assert (1, 2) not in table.styles  # CI [0, 0] does not
    assert "spread 75.0" in table.caption
    assert table.to_markdown().count("\n|") >= 3


def test_compact_table_shows_half_widths(grid):
    table = grid_table(grid, compact=True)
    assert table.rows[0][1] == "75.0 ±37.5"
    assert "half-width of the 95% bootstrap CI" in table.caption


def test_title_and_caption(grid):
    assert grid_title(grid) == "toy on toy (4 problems): accuracy % [95% CI]"
    assert grid_caption(grid) == (
        "best a x loose = 75.0%; spread 75.0 points; * = as claimed (a x strict); "
        "reported 20% is 55.0 points below the best cell; 2 cell CI(s) contain it"
    )


def test_long_table(grid):
    table = grid_long_table(grid)
    assert table.columns[-2:] == ["as_claimed", "contains_reported"]
    assert [r[:2] for r in table.rows] == [["a", "loose"], ["a", "strict"], ["b", "loose"], ["b", "strict"]]
    assert table.rows[1] == ["a", "strict", 25.0, 0.0, 75.0, 4, 50.0, 2, 0, 0, True, True]


def test_sampling_table(grid):
    grid.samples = 4
    grid.cells[("a", "loose")].pass_at.update({1: 75.0, 2: 80.0, 4: NAN})
    grid.cells[("a", "loose")].maj_at.update({1: 75.0, 2: 70.0, 4: 100.0})
    table = grid_sampling_table(grid)
    assert table.columns == ["template", "profile", "avg@4", "pass@1", "pass@2", "pass@4", "maj@1", "maj@2", "maj@4"]
    assert table.rows[0] == ["a", "loose", 75.0, 75.0, 80.0, None, 75.0, 70.0, 100.0]
    assert table.title == "run: 4 samples per problem (%)"


def test_grid_heatmap(grid, tmp_path):
    pytest.importorskip("matplotlib")
    from rlvr_audit.report.plots import plot_grid_heatmap

    grid.cells.pop(("b", "strict"))  # a missing cell is left blank
    out = plot_grid_heatmap(grid, tmp_path / "grid.png")
    assert out.is_file() and out.stat().st_size > 0
