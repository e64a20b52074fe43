"""Tabular output shared by every command: one TableData, rendered as a rich table, CSV,
Markdown or LaTeX. Command-specific layouts (the grid, the comparison) build a TableData."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rlvr_audit.core.errors import AuditError


@dataclass
class TableData:
    """`rows` are lists of cell values (str/int/float/None); `styles` optionally maps
    (row index, column index) -> a rich style used only by `to_rich`."""

    columns: list[str]
    rows: list[list[Any]]
    title: str | None = None
    caption: str | None = None
    styles: dict[tuple[int, int], str] = field(default_factory=dict)

    def records(self) -> list[dict[str, Any]]:
        return [dict(zip(self.columns, row)) for row in self.rows]

    def to_rich(self):
        from rich.table import Table

        table = Table(title=self.title, caption=self.caption)
        for i, col in enumerate(self.columns):
            table.add_column(col, justify="left" if i == 0 else "right")
        for r, row in enumerate(self.rows):
            cells = []
            for c, value in enumerate(row):
                text = _fmt(value)
                style = self.styles.get((r, c))
                cells.append(f"[{style}]{text}[/]" if style else text)
            table.add_row(*cells)
        return table

    def to_csv(self) -> str:
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\n")
        writer.writerow(self.columns)
        for row in self.rows:
            writer.writerow(["" if v is None else v for v in row])
        return buf.getvalue()

    def to_markdown(self) -> str:
        def esc(v: Any) -> str:
            return _fmt(v).replace("|", "\\|")

        lines = []
        if self.title:
            lines += [f"**{self.title}**", ""]
        lines.append("| " + " | ".join(esc(c) for c in self.columns) + " |")
        lines.append("|" + "|".join(["---"] + ["---:"] * (len(self.columns) - 1)) + "|")
        for row in self.rows:
            lines.append("| " + " | ".join(esc(v) for v in row) + " |")
        if self.caption:
            lines += ["", self.caption]
        return "\n".join(lines) + "\n"

    def to_latex(self) -> str:
        spec = "l" + "r" * (len(self.columns) - 1)
        lines = ["\\begin{table}[t]", "\\centering", f"\\begin{{tabular}}{{{spec}}}", "\\toprule"]
        lines.append(" & ".join(_latex_escape(c) for c in self.columns) + " \\\\")
        lines.append("\\midrule")
        for row in self.rows:
            lines.append(" & ".join(_latex_escape(_fmt(v)) for v in row) + " \\\\")
        lines += ["\\bottomrule", "\\end{tabular}"]
        if self.caption or self.title:
            lines.append(f"\\caption{{{_latex_escape(self.caption or self.title or '')}}}")
        lines.append("\\end{table}")
        return "\n".join(lines) + "\n"

    def to_json(self) -> str:
        return json.dumps({"title": self.title, "columns": self.columns, "rows": self.records()}, indent=2)


def _fmt(value: Any) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:.1f}"
    return str(value)


_LATEX_SPECIALS = {
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "{": r"\{",
    "}": r"\}",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
    "\\": r"\textbackslash{}",
}


def _latex_escape(text: str) -> str:
    return "".join(_LATEX_SPECIALS.get(ch, ch) for ch in str(text))


def write_table(table: TableData, path: str | Path, fmt: str | None = None) -> Path:
    """Write as `fmt` (".csv", ".md", ".tex", ".json"), by default the file's extension."""
    path = Path(path)
    renderers = {".csv": table.to_csv, ".md": table.to_markdown, ".tex": table.to_latex, ".json": table.to_json}
    render = renderers.get((fmt or path.suffix).lower())
    if render is None:
        raise AuditError(f"cannot write a table as '{path.suffix}'", "use a .csv, .md, .tex or .json file name")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render(), encoding="utf-8")
    return path


def print_table(table: Any) -> None:
    """Print a TableData (or any rich renderable). When stdout is not a terminal (a pipe, a
    CI log), print as wide as the table needs instead of rich's 80 columns, so headers and
    names are never wrapped or cut."""
    from rich.console import Console

    rendered = table.to_rich() if isinstance(table, TableData) else table
    console = Console()
    if not console.is_terminal:
        width = Console(width=10_000, file=io.StringIO()).measure(rendered).maximum
        console = Console(width=max(80, width))
    console.print(rendered)
