"""The provenance and definitions sections of the HTML report (see `html_sections`)."""

from __future__ import annotations

from typing import Any

from rlvr_audit.report.html_sections import as_json, e, kv, table


def provenance_section(data: dict[str, Any], index: int) -> str:
    run = data["runs"][index]
    p = run["provenance"]
    t_rows = []
    for name, entry in (p.get("templates") or {}).items():
        entry = entry or {}
        example = entry.get("example_prompt")
        rest = {k: v for k, v in entry.items() if k not in ("hash", "kind", "example_prompt")}
        shown = f"<details><summary>example prompt</summary><pre>{e(example)}</pre></details>" if example else ""
        t_rows.append(
            [
                e(name),
                e(entry.get("kind")),
                f"<code>{e(entry.get('hash'))}</code>",
                as_json(rest) if rest else "",
                shown,
            ]
        )
    g_rows = [
        [
            e(name),
            e(g["grades"]),
            as_json(g["versions"]),
            as_json(g["fingerprints"]),
            f"<code>{e(g['installed_fingerprint'])}</code>",
            e(g["stale"]),
        ]
        for name, g in (p.get("graders") or {}).items()
    ]
    backend = p.get("backend") or {}
    general = {
        k: p.get(k)
        for k in (
            "label",
            "source",
            "command",
            "created_utc",
            "updated_utc",
            "rlvr_audit_version",
            "schema_version",
            "resumed",
            "as_claimed",
            "migrations",
        )
    }
    general.update(p.get("extra") or {})
    return (
        f'<details class="provenance" data-testid="provenance-{index}"{" open" if index == 0 else ""}>'
        f"<summary>{e(run['name'])} <small>{e(run['path'])}</small></summary>"
        "<h4>Model</h4>"
        + kv(p.get("model") or {})
        + "<h4>Benchmark</h4>"
        + kv(p.get("benchmark") or {})
        + "<h4>Sampling</h4>"
        + kv(p.get("sampling") or {})
        + "<h4>Backend and library versions</h4>"
        + (kv(backend) if backend else "<p><i>not recorded</i></p>")
        + "<h4>Hardware</h4>"
        + kv(p.get("hardware") or {})
        + "<h4>Run</h4>"
        + kv(general)
        + "<h4>Templates</h4>"
        + table(["template", "kind", "hash", "settings", "prompt"], t_rows)
        + "<h4>Graders</h4>"
        + table(
            ["profile", "grades", "versions", "fingerprints recorded (count)", "installed fingerprint", "stale grades"],
            g_rows,
            testid=f"graders-{index}",
        )
        + "</details>"
    )


def definitions_section(data: dict[str, Any]) -> str:
    d = data["definitions"]
    level = int(round(100 * data["settings"]["level"]))
    items = [
        (
            "accuracy",
            f"avg@n in %: the mean over problems of each problem's share of correct samples; [{level}% CI] "
            "percentile bootstrap over problems. timeout and error count as incorrect.",
        ),
        (
            "parsable %",
            "share of a template's generations whose grade is not no_answer under the template's "
            "recommended profile (else the most lenient graded profile, named beside it).",
        ),
        (
            "truncated %",
            "share of generations with finish_reason \"length\"; 'not recorded' when no generation "
            "of the template records a finish_reason (e.g. imported outputs).",
        ),
    ]
    items += [(f"robustness: {k}", v) for k, v in d["robustness"].items()]
    items += [(f"filter: {f['label']}", f["definition"]) for f in d["filters"].values()]
    items.append(("filters", d["filters_note"]))
    body = "".join(f"<dt>{e(k)}</dt><dd>{e(v)}</dd>" for k, v in items)
    return (
        f'<section id="definitions"><h2>Definitions</h2><dl data-testid="definitions">{body}</dl>'
        "<p class=note>More in docs/report.md; the JSON beside this page (schema rlvr-audit.report) holds every "
        "number shown.</p></section>"
    )
