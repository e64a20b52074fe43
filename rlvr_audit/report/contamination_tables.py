"""Tables and a figure for a contamination probe (the probe.json document of
`workflows/contamination.py`): one row per (benchmark, ratio) with exact match, ROUGE-L and
answer accuracy and their CIs, the verdict and its rule as the caption. The figure is
`report.plots.plot_probe`."""

from __future__ import annotations

from typing import Any

from rlvr_audit.report.tables import Missing, TableData

_LONG_COLUMNS = ["benchmark", "role", "ratio", "n", "measure", "mean", "ci_low", "ci_high"]
MEASURES = (("exact_match", "exact match"), ("rouge_l", "ROUGE-L"), ("answer_accuracy", "answer acc"))


def sections(data: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    """(benchmark name, role, per_ratio) for the target and, when probed, the control."""
    out = [(data["benchmark"].get("name"), "target", data["per_ratio"])]
    control = data.get("control")
    if control:
        out.append((control["benchmark"].get("name"), "control", control["per_ratio"]))
    return out


def _cell(est: dict[str, Any] | None, key: str = "") -> str | Missing:
    if not est or est.get("mean") is None:
        if key == "answer_accuracy":
            return Missing("answer accuracy not measured (--answer-tokens 0, or no gold answers)")
        return Missing("no probed problems at this ratio")
    return f"{est['mean']:.1f} [{est['low']:.1f}, {est['high']:.1f}]"


def probe_table(data: dict[str, Any]) -> TableData:
    """Benchmark x ratio rows: n, and each measure as `mean [low, high]` (points)."""
    rows = []
    for name, role, per_ratio in sections(data):
        for ratio in data["ratios"]:
            figures = per_ratio[str(ratio)]
            label = f"{name} ({role})"
            rows.append([label, f"{ratio:g}", figures["n"], *(_cell(figures.get(key), key) for key, _ in MEASURES)])
    v = data["verdict"]
    splits = data.get("splits") or {}
    left_out = splits.get("problems", 0) - splits.get("probed", 0)
    caption = f"verdict: {v['sentence']}. Rule: {v['rule']}."
    if left_out:
        caption += f" {left_out} target problem(s) could not be split and are left out (probe_splits.jsonl)."
    model = data["model"].get("name") or data["model"].get("id")
    return TableData(
        columns=["benchmark", "ratio", "n", *(title + " %" for _, title in MEASURES)],
        rows=rows,
        title=f"contamination probe of {model}: % [95% CI]",
        caption=caption,
    )


def probe_long_table(data: dict[str, Any]) -> TableData:
    """One row per (benchmark, ratio, measure), plain numbers: what spreadsheets want."""
    rows = []
    for name, role, per_ratio in sections(data):
        for ratio in data["ratios"]:
            figures = per_ratio[str(ratio)]
            for key, _ in MEASURES:
                est = figures.get(key)
                if est is None:
                    continue
                rows.append([name, role, ratio, est.get("n"), key, est.get("mean"), est.get("low"), est.get("high")])
    return TableData(columns=list(_LONG_COLUMNS), rows=rows)


def contamination_summary_table(summary: dict[str, Any]) -> TableData:
    """compare's contamination context (comparison.contamination.summarise_probe): the base
    model's probe at the reference ratio, target and control, with the verdict and what it
    implies as the caption."""
    rows = []
    for role, figures in (("target", summary["target"]), ("control", summary.get("control"))):
        if not figures:
            continue
        bench = summary["benchmark"] if role == "target" else figures.get("benchmark") or {}
        rows.append(
            [f"{bench.get('name')} ({role})", figures.get("n"), *(_cell(figures.get(key), key) for key, _ in MEASURES)]
        )
    caption = f"verdict: {summary['sentence']}. So: {summary['implication']}."
    for note in summary.get("notes", []):
        caption += f" Note: {note}."
    model = (summary.get("model") or {}).get("name") or (summary.get("model") or {}).get("id")
    return TableData(
        columns=["benchmark", "n", *(title + " %" for _, title in MEASURES)],
        rows=rows,
        title=f"contamination of the base model {model} (probe at ratio {summary['ratio']:g}, {summary['source']})",
        caption=caption,
    )
