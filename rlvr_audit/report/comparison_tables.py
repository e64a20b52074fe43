"""Tables for `compare`: a `Comparison` or `ClaimComparison` as a `TableData` (rich,
Markdown, LaTeX, CSV all come from it)."""

from __future__ import annotations

from typing import Any

from rlvr_audit.comparison.claim_registry import contamination_figures
from rlvr_audit.comparison.claims import ClaimComparison
from rlvr_audit.comparison.gains import Comparison
from rlvr_audit.report.tables import Missing, TableData

_VERDICT_STYLE = {
    "holds": "green",
    "shrinks": "yellow",
    "inconclusive": "magenta",
    "vanishes": "red",
    "reverses": "bold red",
}


def _signed(x: float | None, why: str = "not computed") -> str | Missing:
    return Missing(why) if x is None else f"{x:+.1f}"


def _ci(low: float | None, high: float | None) -> str:
    return "[no CI]" if low is None or high is None else f"[{low:+.1f}, {high:+.1f}]"


def _no_claimed_gain(comparison: Comparison, run: str) -> Missing:
    """Why a trained run has no claimed gain, from the comparison's notes."""
    for note in comparison.notes:
        if note.startswith(f"{run}: ") and ("as-claimed" in note or "claimed" in note):
            return Missing(note[len(run) + 2 :])
    return Missing("no as-claimed cell: pass --as-claimed TEMPLATE:PROFILE")


def _no_test(result: Any) -> Missing:
    tb, bb = result.adjusted["trained_best"], result.adjusted["base_best"]
    return Missing(
        "no paired test: no claimed cell graded in both runs, and the best cells differ "
        f"({tb['template']}:{tb['profile']} vs {bb['template']}:{bb['profile']})"
    )


def comparison_table(comparison: Comparison) -> TableData:
    """One row per trained run: claimed gain, adjusted gain with CI, matched min/median/max,
    p-value, verdict."""
    columns = ["trained run", "claimed gain", "adjusted gain", "matched min/med/max", "p", "verdict"]
    rows: list[list[Any]] = []
    styles: dict[tuple[int, int], str] = {}
    for r, result in enumerate(comparison.trained):
        c, a, m = result.claimed, result.adjusted, result.matched
        claimed = _no_claimed_gain(comparison, result.run) if not c else f"{c['gain']:+.1f} {_ci(c['low'], c['high'])}"
        matched = (
            Missing("no cell graded in both runs with an answer in either")
            if m["min"] is None
            else f"{m['min']:+.1f} / {m['median']:+.1f} / {m['max']:+.1f}"
        )
        p = result.significance["p_value"] if result.significance else None
        rows.append(
            [
                result.run,
                claimed,
                f"{a['gain']:+.1f} {_ci(a['low'], a['high'])}",
                matched,
                _no_test(result) if p is None else f"{p:.2g}",
                result.verdict,
            ]
        )
        styles[(r, len(columns) - 1)] = _VERDICT_STYLE.get(result.verdict, "")
    caption = (
        f"base: {comparison.base}; benchmark {comparison.benchmark.get('name')} "
        f"({comparison.benchmark.get('size')} problems); gains in points; adjusted = best cell of the "
        f"trained run minus best cell of the base run, CI from a selection-aware paired bootstrap "
        f"({comparison.n_boot} resamples, seed {comparison.seed}); {comparison.level:.0%} CIs in brackets"
    )
    return TableData(columns=columns, rows=rows, title="claimed vs adjusted gains", caption=caption, styles=styles)


_OTHER_SIDE = Missing("the other run's accuracy is not part of this row: each best cell belongs to one run")


def cells_table(comparison: Comparison) -> TableData:
    """Which cells each claim and each best evaluation used, with their accuracies."""
    rows = []
    for result in comparison.trained:
        c, a = result.claimed, result.adjusted
        if c:
            src = "reported" if c["source"] == "reported-baseline" else "measured"
            rows.append(
                [result.run, "claimed", f"{c['template']}:{c['profile']}", c["trained"], f"{c['base']:.1f} ({src})"]
            )
        tb, bb = a["trained_best"], a["base_best"]
        rows.append([result.run, "best (T)", f"{tb['template']}:{tb['profile']}", tb["accuracy"], _OTHER_SIDE])
        rows.append([result.run, "best (B)", f"{bb['template']}:{bb['profile']}", _OTHER_SIDE, bb["accuracy"]])
    return TableData(
        columns=["trained run", "cell", "template:profile", "trained acc", "base acc"],
        rows=rows,
        title="cells behind the gains",
    )


_NO_CODE = Missing("code use not measured (no completions to scan)")


def decomposition_table(comparison: Comparison) -> TableData | None:
    """Where each claimed-cell gain comes from (format vs answers, code switch)."""
    rows = []
    for result in comparison.trained:
        d = result.decomposition
        if not d or d.get("gain") is None:
            continue
        code = d.get("code") or {}
        share = code.get("lang_to_code_share")
        rows.append(
            [
                result.run,
                _signed(d["gain"]),
                _signed(d["format"]),
                _signed(d["answers"]),
                _NO_CODE
                if code.get("base_rate") is None
                else f"{code['base_rate']:.0f}% → {code['trained_rate']:.0f}%",
                _signed(code.get("groups", {}).get("lang_to_code", {}).get("gain"), "no problem switched to code"),
                Missing("no claimed-cell gain to share out") if share is None else f"{share:.0%}",
            ]
        )
    if not rows:
        return None
    return TableData(
        columns=[
            "trained run",
            "claimed-cell gain",
            "format (no answer → correct)",
            "answer changes",
            "code use",
            "gain on lang→code problems",
            "share of gain",
        ],
        rows=rows,
        title="decomposition of the claimed-cell gain",
    )


