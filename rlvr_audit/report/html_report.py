"""The HTML audit report: `build_report_data` gathers everything a reviewer needs about
some runs (grids, gains, robustness, problems, provenance) into one dict, and
`write_html_report` writes it as a self-contained page plus the same data as JSON.

    data = build_report_data([base_run, trained_run], n_boot=1000)
    write_html_report(data, Path("report.html"))          # also report.json beside it

The page is described in docs/report.md, the JSON in docs/report-json.md.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from rlvr_audit.report.html_page import render_page, write_atomic
from rlvr_audit.report.report_data import SCHEMA, SCHEMA_VERSION, build_report_data

__all__ = ["SCHEMA", "SCHEMA_VERSION", "build_report_data", "default_json_path", "write_html_report"]


def default_json_path(html_path: Path) -> Path:
    """The JSON beside the page: report.html -> report.json."""
    return Path(html_path).with_suffix(".json")


def write_html_report(data: dict[str, Any], html_path: Path, json_path: Path | None = None) -> None:
    """Write the page to `html_path` and the data to `json_path` (default: beside the page,
    `default_json_path`), each atomically (temp file + rename)."""
    html_path = Path(html_path)
    json_path = Path(json_path) if json_path is not None else default_json_path(html_path)
    page = render_page(data)
    text = json.dumps(data, indent=1, ensure_ascii=False, allow_nan=False) + "\n"
    write_atomic(json_path, text)
    write_atomic(html_path, page)
