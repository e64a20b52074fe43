"""Tables for a baseline grid: a `Grid` as a `TableData` (rich, Markdown, LaTeX, CSV all
come from it). The numbers come from `rlvr_audit.analysis.grid`."""

from __future__ import annotations

import math
from typing import Any

from rlvr_audit.analysis.grid import Cell, Grid, json_number
from rlvr_audit.report.tables import Missing, TableData

_LONG_COLUMNS = [
    "template",
    "profile",
    "accuracy",
    "ci_low",
    "ci_high",
    "n",
    "parsable",
    "no_answer",
    "timeout",
    "error",
    "as_claimed",
]


def grid_title(grid: Grid) -> str:
    """ "MODEL on BENCHMARK (N problems): accuracy % [95% CI]"."""
    b = grid.benchmark
    return f"{grid.model} on {b.get('name')} ({b.get('size')} problems): accuracy % [{int(grid.level * 100)}% CI]"


def grid_caption(grid: Grid) -> str:
    """Best cell, spread, the as-claimed cell and where a reported number falls."""
    best = grid.best
    if best is None:
        return "no graded cells"
    parts = [f"best {best.template} x {best.profile} = {best.accuracy:.1f}%", f"spread {grid.spread:.1f} points"]
    if grid.as_claimed:
        parts.append(f"* = as claimed ({grid.as_claimed[0]} x {grid.as_claimed[1]})")
    if grid.reported is not None:
        within = sum(c.contains(grid.reported) for c in grid.valid_cells())
        gap = best.accuracy - grid.reported
        where = f"{gap:.1f} points below" if gap >= 0 else f"{-gap:.1f} points above"
        parts.append(f"reported {grid.reported:g}% is {where} the best cell; {within} cell CI(s) contain it")
    return "; ".join(parts)


def grid_table(grid: Grid, *, compact: bool = False) -> TableData:
    """Rows = templates; one accuracy column per profile, then per-template facts.
    Cells read "49.4 [45.0, 53.8]", or "49.4 ±4.4" (half the CI's width) when
    `compact`, for terminals."""
    columns = ["template", *grid.profiles, "parsable %", "truncated %", "tokens", "python %"]
    rows, styles = [], {}
    best = grid.best
    for r, t in enumerate(grid.templates):
        row: list[Any] = [t]
        for c, p in enumerate(grid.profiles, start=1):
            cell = grid.cells.get((t, p))
            row.append(_cell_text(cell, grid.as_claimed == (t, p), compact))
            if cell is None or math.isnan(cell.accuracy):
                continue
            if best is not None and cell is best:
                styles[(r, c)] = "bold green"
            elif grid.reported is not None and cell.contains(grid.reported):
                styles[(r, c)] = "yellow"
        s = grid.template_stats.get(t, {})
        row += [s.get("parsable"), s.get("truncated"), s.get("tokens"), s.get("python")]
        rows.append(row)
    caption = grid_caption(grid)
    if compact:
        caption += f"; ± = half-width of the {int(grid.level * 100)}% bootstrap CI (bounds in --json/--csv)"
    legend = {"bold green": "best cell"}
    if grid.reported is not None:
        legend["yellow"] = f"CI contains the reported {grid.reported:g}%"
    return TableData(
        columns,
        rows,
        title=grid_title(grid),
        caption=caption,
        styles=styles,
        legend=legend,
        none_reason="not measured for this template (no generations or no grades)",
    )


def grid_long_table(grid: Grid) -> TableData:
    """One row per cell with plain numbers (for CSV and spreadsheets)."""
    columns = list(_LONG_COLUMNS)
    if grid.reported is not None:
        columns.append("contains_reported")
    rows = []
    for c in grid.cells_in_order():
        row = [
            c.template,
            c.profile,
            json_number(c.accuracy),
            json_number(c.low),
            json_number(c.high),
            c.n,
            json_number(c.parsable),
            c.counts.get("no_answer", 0),
            c.counts.get("timeout", 0),
            c.counts.get("error", 0),
            grid.is_claimed(c),
        ]
        if grid.reported is not None:
            row.append(c.contains(grid.reported))
        rows.append(row)
    return TableData(columns, rows, title=grid_title(grid))


def grid_sampling_table(grid: Grid) -> TableData:
    """avg@n, pass@k and maj@k per cell (only meaningful with n > 1)."""
    ks = grid.ks()
    columns = ["template", "profile", f"avg@{grid.samples}", *[f"pass@{k}" for k in ks], *[f"maj@{k}" for k in ks]]
    rows = [
        [
            c.template,
            c.profile,
            json_number(c.accuracy),
            *[json_number(c.pass_at.get(k)) for k in ks],
            *[json_number(c.maj_at.get(k)) for k in ks],
        ]
        for c in grid.cells_in_order()
    ]
    return TableData(columns, rows, title=f"{grid.run_name}: {grid.samples} samples per problem (%)")


def _cell_text(cell: Cell | None, claimed: bool, compact: bool = False) -> str | Missing:
    if cell is None:
        return Missing("cell not graded: this profile has no grades for this template")
    if math.isnan(cell.accuracy):
        return Missing("no graded problems in this cell")
    mark = "*" if claimed else ""
    if compact:
        return f"{cell.accuracy:.1f}{mark} ±{(cell.high - cell.low) / 2:.1f}"
    return f"{cell.accuracy:.1f}{mark} [{cell.low:.1f}, {cell.high:.1f}]"