def _figure_column(cc: ClaimComparison) -> str:
    b = cc.baseline
    if cc.policy == "best":
        which = "best measured base" if b["source"] == "measured" else "best published base"
    elif cc.policy == "standardized":
        which = "standardized base"
    else:
        which = f"{b.get('claim')} base"
    return f"trained (claimed cell) − {which} ({b['value']:.1f})"


def _other_baselines(cc: ClaimComparison) -> list[dict[str, Any]]:
    """The published baselines the policy did not choose, highest first."""
    chosen = (cc.baseline.get("claim"), cc.baseline.get("label"))
    return sorted((o for o in cc.published_baselines if (o["claim"], o["label"]) != chosen), key=lambda o: -o["value"])


def claim_table(cc: ClaimComparison) -> TableData:
    """The paper's claimed gains next to the claimed trained accuracy minus the baseline the
    policy chose, and minus every other published baseline ('vs X (claim)' columns)."""
    has_ci = any(r["gain_vs_baseline_low"] is not None for r in cc.rows)
    others = _other_baselines(cc)
    noted = any(r.get("note") for r in cc.rows)  # a forced, unmatched base run: say so on every row
    columns = ["note"] if noted else []
    columns += ["version", "reward", "claimed trained acc", "claimed gain", _figure_column(cc)]
    if has_ci:
        columns.append("CI")
    columns += [f"vs {o['value']:.1f} ({o['claim']})" for o in others]
    columns.append("kept")
    rows = []
    for r in cc.rows:
        row = [r.get("note") or ""] if noted else []
        row += [
            r["version"],
            r["reward"],
            f"{r['claimed_trained']:.1f}",
            _signed(r["claimed_gain"], "the claim gives no gain for this reward"),
            _signed(r["gain_vs_baseline"], "no claimed trained accuracy to re-base"),
        ]
        if has_ci:
            row.append(_ci(r["gain_vs_baseline_low"], r["gain_vs_baseline_high"]))
        row += [_signed(r["vs_published"][f"{o['claim']}:{o['label']}"], "not computable") for o in others]
        row.append(
            Missing("the claimed gain is 0 or not given: no share to keep") if r["kept"] is None else f"{r['kept']:.0%}"
        )
        rows.append(row)
    return TableData(
        columns=columns, rows=rows, title=f"{cc.claim['paper']}: claimed vs re-based", caption=claim_caption(cc)
    )


def claim_caption(cc: ClaimComparison) -> str:
    """The caption of `claim_table`: settings, the baseline policy, and what the figure bounds."""
    claim, b = cc.claim, cc.baseline
    sd = f" ± {b['sd']}" if b.get("sd") is not None else ""
    source = "measured" if b["source"] == "measured" else (b.get("paper") or b.get("claim"))
    others = "; 'vs X (claim)': the same difference against each other published baseline"
    if not _other_baselines(cc):
        others = ""
    alternative = "; --baseline-policy standardized|CLAIM picks another baseline" if cc.policy == "best" else ""
    probe = contamination_figures(claim["model"], claim["benchmark"])
    recall = ""
    if probe:
        shown = ", ".join(f"{f['label']} {f['value']:.1f}%" for f in probe)
        recall = (
            f". Memorisation ({probe[0]['cite']}, claim {probe[0]['claim']}): {shown}; "
            f"measure it with rlvr-audit contamination"
        )
    forced = f"UNMATCHED BASE (--force): {'; '.join(cc.base_mismatch)}. " if cc.base_mismatch else ""
    return (
        f"{forced}{claim['model']} on {claim['benchmark']}; claimed baseline {claim['baseline']['value']:.1f} "
        f"({claim['setting'].get('template')}:{claim['setting'].get('profile')}); baseline policy "
        f"'{cc.policy}': {b['value']:.1f}{sd} ({b.get('label')}, {b.get('template')}:{b.get('profile')}; {source}); "
        f"figure = {cc.figure_description()}{others}; kept = figure / claimed gain{alternative}{recall}"
    )


_LONG_GAINS = [
    "trained_run",
    "claimed_gain",
    "claimed_low",
    "claimed_high",
    "adjusted_gain",
    "adjusted_low",
    "adjusted_high",
    "matched_min",
    "matched_median",
    "matched_max",
    "p_value",
    "verdict",
]
_LONG_CLAIM = ["version", "reward", "claimed_trained", "claimed_gain", "gain_vs_baseline", "low", "high", "kept"]


def gains_long_table(result: Comparison | ClaimComparison) -> TableData:
    """compare's CSV: one row per trained run (or claimed reward), plain numbers (points)."""
    if isinstance(result, ClaimComparison):
        rows = [
            [
                r["version"],
                r["reward"],
                r["claimed_trained"],
                r["claimed_gain"],
                r["gain_vs_baseline"],
                r["gain_vs_baseline_low"],
                r["gain_vs_baseline_high"],
                r["kept"],
            ]
            for r in result.rows
        ]
        return TableData(columns=list(_LONG_CLAIM), rows=rows)
    rows = []
    for r in result.trained:
        c, a, m = r.claimed or {}, r.adjusted, r.matched
        p = r.significance["p_value"] if r.significance else None
        rows.append(
            [
                r.run,
                c.get("gain"),
                c.get("low"),
                c.get("high"),
                a["gain"],
                a["low"],
                a["high"],
                m["min"],
                m["median"],
                m["max"],
                p,
                r.verdict,
            ]
        )
    return TableData(columns=list(_LONG_GAINS), rows=rows)
