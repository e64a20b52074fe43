"""Figures (matplotlib, Agg backend, imported only when a plot is asked for).

- `plot_claimed_vs_adjusted`: per trained run (or per claimed reward), the claimed gain bar
  with the adjusted gain bar beside it, CI whiskers on every bar that has a CI, value labels
  beyond the whiskers (the Spurious Rewards Figure 1 layout, with the correction next to
  each bar).
- heatmaps (a baseline grid, per-cell gains) live in `rlvr_audit.report.heatmaps`.
- `plot_probe`: a contamination probe's exact match and ROUGE-L against the split ratio,
  target and control, with CI bands.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from rlvr_audit.report.figure_files import check_path, pyplot, save
from rlvr_audit.report.heatmaps import plot_grid_heatmap, plot_heatmap  # noqa: F401  (their old home)


def bars_of(comparison: Any) -> tuple[list[dict[str, Any]], str]:
    """(bars, title) from a Comparison or a ClaimComparison: each bar record has label,
    claimed, claimed_low, claimed_high, adjusted, low, high (points; None where unknown) and
    claimed_ci_note (why the claimed bar has no CI, or None)."""
    if hasattr(comparison, "trained"):
        bars = []
        for r in comparison.trained:
            c = r.claimed or {}
            bars.append(
                {
                    "label": r.run,
                    "claimed": c.get("gain"),
                    "claimed_low": c.get("low"),
                    "claimed_high": c.get("high"),
                    "claimed_ci_note": None if c else "no as-claimed cell recorded",
                    "adjusted": r.adjusted["gain"],
                    "low": r.adjusted["low"],
                    "high": r.adjusted["high"],
                }
            )
        return bars, f"claimed vs adjusted gain over {comparison.base}"
    bars = [
        {
            "label": f"{r['reward']}\n[{r['version']}]",
            "claimed": r["claimed_gain"],
            "claimed_low": None,
            "claimed_high": None,
            "claimed_ci_note": "published number, no CI given",
            "adjusted": r["gain_vs_baseline"],
            "low": r["gain_vs_baseline_low"],
            "high": r["gain_vs_baseline_high"],
        }
        for r in comparison.rows
    ]
    return bars, f"{comparison.claim['name']}: claimed gain vs claimed trained - baseline (a lower bound)"


CLAIMED_COLOUR = "#9e9e9e"
ADJUSTED_COLOUR = "#1f77b4"


def _whisker(value: float | None, low: float | None, high: float | None) -> tuple[float, float] | None:
    if value is None or low is None or high is None:
        return None
    return max(value - low, 0.0), max(high - value, 0.0)


def label_position(value: float, low: float | None, high: float | None, pad: float) -> tuple[float, str]:
    """(y, vertical alignment) of a bar's value label: beyond the end of its CI whisker
    (or of the bar, without a CI), above for a gain >= 0 and below for a loss."""
    if value >= 0:
        top = max(value, high) if high is not None else value
        return top + pad, "bottom"
    bottom = min(value, low) if low is not None else value
    return bottom - pad, "top"


def bars_figure(comparison: Any) -> Any:
    """Grouped bars per trained run (or claimed reward): the claimed gain (grey) and the
    adjusted gain (blue), each with its CI whisker where known; value labels sit beyond the
    whiskers. The legend says which bars have no CI and why."""
    bars, title = bars_of(comparison)
    plt = pyplot()
    x = np.arange(len(bars))
    width = 0.38
    fig, ax = plt.subplots(figsize=(max(5.0, 1.3 * len(bars) + 2.5), 4.4), layout="constrained")
    ends = [0.0]
    for b in bars:
        ends += [v for k, v in b.items() if k not in ("label", "claimed_ci_note") and v is not None]
    span = max(ends) - min(ends) or 1.0
    pad = 0.02 * span
    series = (
        ("claimed", "claimed_low", "claimed_high", -width / 2, CLAIMED_COLOUR),
        ("adjusted", "low", "high", width / 2, ADJUSTED_COLOUR),
    )
    for key, low_key, high_key, offset, colour in series:
        for xi, b in zip(x, bars):
            value = b[key]
            if value is None:
                continue
            ax.bar(xi + offset, value, width, color=colour)
            whisker = _whisker(value, b[low_key], b[high_key])
            if whisker is not None:
                yerr = [[whisker[0]], [whisker[1]]]
                ax.errorbar(
                    xi + offset, value, yerr=yerr, fmt="none", ecolor="black", capsize=3, lw=1, label=f"_ci-{key}"
                )
            y, va = label_position(value, b[low_key], b[high_key], pad)
            ax.annotate(f"{value:+.1f}", (xi + offset, y), ha="center", va=va, fontsize=8, gid=f"label-{key}")
    ax.set_ylim(min(ends) - 0.12 * span, max(ends) + 0.12 * span)
    ax.axhline(0, color="black", lw=0.8)
    ax.set_xticks(x)
    ax.set_xticklabels([b["label"] for b in bars], fontsize=8)
    ax.set_ylabel("gain (points)")
    ax.set_title(title, fontsize=10)
    from matplotlib.patches import Patch

    level = getattr(comparison, "level", 0.95)
    no_ci = sorted(
        {b["claimed_ci_note"] for b in bars if b["claimed"] is not None and b["claimed_low"] is None} - {None}
    )
    claimed_label = "claimed" + (f" ({'; '.join(no_ci)})" if no_ci else "")
    if all(b["claimed"] is None for b in bars):
        claimed_label = "claimed: none (" + "; ".join(sorted({b["claimed_ci_note"] or "unknown" for b in bars})) + ")"
    handles = [
        Patch(color=CLAIMED_COLOUR, label=claimed_label),
        Patch(color=ADJUSTED_COLOUR, label="adjusted (best cell vs best cell)"),
    ]
    ax.legend(handles=handles, frameon=False, fontsize=8, loc="best")
    ax.set_xlabel(f"whiskers: {level:.0%} bootstrap CI; labels give the bar's value", fontsize=7)
    return fig


def plot_claimed_vs_adjusted(comparison: Any, path: str | Path) -> Path:
    """`bars_figure` written to `path` (.png, .pdf or .svg)."""
    path = check_path(path)
    return save(bars_figure(comparison), path)


def heatmap_path(path: str | Path, suffix: str) -> Path:
    """FILE.png -> FILE-<suffix>.png (the companion figure's name)."""
    path = Path(path)
    return path.with_name(f"{path.stem}-{suffix}{path.suffix}")


def plot_probe(data: dict[str, Any], path: str | Path) -> Path:
    """Exact match and ROUGE-L against the ratio, target and control, with CI bands."""
    from rlvr_audit.report.contamination_tables import MEASURES, sections

    path = check_path(path)
    plt = pyplot()
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
