"""The report's charts as inline SVG, drawn by matplotlib from the report data.

Each chart element that carries a number gets a `<title>` child (the browser shows it as a
tooltip) with the number and its CI. Text stays text (`svg.fonttype: none`), ids are
prefixed per chart so several SVGs share one page, and the output has no XML prolog, no
metadata and no URLs, so it inlines into a self-contained page. Deterministic: fixed hash
salt, no date.
"""

from __future__ import annotations

import io
import re
from html import escape
from typing import Any

_RC = {"svg.fonttype": "none", "svg.hashsalt": "rlvr-audit-report", "font.size": 8}


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _label(text: Any) -> str:
    """A string matplotlib draws literally ('$' would start mathtext)."""
    return str(text).replace("$", r"\$")


def _fmt(value: float | None, spec: str = ".1f") -> str:
    return "n/a" if value is None else format(value, spec)


def _svg(fig: Any, prefix: str, titles: dict[str, str]) -> str:
    """The figure as inline SVG: tooltips added, ids prefixed, prolog/metadata removed."""
    plt = _pyplot()
    buf = io.StringIO()
    fig.savefig(buf, format="svg", metadata={"Date": None, "Creator": None, "Format": None, "Type": None})
    plt.close(fig)
    svg = buf.getvalue()
    svg = svg[svg.index("<svg") :]
    svg = re.sub(r"<metadata>.*?</metadata>", "", svg, flags=re.S)
    svg = re.sub(r'\s+xmlns(:\w+)?="[^"]*"', "", svg)
    for gid, text in titles.items():
        svg = svg.replace(f'<g id="{gid}">', f'<g id="{gid}"><title>{escape(text, quote=False)}</title>', 1)
    svg = re.sub(r'\bid="([^"]+)"', lambda m: f'id="{prefix}-{m.group(1)}"', svg)
    svg = re.sub(r"url\(#([^)]+)\)", lambda m: f"url(#{prefix}-{m.group(1)})", svg)
    svg = re.sub(r'href="#([^"]+)"', lambda m: f'href="#{prefix}-{m.group(1)}"', svg)
    width = re.search(r'<svg[^>]*\bwidth="([\d.]+)pt"', svg)
    svg = re.sub(r'(<svg[^>]*?)\s+width="[^"]*"\s+height="[^"]*"', r"\1", svg, count=1)
    style = f"max-width:{float(width.group(1)) * 4 / 3:.0f}px" if width else ""
    return svg.replace("<svg", f'<svg class="chart" role="img" style="{style}"', 1)


def _text_colour(rgba: tuple[float, ...]) -> str:
    r, g, b = rgba[:3]
    return "black" if 0.299 * r + 0.587 * g + 0.114 * b > 0.55 else "white"


