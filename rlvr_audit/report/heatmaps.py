"""Heatmaps for print: a baseline grid's accuracies (`plot_grid_heatmap`) and a comparison's
matched gains per cell (`plot_gain_heatmap`), both drawn by `heatmap_figure`.

Choices a reader can rely on:
- the colour scale is fixed, never fitted to the data: accuracy always spans 0..100 %, so
  1.7 % is dark and an all-zero grid is uniformly dark; gains span a symmetric range of at
  least +-10 points, so noise around 0 stays pale;
- colour maps readable with colour-vision deficiencies and in greyscale: cividis for
  accuracy, RdBu (ColorBrewer's colour-blind-safe diverging map) for gains;
- every cell carries its number and its CI; the text is black or white, whichever
  contrasts more with the cell's colour;
- the as-claimed cell is outlined (and the best cell dashed), with a legend entry.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from rlvr_audit.analysis.grid import Grid
from rlvr_audit.core.errors import AuditError
from rlvr_audit.report.figure_files import pyplot, save, text_colour
from rlvr_audit.report.grid_tables import grid_title

ACCURACY_CMAP = "cividis"
GAIN_CMAP = "RdBu"
MIN_GAIN_SPAN = 10.0  # points: the smallest half-range of a gain heatmap's colour scale
CLAIMED_GID = "as-claimed"
BEST_GID = "best-cell"
DASH = "\u2013"


def gain_span(values: np.ndarray) -> float:
    """The half-range of a gain colour scale: max |gain| rounded up to 5 points, at least 10."""
    finite = np.abs(values[np.isfinite(values)])
    top = float(finite.max()) if finite.size else 0.0
    return max(MIN_GAIN_SPAN, 5.0 * math.ceil(top / 5.0))


def heatmap_figure(
    values: Any,
    row_labels: Sequence[str],
    col_labels: Sequence[str],
    *,
    title: str,
    lows: Any = None,
    highs: Any = None,
    fmt: str = "{:.1f}",
    center: float | None = None,
    marked: tuple[str, str] | None = None,
    marked_label: str = "as claimed",
    best: tuple[str, str] | None = None,
    note: str | None = None,
    colorbar_label: str | None = None,
) -> Any:
    """A labelled heatmap of `values` [rows x cols] as a matplotlib Figure. NaN cells are
    grey with a dash (`note` should say why). `lows`/`highs` (same shape) add the CI under
    each value. Without `center` the scale is accuracy, 0..100; with it, a symmetric
    diverging scale around `center` (see `gain_span`). `marked` and `best` are
    (row label, column label) cells to outline."""
    values = np.asarray(values, dtype=float)
    if values.shape != (len(row_labels), len(col_labels)):
        raise AuditError(f"heatmap values have shape {values.shape}, labels {len(row_labels)} x {len(col_labels)}")
    with_ci = lows is not None and highs is not None
    lows = np.asarray(lows, dtype=float) if with_ci else None
    highs = np.asarray(highs, dtype=float) if with_ci else None
    plt = pyplot()
    import matplotlib as mpl
    from matplotlib.colors import Normalize
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch, Rectangle

    if center is None:
        cmap, norm = mpl.colormaps[ACCURACY_CMAP], Normalize(vmin=0.0, vmax=100.0)
    else:
        span = gain_span(values - center)
        cmap, norm = mpl.colormaps[GAIN_CMAP], Normalize(vmin=center - span, vmax=center + span)
    cmap = cmap.with_extremes(bad="#e0e0e0")
    n_rows, n_cols = values.shape
    cell_w, cell_h = (1.05, 0.62) if with_ci else (0.75, 0.42)
    fig, ax = plt.subplots(
        figsize=(max(4.5, cell_w * n_cols + 3.2), max(2.8, cell_h * n_rows + 2.2)), layout="constrained"
    )
    image = ax.imshow(np.ma.masked_invalid(values), aspect="auto", cmap=cmap, norm=norm, interpolation="nearest")
    bar = fig.colorbar(image, ax=ax, fraction=0.04, pad=0.02)
    if colorbar_label:
        bar.set_label(colorbar_label, fontsize=8)
    bar.ax.tick_params(labelsize=7)
    ax.set_xticks(range(n_cols))
    ax.set_xticklabels(col_labels, rotation=35, ha="right", fontsize=8)
    ax.set_yticks(range(n_rows))
    ax.set_yticklabels(row_labels, fontsize=8)
    ax.set_xticks(np.arange(n_cols + 1) - 0.5, minor=True)
    ax.set_yticks(np.arange(n_rows + 1) - 0.5, minor=True)
    ax.grid(which="minor", color="white", linewidth=1.0)
    ax.tick_params(which="minor", length=0)
    size = 7.5 if n_cols <= 8 else 7
    for i in range(n_rows):
        for j in range(n_cols):
            v = values[i, j]
            if not np.isfinite(v):
                ax.text(j, i, DASH, ha="center", va="center", fontsize=size, color="black")
                continue
            text = fmt.format(v)
            if with_ci and np.isfinite(lows[i, j]) and np.isfinite(highs[i, j]):
                text += "\n" + f"[{fmt.format(lows[i, j])}, {fmt.format(highs[i, j])}]"
            colour = text_colour(cmap(norm(v)))
            ax.text(j, i, text, ha="center", va="center", fontsize=size, color=colour, linespacing=1.15)
    handles = []
    if best is not None and best != marked and best[0] in row_labels and best[1] in col_labels:
        r, c = list(row_labels).index(best[0]), list(col_labels).index(best[1])
        box = Rectangle((c - 0.5, r - 0.5), 1, 1, fill=False, edgecolor="#000000", lw=1.6, ls=(0, (3, 2)))
        box.set_gid(BEST_GID)
        ax.add_patch(box)
        handles.append(
            Line2D([], [], color="#000000", lw=1.6, ls=(0, (3, 2)), label=f"best cell ({best[0]} x {best[1]})")
        )
    if marked is not None and marked[0] in row_labels and marked[1] in col_labels:
        r, c = list(row_labels).index(marked[0]), list(col_labels).index(marked[1])
        # white under magenta: visible on the darkest and the brightest cells alike
        ax.add_patch(Rectangle((c - 0.5, r - 0.5), 1, 1, fill=False, edgecolor="white", lw=4.2))
        box = Rectangle((c - 0.5, r - 0.5), 1, 1, fill=False, edgecolor="#e7298a", lw=2.4)
        box.set_gid(CLAIMED_GID)
        ax.add_patch(box)
        handles.append(
            Patch(fill=False, edgecolor="#e7298a", lw=2.4, label=f"{marked_label} ({marked[0]} x {marked[1]})")
        )
    ax.set_title(title, fontsize=10)
    _legend_below(fig, handles, note)
    return fig


def _legend_below(fig: Any, handles: list[Any], note: str | None) -> None:
    """One block under the axes: the markers' legend, titled by the wrapped `note`."""
    import textwrap

    if not handles and not note:
        return
    width_chars = int(fig.get_figwidth() * 72 / (7 * 0.52))
    title = "\n".join(textwrap.wrap(note, width_chars)) if note else None
    legend = fig.legend(
        handles=handles,
        loc="outside lower left",
        title=title,
        title_fontsize=7,
        fontsize=7.5,
        frameon=False,
        ncol=max(1, len(handles)),
        alignment="left",
    )
    legend.set_gid("legend")


