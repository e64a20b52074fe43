"""The report page: one self-contained HTML file (styles, script, charts and data inline; no
network). The problem browser's data sits once in a `<script type="application/json">`
block with every `<`, `>` and `&` written as a \\u escape, so no text inside it can close the
block; a Content-Security-Policy allows only this page's own script (by hash) and no
requests at all, so even text that slipped into the markup could not run or fetch."""

from __future__ import annotations

import base64
import hashlib
import json
import os
from html import escape
from importlib import resources
from pathlib import Path
from typing import Any

from rlvr_audit.report.html_provenance import definitions_section, provenance_section
from rlvr_audit.report.html_sections import e, overview, robustness_section, run_section
from rlvr_audit.report.problem_filters import FILTERS, STATUS_CODES


def asset(name: str) -> str:
    """A file of rlvr_audit/report/assets/ (package data)."""
    return resources.files("rlvr_audit.report").joinpath("assets", name).read_text(encoding="utf-8")


def inline_json(value: Any) -> str:
    """JSON safe inside a <script> element: no '<', '>' or '&' characters (escaped as
    \\u003c, \\u003e, \\u0026, which JSON.parse reads back), nor U+2028/U+2029."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    for char, repl in (
        ("<", "\\u003c"),
        (">", "\\u003e"),
        ("&", "\\u0026"),
        ("\u2028", "\\u2028"),
        ("\u2029", "\\u2029"),
    ):
        text = text.replace(char, repl)
    return text


def page_data(data: dict[str, Any]) -> dict[str, Any]:
    """What the page's script needs: the problems and the browser's per-run tables."""
    return {"problems": data["problems"], "browser": data["browser"], "status_codes": STATUS_CODES}


def _browser_section(data: dict[str, Any]) -> str:
    statuses = "".join(f'<option value="{e(s)}">{e(s)}</option>' for s in STATUS_CODES)

    def check(key: str, extra: str = "") -> str:
        f = FILTERS[key]
        return (
            f'<label title="{e(f["definition"])}"><input type="checkbox" id="f-{key}"> {e(f["label"])}{extra}</label>'
        )

    defs = "".join(f"<li><b>{e(f['label'])}</b>: {e(f['definition'])}</li>" for f in FILTERS.values())
    return (
        '<section id="browser"><h2>Problem browser</h2>'
        f"<p>{len(data['problems']['ids'])} problems; sample 0 of each (problem, template). Choose a run, a template "
        "and a profile; the list shows that cell's status and extracted answer. Open a problem for its completions "
        "(base and trained side by side) and every profile's grade.</p>"
        '<div class="controls">'
        '<label>run <select id="f-run"></select></label>'
        '<label>template <select id="f-template"></select></label>'
        '<label>profile <select id="f-profile"></select></label>'
        f'<label>status <select id="f-status"><option value="">any</option>{statuses}</select></label>'
        + check("disagree")
        + check("flips")
        + check("differs", ' <small id="differs-note"></small>')
        + '<label>id <input type="search" id="f-search" placeholder="search by id"></label></div>'
        f'<details><summary>How the filters are defined</summary><ul data-testid="filter-definitions">{defs}</ul>'
        f"<p class=note>{e(data['definitions']['filters_note'])}</p></details>"
        '<p id="browser-count" aria-live="polite"></p>'
        '<div class="pager"><button type="button" id="prev">previous</button><span id="page-info"></span>'
        '<button type="button" id="next">next</button></div>'
        '<div class="browser-body"><div class="scroll list-box"><table id="problem-list"><thead><tr><th>id</th>'
        "<th>status</th><th>extracted</th><th>gold</th></tr></thead>"
        '<tbody id="problem-rows"></tbody></table></div>'
        '<div id="problem-detail"><p class="note">Open a problem (click its id) to see its completions and grades.'
        "</p></div></div>"
        "<noscript>The problem browser needs JavaScript; its data is also in the JSON beside this page.</noscript>"
        "</section>"
    )


def render_page(data: dict[str, Any]) -> str:
    """The whole page as one string."""
    script = asset("report.js")
    digest = base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode("ascii")
    csp = f"default-src 'none'; script-src 'sha256-{digest}'; style-src 'unsafe-inline'; img-src data:"
    runs = data["runs"]
    bench = data["benchmark"]
    names = ", ".join(r["name"] for r in runs[1:])
    title = f"rlvr-audit report: {runs[0]['name']}" + (f" vs {names}" if names else "") + f" on {bench.get('name')}"
    generated = data.get("generated_at")
    header = (
        f"<header><h1>{e(title)}</h1><div class=note>benchmark {e(bench.get('name'))} ({e(bench.get('size'))} "
        f"problems, hash {e(bench.get('hash'))}); rlvr-audit {e(data['generator']['rlvr_audit'])}"
        + (f"; generated {e(generated)}" if generated else "")
        + '</div><nav><a href="#overview">gains</a><a href="#runs">grids</a><a href="#robustness">robustness</a>'
        '<a href="#browser">problems</a><a href="#provenance">provenance</a><a href="#definitions">definitions</a>'
        "</nav></header>"
    )
    body = [
        overview(data),
        '<section id="runs"><h2>Accuracy per template x profile</h2>',
        *(run_section(data, i) for i in range(len(runs))),
        "</section>",
        '<section id="robustness"><h2>Prompt robustness</h2><p>Per profile, how accuracy moves across the '
        "run's templates (min, max, range, population std) and the consistency rate: the share of template pairs "
        "that give the same correct / not-correct verdict on a problem (sample 0), averaged over problems. "
        "Definitions below.</p>",
        *(robustness_section(data, i) for i in range(len(runs))),
        "</section>",
        _browser_section(data),
        '<section id="provenance"><h2>Provenance</h2>',
        *(provenance_section(data, i) for i in range(len(runs))),
        "</section>",
        definitions_section(data),
    ]
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f'<meta http-equiv="Content-Security-Policy" content="{escape(csp, quote=False)}">'
        f"<title>{e(title)}</title><style>{asset('report.css')}</style></head><body>"
        + header
        + "<main>"
        + "".join(body)
        + "</main>"
        + f'<script type="application/json" id="report-data">{inline_json(page_data(data))}</script>'
        + f"<script>{script}</script></body></html>\n"
    )


def write_atomic(path: Path, text: str) -> None:
    """Write via a temp file beside `path` and rename, so no reader sees half a file."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)