def heatmap_svg(
    rows: list[str],
    cols: list[str],
    cells: dict[tuple[str, str], dict[str, Any]],
    *,
    prefix: str,
    title: str,
    center: float | None = None,
    marks: dict[tuple[str, str], str] | None = None,
) -> str:
    """A [rows x cols] heatmap; `cells[(row, col)]` has "value", "low", "high" and "tooltip".
    Each cell shows its value and CI; `center` makes the scale diverging around it; `marks`
    outline cells ("best": solid, "claimed": dashed)."""
    from matplotlib import colormaps
    from matplotlib.colors import Normalize
    from matplotlib.patches import Rectangle

    plt = _pyplot()
    values = [c["value"] for c in cells.values() if c.get("value") is not None]
    if center is not None:
        import numpy as np

        from rlvr_audit.report.heatmaps import gain_span  # the PNG's scale: symmetric, at least +-10

        span = gain_span(np.asarray(values, dtype=float) - center)
        norm, cmap = Normalize(center - span, center + span), colormaps["RdBu"]
    else:
        norm, cmap = Normalize(0, 100), colormaps["viridis"]
    titles: dict[str, str] = {}
    with plt.rc_context(_RC):
        fig, ax = plt.subplots(figsize=(max(4.0, 0.95 * len(cols) + 3.0), max(2.2, 0.42 * len(rows) + 1.6)))
        for i, r in enumerate(rows):
            for j, c in enumerate(cols):
                cell = cells.get((r, c))
                gid = f"cell-{i}-{j}"
                value = None if cell is None else cell.get("value")
                face = "#eeeeee" if value is None else cmap(norm(value))
                edge = {"best": ("black", "-"), "claimed": ("#d62728", "--")}.get((marks or {}).get((r, c), ""))
                patch = Rectangle((j - 0.5, i - 0.5), 1, 1, facecolor=face, edgecolor="white", lw=0.5)
                if edge:
                    patch.set(edgecolor=edge[0], linestyle=edge[1], lw=1.6)
                patch.set_gid(gid)
                ax.add_patch(patch)
                if cell is not None:
                    titles[gid] = cell["tooltip"]
                if value is not None:
                    colour = _text_colour(face)
                    fmt = "+.1f" if center is not None else ".1f"
                    ax.text(j, i - 0.12, format(value, fmt), ha="center", va="center", fontsize=7.5, color=colour)
                    if cell.get("low") is not None:
                        ci = f"[{cell['low']:{fmt}}, {cell['high']:{fmt}}]"
                        ax.text(j, i + 0.22, ci, ha="center", va="center", fontsize=5.5, color=colour)
        ax.set_xlim(-0.5, len(cols) - 0.5)
        ax.set_ylim(len(rows) - 0.5, -0.5)
        ax.set_xticks(range(len(cols)))
        ax.set_xticklabels([_label(c) for c in cols], rotation=35, ha="right")
        ax.set_yticks(range(len(rows)))
        ax.set_yticklabels([_label(r) for r in rows])
        ax.set_title(_label(title), fontsize=9)
        ax.tick_params(length=0)
        for spine in ax.spines.values():
            spine.set_visible(False)
        mappable = plt.cm.ScalarMappable(norm=norm, cmap=cmap)
        fig.colorbar(mappable, ax=ax, fraction=0.04, pad=0.02)
        fig.tight_layout()
        return _svg(fig, prefix, titles)


def grid_heatmap_svg(grid: dict[str, Any], *, prefix: str, claimed: tuple[str, str] | None = None) -> str:
    """The accuracy heatmap of one run's grid (the `grid` entry of a report run); the best
    cell outlined solid, the claimed cell (`claimed`, else the run's own) dashed red."""
    level = int(round(100 * grid["level"]))
    cells: dict[tuple[str, str], dict[str, Any]] = {}
    for c in grid["cells"]:
        counts = ", ".join(f"{k} {v}" for k, v in sorted(c["counts"].items()))
        low, high = c["ci"]
        cells[(c["template"], c["profile"])] = {
            "value": c["accuracy"],
            "low": low,
            "high": high,
            "tooltip": f"{c['template']} x {c['profile']}: accuracy {_fmt(c['accuracy'])}% "
            f"[{_fmt(low)}, {_fmt(high)}] ({level}% CI), n = {c['n']} problems; parsable {_fmt(c['parsable'])}%; "
            f"{counts}",
        }
    marks: dict[tuple[str, str], str] = {}
    claimed = claimed or (tuple(grid["as_claimed"]) if grid.get("as_claimed") else None)  # type: ignore[assignment]
    if claimed:
        marks[claimed] = "claimed"  # type: ignore[index]
    if grid.get("best"):
        marks[(grid["best"]["template"], grid["best"]["profile"])] = "best"
    title = f"{grid['run']}: accuracy % [{level}% CI] per template x profile"
    return heatmap_svg(grid["templates"], grid["profiles"], cells, prefix=prefix, title=title, marks=marks)


