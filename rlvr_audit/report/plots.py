"""Figures (matplotlib, Agg backend, imported only when a plot is asked for).

- `plot_claimed_vs_adjusted`: per trained run (or per claimed reward), the claimed gain bar
  with the adjusted gain bar beside it, CI whiskers where known (the Spurious Rewards
  Figure 1 layout, with the correction next to each bar).
- `plot_heatmap`: a labelled matrix (per-cell gains, or a baseline grid: `plot_grid_heatmap`).
- `plot_probe`: a contamination probe's exact match and ROUGE-L against the split ratio,
  target and control, with CI bands.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from rlvr_audit.analysis.grid import Grid
from rlvr_audit.core.errors import AuditError
from rlvr_audit.report.grid_tables import grid_title


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")  # files only; never needs a display
    import matplotlib.pyplot as plt

    return plt


def _check_path(path: str | Path) -> Path:
    path = Path(path)
    if path.suffix.lower() not in (".png", ".pdf", ".svg"):
        raise AuditError(f"cannot draw a plot as '{path.suffix}'", "use a .png, .pdf or .svg file name")
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


def bars_of(comparison: Any) -> tuple[list[dict[str, Any]], str]:
    """(bars, title) from a Comparison or a ClaimComparison: each bar record has label,
    claimed, adjusted, low, high (points; None where unknown)."""
    if hasattr(comparison, "trained"):
        bars = [
            {
                "label": r.run,
                "claimed": r.claimed["gain"] if r.claimed else None,
                "adjusted": r.adjusted["gain"],
                "low": r.adjusted["low"],
                "high": r.adjusted["high"],
            }
            for r in comparison.trained
        ]
        return bars, f"claimed vs adjusted gain over {comparison.base}"
    bars = [
        {
            "label": f"{r['reward']}\n[{r['version']}]",
            "claimed": r["claimed_gain"],
            "adjusted": r["gain_vs_baseline"],
            "low": r["gain_vs_baseline_low"],
            "high": r["gain_vs_baseline_high"],
        }
        for r in comparison.rows
    ]
    return bars, f"{comparison.claim['name']}: claimed gain vs claimed trained - baseline (a lower bound)"


def plot_claimed_vs_adjusted(comparison: Any, path: str | Path) -> Path:
    """Grouped bars: claimed (grey) and adjusted (blue, CI whiskers) gain per trained run."""
    path = _check_path(path)
    bars, title = bars_of(comparison)
    plt = _pyplot()
    x = np.arange(len(bars))
    width = 0.38
    fig, ax = plt.subplots(figsize=(max(5.0, 1.1 * len(bars) + 2), 4.2))
    claimed = [b["claimed"] if b["claimed"] is not None else np.nan for b in bars]
    adjusted = [b["adjusted"] for b in bars]
    ax.bar(x - width / 2, claimed, width, label="claimed", color="#9e9e9e")
    ax.bar(x + width / 2, adjusted, width, label="adjusted", color="#1f77b4")
    lows = [b["low"] for b in bars]
    if all(v is not None for v in lows):
        err = np.array(
            [[a - b["low"] for a, b in zip(adjusted, bars)], [b["high"] - a for a, b in zip(adjusted, bars)]]
        )
        ax.errorbar(x + width / 2, adjusted, yerr=np.maximum(err, 0), fmt="none", ecolor="black", capsize=3, lw=1)
    for xi, value in zip(x, claimed):
        if not np.isnan(value):
            ax.annotate(f"{value:+.1f}", (xi - width / 2, value), ha="center", va="bottom", fontsize=8)
    for xi, value in zip(x, adjusted):
        ax.annotate(
            f"{value:+.1f}", (xi + width / 2, value), ha="center", va="bottom" if value >= 0 else "top", fontsize=8
        )
    ax.axhline(0, color="black", lw=0.8)
    ax.set_xticks(x)
    ax.set_xticklabels([b["label"] for b in bars], fontsize=8)
    ax.set_ylabel("gain (points)")
    ax.set_title(title, fontsize=10)
    ax.legend(frameon=False)
    fig.tight_layout()
    fig.savefig(path, dpi=150)
    plt.close(fig)
    return path


def plot_heatmap(
    values: np.ndarray,
    row_labels: Sequence[str],
    col_labels: Sequence[str],
    path: str | Path,
    *,
    title: str,
    fmt: str = "{:.1f}",
    center: float | None = None,
) -> Path:
    """A labelled heatmap of `values` [rows x cols]; NaN cells are left blank. With `center`
    the colour scale is diverging and symmetric around it (e.g. 0 for gains)."""
    values = np.asarray(values, dtype=float)
    if values.shape != (len(row_labels), len(col_labels)):
        raise AuditError(f"heatmap values have shape {values.shape}, labels {len(row_labels)} x {len(col_labels)}")
    path = _check_path(path)
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(max(4.0, 0.9 * len(col_labels) + 2.5), max(2.5, 0.45 * len(row_labels) + 1.5)))
    finite = values[np.isfinite(values)]
    kwargs: dict[str, Any] = {"cmap": "viridis"}
    if center is not None:
        span = float(np.max(np.abs(finite - center))) if finite.size else 1.0
        span = span or 1.0
        kwargs = {"cmap": "RdBu", "vmin": center - span, "vmax": center + span}
    image = ax.imshow(np.ma.masked_invalid(values), aspect="auto", **kwargs)
    fig.colorbar(image, ax=ax, fraction=0.046, pad=0.04)
    ax.set_xticks(range(len(col_labels)))
    ax.set_xticklabels(col_labels, rotation=45, ha="right", fontsize=8)
    ax.set_yticks(range(len(row_labels)))
    ax.set_yticklabels(row_labels, fontsize=8)
    for i in range(values.shape[0]):
        for j in range(values.shape[1]):
            if np.isfinite(values[i, j]):
                ax.text(j, i, fmt.format(values[i, j]), ha="center", va="center", fontsize=7, color="black")
    ax.set_title(title, fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=150)
    plt.close(fig)
    return path


def plot_grid_heatmap(grid: Grid, path: str | Path) -> Path:
    """The accuracy heatmap (templates x profiles) of a baseline grid."""
    values = grid.accuracy_matrix()
    return plot_heatmap(values, grid.templates, grid.profiles, path, title=grid_title(grid), fmt="{:.1f}", center=None)


def heatmap_path(path: str | Path, suffix: str) -> Path:
    """FILE.png -> FILE-<suffix>.png (the companion figure's name)."""
    path = Path(path)
    return path.with_name(f"{path.stem}-{suffix}{path.suffix}")


def plot_probe(data: dict[str, Any], path: str | Path) -> Path:
    """Exact match and ROUGE-L against the ratio, target and control, with CI bands."""
    from rlvr_audit.report.contamination_tables import MEASURES, sections

    path = _check_path(path)
    plt = _pyplot()
    fig, axes = plt.subplots(1, 2, figsize=(9, 3.8), sharex=True)
    colours = {"target": "#d62728", "control": "#1f77b4"}
    ratios = data["ratios"]
    for ax, (key, title) in zip(axes, MEASURES[:2]):
        for name, role, per_ratio in sections(data):
            ests = [per_ratio[str(r)][key] for r in ratios]
            means = [e["mean"] for e in ests]
            ax.plot(ratios, means, marker="o", color=colours[role], label=f"{name} ({role})")
            ax.fill_between(
                ratios, [e["low"] for e in ests], [e["high"] for e in ests], color=colours[role], alpha=0.15
            )
        ax.set_title(f"{title} of the remainder", fontsize=10)
        ax.set_xlabel("share of the problem given")
        ax.set_ylabel("%")
        ax.set_ylim(0, 100)
        ax.set_xticks(ratios)
    axes[0].legend(frameon=False, fontsize=8)
    model = data["model"].get("name") or data["model"].get("id")
    fig.suptitle(f"{model}: {data['verdict']['sentence']}", fontsize=9)
    fig.tight_layout()
    fig.savefig(path, dpi=150)
    plt.close(fig)
    return path
