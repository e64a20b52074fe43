"""The static sections of the HTML report, rendered in Python from the report data: the
overview (claimed vs adjusted gains, verdicts, decomposition, contamination) and each run's
grid and prompt robustness (provenance and definitions: `html_provenance`). Every piece of text goes through
`html.escape`; the charts come from `report_charts` (matplotlib SVG)."""

from __future__ import annotations

import json
from html import escape
from typing import Any

from rlvr_audit.report.report_charts import gains_svg, grid_heatmap_svg, matched_heatmap_svg


def e(value: Any) -> str:
    return escape("" if value is None else str(value))


def num(value: Any, spec: str = ".1f") -> str:
    return "n/a" if value is None else format(value, spec)


def ci(low: Any, high: Any, spec: str = ".1f") -> str:
    return "" if low is None or high is None else f"[{format(low, spec)}, {format(high, spec)}]"


def table(header: list[str], rows: list[list[str]], *, cls: str = "", testid: str = "") -> str:
    """A table; header cells are escaped here, row cells must already be HTML."""
    head = "".join(f"<th>{e(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in rows)
    attrs = (f' class="{cls}"' if cls else "") + (f' data-testid="{e(testid)}"' if testid else "")
    return f'<div class="scroll"><table{attrs}><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>'


def as_json(value: Any) -> str:
    return f"<code>{e(json.dumps(value, ensure_ascii=False, sort_keys=True))}</code>"


def kv(entries: dict[str, Any]) -> str:
    rows = []
    for key, value in entries.items():
        shown = (
            as_json(value)
            if isinstance(value, (dict, list))
            else ("<i>not recorded</i>" if value is None else e(value))
        )
        rows.append(f"<tr><th>{e(key)}</th><td>{shown}</td></tr>")
    return f'<div class="scroll"><table class="kv"><tbody>{"".join(rows)}</tbody></table></div>'


# -- overview ---------------------------------------------------------------------------------


def _gain(entry: dict[str, Any] | None) -> str:
    if not entry or entry.get("gain") is None:
        return "<i>none</i>"
    return f"<b>{entry['gain']:+.1f}</b> {e(ci(entry.get('low'), entry.get('high'), '+.1f'))}"


def _comparison_rows(comparison: dict[str, Any]) -> list[list[str]]:
    rows = []
    for t in comparison["trained"]:
        c, a, m = t["claimed"], t["adjusted"], t["matched"]
        claimed_cell = (
            f"<br><small>{e(c['template'])} x {e(c['profile'])}: {num(c['base'])} &rarr; {num(c['trained'])}</small>"
            if c
            else ""
        )
        tb, bb = a["trained_best"], a["base_best"]
        adjusted_cell = (
            f"<br><small>best {e(tb['template'])} x {e(tb['profile'])} {num(tb['accuracy'])} vs "
            f"{e(bb['template'])} x {e(bb['profile'])} {num(bb['accuracy'])}</small>"
        )
        excluded = m.get("excluded") or []
        spread = (
            f"{num(m['min'], '+.1f')} / {num(m['median'], '+.1f')} / {num(m['max'], '+.1f')}"
            f"<br><small>{len(m['cells'])} cells" + (f", {len(excluded)} excluded" if excluded else "") + "</small>"
        )
        sig = t.get("significance") or {}
        sig_text = (
            f"{e(sig.get('test'))} p = {num(sig.get('p_value'), '.3g')}<br><small>{e(sig['cell']['template'])} x "
            f"{e(sig['cell']['profile'])}</small>"
            if sig
            else "<i>none</i>"
        )
        rows.append(
            [
                e(t["run"]),
                _gain(c) + claimed_cell,
                _gain(a) + adjusted_cell,
                spread,
                f'<span class="verdict v-{e(t["verdict"])}">{e(t["verdict"])}</span>',
                e(t["verdict_reason"]),
                sig_text,
            ]
        )
    return rows


def _decomposition_rows(comparison: dict[str, Any]) -> list[list[str]]:
    rows = []
    for t in comparison["trained"]:
        d, c = t.get("decomposition"), t.get("claimed") or {}
        if not d or d.get("gain") is None:
            continue
        tr = d.get("transitions", {})
        code = d.get("code") or {}
        groups = code.get("groups", {})
        rows.append(
            [
                e(t["run"]),
                f"{e(c.get('template'))} x {e(c.get('profile'))}",
                e(d["problems"]),
                f"{d['gain']:+.1f}",
                f"{d['format']:+.1f}",
                f"{d['answers']:+.1f}",
                "<br>".join(f"{e(k.replace('_', ' '))}: {num(v, 'g')}" for k, v in tr.items()),
                f"{num(code.get('base_rate'))}% &rarr; {num(code.get('trained_rate'))}%"
                + (
                    f"<br><small>lang&rarr;code: {groups['lang_to_code']['problems']} problems, "
                    f"{groups['lang_to_code']['gain']:+.1f} pts; share {num(code.get('lang_to_code_share'), '.0%')}</small>"
                    if "lang_to_code" in groups
                    else ""
                ),
            ]
        )
    return rows


def _contamination(summary: dict[str, Any]) -> str:
    def figures(entry: dict[str, Any] | None) -> list[str]:
        if not entry:
            return ["<i>none</i>"] * 3
        out = []
        for m in ("exact_match", "rouge_l", "answer_accuracy"):
            f = entry.get(m)
            out.append("n/a" if not f else f"{num(f.get('mean'))} {e(ci(f.get('low'), f.get('high')))}")
        return out

    control = summary.get("control")
    rows = [
        [
            e((summary.get("benchmark") or {}).get("name")) + " (target)",
            e(summary["target"].get("n")),
            *figures(summary["target"]),
        ]
    ]
    if control:
        rows.append(
            [e((control.get("benchmark") or {}).get("name")) + " (control)", e(control.get("n")), *figures(control)]
        )
    notes = "".join(f"<li>{e(n)}</li>" for n in summary.get("notes") or [])
    return (
        f'<section id="contamination" data-testid="contamination"><h3>Contamination probe of the base model</h3>'
        f'<p><span class="verdict">{e(summary["verdict"])}</span> {e(summary["sentence"])}</p>'
        f"<p>{e(summary['implication'])}</p>"
        + table(["benchmark", "n", f"exact match % @{summary['ratio']}", "ROUGE-L %", "answer accuracy %"], rows)
        + f"<p class=note>Rule: {e(summary['rule'])}. Source: {e(summary['source'])}.</p>"
        + (f"<ul class=notes>{notes}</ul>" if notes else "")
        + "</section>"
    )


def overview(data: dict[str, Any]) -> str:
    comparison = data.get("comparison")
    if not comparison:
        return (
            '<section id="overview"><h2>Overview</h2><p>One run: nothing to compare. Pass a base run and trained '
            "runs for claimed vs adjusted gains.</p></section>"
        )
    level = int(round(100 * comparison["settings"]["level"]))
    base = comparison["base"]["run"]
    parts = [
        '<section id="overview"><h2>Claimed vs adjusted gains</h2>',
        f"<p>Every trained run against the base <b>{e(base)}</b> on {e(data['benchmark'].get('name'))} "
        f"({e(data['benchmark'].get('size'))} problems); gains in points, [{level}% CI], "
        f"{e(comparison['settings']['n_boot'])} bootstrap resamples (seed {e(comparison['settings']['seed'])}). "
        "Claimed: the gain in the claimed cell. Adjusted: best cell of the trained run minus best cell of the base, "
        "with a CI that pays for choosing both. Matched: the gain in each cell both runs have.</p>",
        f'<div class="chart-box">{gains_svg(comparison, prefix="gains")}</div>',
        table(
            [
                "trained run",
                "claimed gain",
                "adjusted gain",
                "matched min / median / max",
                "verdict",
                "reason",
                "paired test",
            ],
            _comparison_rows(comparison),
            testid="comparison-table",
        ),
    ]
    decomposition = _decomposition_rows(comparison)
    if decomposition:
        parts += [
            "<h3>Where the claimed-cell gain comes from</h3>",
            "<p>format: no extractable answer &rarr; correct (net); answers: wrong answer &rarr; correct (net); "
            "format + answers = gain. Code: share of completions mentioning “python”, base &rarr; trained.</p>",
            table(
                ["trained run", "cell", "problems", "gain", "format", "answers", "transitions", "code use"],
                decomposition,
                testid="decomposition-table",
            ),
        ]
    profiles = data["runs"][0]["grid"]["profiles"]
    for i, t in enumerate(comparison["trained"]):
        excluded = t["matched"].get("excluded") or []
        if t["matched"]["cells"]:
            svg = matched_heatmap_svg(
                t, base, prefix=f"matched{i}", level=comparison["settings"]["level"], profiles=profiles
            )
            listed = "; ".join(f"{x['template']} x {x['profile']}: {x['reason']}" for x in excluded)
            note = f"<p class=note>Excluded (not a measured gain): {e(listed)}</p>" if excluded else ""
            parts.append(
                f"<details open><summary>Matched gains per cell: {e(t['run'])}</summary>"
                f'<div class="chart-box">{svg}</div>{note}</details>'
            )
    if data.get("contamination"):
        parts.append(_contamination(data["contamination"]))
    notes = comparison.get("notes") or []
    if notes:
        parts.append("<h3>Notes</h3><ul class=notes>" + "".join(f"<li>{e(n)}</li>" for n in notes) + "</ul>")
    parts.append("</section>")
    return "".join(parts)


# -- runs -------------------------------------------------------------------------------------


def _claimed_for(data: dict[str, Any], index: int) -> tuple[str, str] | None:
    comparison = data.get("comparison")
    if not comparison:
        return None
    trained = comparison["trained"]
    entry = trained[index - 1]["claimed"] if index > 0 else next((t["claimed"] for t in trained if t["claimed"]), None)
    return (entry["template"], entry["profile"]) if entry else None


def run_section(data: dict[str, Any], index: int) -> str:
    run = data["runs"][index]
    grid = run["grid"]
    facts = run["generation_facts"]
    rows = []
    for t in grid["templates"]:
        s = grid["template_stats"][t]
        recorded = facts[t]["finish_recorded"]
        truncated = num(s["truncated"]) if recorded else "<i>not recorded</i>"
        if recorded and recorded < facts[t]["generations"]:
            truncated += f" <small>({recorded} of {facts[t]['generations']} record it)</small>"
        rows.append(
            [
                e(t),
                f"{num(s['parsable'])} <small>({e(s['parsable_profile'])})</small>",
                truncated,
                num(s["tokens"], ".0f"),
                num(s["python"]),
                e(s["generations"]),
            ]
        )
    best = grid.get("best")
    summary = (
        f"best cell {e(best['template'])} x {e(best['profile'])} = {num(best['accuracy'])}%, spread "
        f"{num(grid.get('spread'))} points"
        if best
        else "no graded cells"
    )
    return (
        f'<section class="run" id="run-{index}" data-testid="run-{index}"><h3>{e(run["name"])} '
        f"<small>({e(run['role'])}, {e(run['samples'])} sample(s) per problem)</small></h3>"
        f"<p>{summary}. Solid outline: best cell; dashed red: the claimed cell. Hover a cell for its CI and "
        "status counts.</p>"
        f'<div class="chart-box">{grid_heatmap_svg(grid, prefix=f"grid{index}", claimed=_claimed_for(data, index))}</div>'
        + table(
            [
                "template",
                "parsable % (profile)",
                "truncated % (finish_reason length)",
                "mean tokens",
                "python %",
                "generations",
            ],
            rows,
            testid=f"facts-{index}",
        )
        + "</section>"
    )


def robustness_section(data: dict[str, Any], index: int) -> str:
    run = data["runs"][index]
    rob = run["robustness"]
    profiles = list(rob)
    rows = []
    for p in profiles:
        s, c = rob[p]["spread"], rob[p]["consistency"]
        rows.append(
            [
                e(p),
                num(s["min"]),
                num(s["max"]),
                num(s["range"]),
                num(s["std"], ".2f"),
                f"{e(s['argmin'])} / {e(s['argmax'])}",
                num(c["rate"]),
                f"{e(c['problems'])} / {e(c['flipped'])}",
            ]
        )
    templates = run["grid"]["templates"]
    na_rows = [[e(t)] + [num(rob[p]["no_answer"].get(t)) for p in profiles] for t in templates]
    return (
        f'<section class="robustness" data-testid="robustness-{index}"><h3>{e(run["name"])}</h3>'
        + table(
            [
                "profile",
                "min acc %",
                "max acc %",
                "range",
                "std",
                "worst / best template",
                "consistency %",
                "problems / flipped",
            ],
            rows,
            testid=f"robustness-table-{index}",
        )
        + "<h4>no_answer share % per template</h4>"
        + table(["template", *profiles], na_rows, testid=f"no-answer-{index}")
        + "</section>"
    )