def matched_heatmap_svg(
    trained: dict[str, Any], base: str, *, prefix: str, level: float, profiles: list[str] | None = None
) -> str:
    """Matched gains (trained - base, same cell) of one trained run, with CIs; columns in
    the order of `profiles` where given."""
    matched = trained["matched"]["cells"]
    rows = list(dict.fromkeys(c["template"] for c in matched))
    cols = list(dict.fromkeys(c["profile"] for c in matched))
    if profiles:
        cols = [p for p in profiles if p in cols] + [p for p in cols if p not in profiles]
    pct = int(round(100 * level))
    cells = {
        (c["template"], c["profile"]): {
            "value": c["gain"],
            "low": c["low"],
            "high": c["high"],
            "tooltip": f"{c['template']} x {c['profile']}: matched gain {c['gain']:+.1f} [{c['low']:+.1f}, "
            f"{c['high']:+.1f}] ({pct}% CI); base {c['base']:.1f}%, trained {c['trained']:.1f}%",
        }
        for c in matched
    }
    title = f"matched gain per cell: {trained['run']} - {base} (points)"
    return heatmap_svg(rows, cols, cells, prefix=prefix, title=title, center=0.0)


def gains_svg(comparison: dict[str, Any], *, prefix: str) -> str:
    """Per trained run: the claimed gain and the adjusted gain as bars with CI whiskers, and
    the matched-gain spread (min to max over cells, dot at the median)."""
    plt = _pyplot()
    trained = comparison["trained"]
    level = int(round(100 * comparison["settings"]["level"]))
    titles: dict[str, str] = {}
    width = 0.28
    with plt.rc_context(_RC):
        fig, ax = plt.subplots(figsize=(max(5.0, 1.6 * len(trained) + 2.5), 3.6))
        for i, t in enumerate(trained):
            claimed, adjusted, matched = t["claimed"], t["adjusted"], t["matched"]
            bars = [("claimed", claimed, -width, "#9e9e9e"), ("adjusted", adjusted, 0.0, "#1f77b4")]
            for name, entry, dx, colour in bars:
                if not entry or entry.get("gain") is None:
                    continue
                gain, low, high = entry["gain"], entry.get("low"), entry.get("high")
                bar = ax.bar(i + dx, gain, width, color=colour, label=name if i == 0 else None)[0]
                gid = f"{name}-{i}"
                bar.set_gid(gid)
                where = f" in {entry['template']} x {entry['profile']}" if name == "claimed" else ""
                titles[gid] = (
                    f"{t['run']}: {name} gain{where} {gain:+.1f} [{_fmt(low, '+.1f')}, {_fmt(high, '+.1f')}] ({level}% CI)"
                )
                if low is not None and high is not None:
                    ax.errorbar(
                        i + dx,
                        gain,
                        yerr=[[max(gain - low, 0)], [max(high - gain, 0)]],
                        fmt="none",
                        ecolor="black",
                        capsize=3,
                        lw=1,
                    )
                ax.annotate(
                    f"{gain:+.1f}",
                    (i + dx, gain),
                    ha="center",
                    va="bottom" if gain >= 0 else "top",
                    fontsize=7,
                    xytext=(0, 2 if gain >= 0 else -2),
                    textcoords="offset points",
                )
            if matched.get("min") is not None:
                x = i + width
                line = ax.vlines(
                    x,
                    matched["min"],
                    matched["max"],
                    color="#ff7f0e",
                    lw=3,
                    label="matched (min-max, median)" if i == 0 else None,
                )
                line.set_gid(f"matched-{i}")
                ax.plot([x], [matched["median"]], "o", color="#ff7f0e", markeredgecolor="black", ms=5)
                titles[f"matched-{i}"] = (
                    f"{t['run']}: matched gains over {len(matched['cells'])} cells: min {matched['min']:+.1f}, "
                    f"median {matched['median']:+.1f}, max {matched['max']:+.1f}"
                )
        ax.axhline(0, color="black", lw=0.8)
        ax.set_xticks(range(len(trained)))
        ax.set_xticklabels([_label(f"{t['run']}\n({t['verdict']})") for t in trained])
        ax.set_ylabel("gain over the base (points)")
        ax.set_title(_label(f"claimed vs adjusted gain over {comparison['base']['run']} [{level}% CI]"), fontsize=9)
        ax.legend(frameon=False, fontsize=7, loc="best")
        ax.margins(x=0.15, y=0.15)
        fig.tight_layout()
        return _svg(fig, prefix, titles)