def plot_heatmap(
    values: Any, row_labels: Sequence[str], col_labels: Sequence[str], path: str | Path, **kw: Any
) -> Path:
    """`heatmap_figure` written to `path` (.png, .pdf or .svg)."""
    from rlvr_audit.report.figure_files import check_path

    path = check_path(path)
    return save(heatmap_figure(values, row_labels, col_labels, **kw), path)


def grid_heatmap_figure(grid: Grid) -> Any:
    """The accuracy heatmap (templates x profiles) of a baseline grid, CIs in the cells."""
    nan = float("nan")

    def matrix(attr: str) -> list[list[float]]:
        return [
            [getattr(grid.cells[(t, p)], attr) if (t, p) in grid.cells else nan for p in grid.profiles]
            for t in grid.templates
        ]

    best = grid.best
    level = int(round(grid.level * 100))
    parts = [f"Cells: accuracy % and {level}% bootstrap CI over problems; colour scale fixed at 0-100 %."]
    if any(not math.isfinite(v) for row in matrix("accuracy") for v in row):
        parts.append(f"{DASH} = cell not graded.")
    if grid.as_claimed is None:
        parts.append("No as-claimed cell recorded (pass --as-claimed to mark it).")
    return heatmap_figure(
        matrix("accuracy"),
        grid.templates,
        grid.profiles,
        title=grid_title(grid),
        lows=matrix("low"),
        highs=matrix("high"),
        marked=grid.as_claimed,
        best=(best.template, best.profile) if best else None,
        note=" ".join(parts),
        colorbar_label="accuracy %",
    )


def plot_grid_heatmap(grid: Grid, path: str | Path) -> Path:
    """`grid_heatmap_figure` written to `path`."""
    from rlvr_audit.report.figure_files import check_path

    path = check_path(path)
    return save(grid_heatmap_figure(grid), path)


def gain_heatmap_figure(comparison: Any, index: int = 0) -> Any | None:
    """Matched gains per cell (trained run `index` minus the base), paired-bootstrap CIs in
    the cells, the as-claimed cell outlined; None when the runs share no cell."""
    result = comparison.trained[index]
    cells = result.matched["cells"]
    rows = [t for t in comparison.templates if any(c["template"] == t for c in cells)]
    cols = [p for p in comparison.profiles if any(c["profile"] == p for c in cells)]
    if not rows or not cols:
        return None
    shape = (len(rows), len(cols))
    values, lows, highs = np.full(shape, np.nan), np.full(shape, np.nan), np.full(shape, np.nan)
    for c in cells:
        at = rows.index(c["template"]), cols.index(c["profile"])
        values[at], lows[at], highs[at] = c["gain"], c["low"], c["high"]
    claimed = result.claimed
    marked = (claimed["template"], claimed["profile"]) if claimed else None
    level = int(round(comparison.level * 100))
    parts = [
        f"Cells: {result.run} minus {comparison.base} in the same cell, points, with the {level}% paired-bootstrap CI; "
        f"colour scale symmetric around 0, at least +-{MIN_GAIN_SPAN:g} points."
    ]
    if not np.isfinite(values).all():
        parts.append(f"{DASH} = cell not graded in both runs, or neither run yields an answer there.")
    if marked is None:
        parts.append("No as-claimed cell recorded (pass --as-claimed to mark it).")
    return heatmap_figure(
        values,
        rows,
        cols,
        title=f"matched gain per cell: {result.run} - {comparison.base} (points)",
        lows=lows,
        highs=highs,
        fmt="{:+.1f}",
        center=0.0,
        marked=marked,
        note=" ".join(parts),
        colorbar_label="gain (points)",
    )


def plot_gain_heatmap(comparison: Any, index: int, path: str | Path) -> Path | None:
    """`gain_heatmap_figure` written to `path`; None (nothing written) without shared cells."""
    from rlvr_audit.report.figure_files import check_path

    path = check_path(path)
    fig = gain_heatmap_figure(comparison, index)
    return None if fig is None else save(fig, path)
