"""Tabular output shared by every command: one TableData, rendered as a rich table, CSV,
Markdown or LaTeX. Command-specific layouts (the grid, the comparison) build a TableData."""

from __future__ import annotations

import csv
import io
import json
import os
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rlvr_audit.core.errors import AuditError

DASH = "\u2013"  # what a missing value shows, always with a footnote marker saying why
NO_VALUE = "no value recorded"  # the reason of a bare None cell, when the table gives none


@dataclass(frozen=True)
class Missing:
    """A cell without a value, and why: shown as a dash with a footnote marker; the
    footnotes under the table give the reasons. CSV and JSON write it as empty / null."""

    reason: str

    def __str__(self) -> str:
        return DASH


@dataclass
class TableData:
    """`rows` are lists of cell values (str/int/float/None/Missing); `styles` optionally maps
    (row index, column index) -> a rich style. `legend` maps a style to what it means: such
    cells are also bold (a style with "bold") or underlined/italic in LaTeX and Markdown, and
    each output's caption says what its marking means. Styles without a legend entry are
    decoration for the terminal only."""

    columns: list[str]
    rows: list[list[Any]]
    title: str | None = None
    caption: str | None = None
    styles: dict[tuple[int, int], str] = field(default_factory=dict)
    legend: dict[str, str] = field(default_factory=dict)
    none_reason: str = NO_VALUE

    def records(self) -> list[dict[str, Any]]:
        return [dict(zip(self.columns, (_plain(v) for v in row))) for row in self.rows]

    def footnotes(self) -> list[tuple[str, str]]:
        """(marker, reason) per distinct reason of a missing cell, in reading order: a, b, c, ..."""
        reasons: list[str] = []
        for row in self.rows:
            for value in row:
                reason = self._reason(value)
                if reason is not None and reason not in reasons:
                    reasons.append(reason)
        return [(_marker(i), r) for i, r in enumerate(reasons)]

    def _reason(self, value: Any) -> str | None:
        if isinstance(value, Missing):
            return value.reason
        return self.none_reason if value is None else None

    def _cells(self, dash: str) -> list[list[str]]:
        """The rows as text; a missing cell is `dash` with its footnote marker in brackets."""
        markers = {reason: m for m, reason in self.footnotes()}
        out = []
        for row in self.rows:
            texts = []
            for value in row:
                reason = self._reason(value)
                texts.append(f"{dash}[{markers[reason]}]" if reason is not None else _fmt(value))
            out.append(texts)
        return out

    def _legend_text(self, describe: Any) -> str:
        used = {style for style in self.styles.values()}
        return "; ".join(f"{describe(style)}: {meaning}" for style, meaning in self.legend.items() if style in used)

    def _caption(self, describe: Any) -> str:
        return "; ".join(part for part in (self.caption, self._legend_text(describe)) if part)

    def to_rich(self):
        """A rich Table; with missing cells, the Table and its footnotes (left-aligned) as a Group."""
        from rich.console import Group
        from rich.markup import escape
        from rich.table import Table
        from rich.text import Text

        caption = self._caption(lambda style: style) or None
        table = Table(title=escape(self.title) if self.title else None, caption=escape(caption) if caption else None)
        for i, col in enumerate(self.columns):
            table.add_column(escape(col), justify="left" if i == 0 else "right", overflow="fold")
        for r, row in enumerate(self._cells(DASH)):
            cells = []
            for c, text in enumerate(row):
                style = self.styles.get((r, c))
                cells.append(f"[{style}]{escape(text)}[/]" if style else escape(text))
            table.add_row(*cells)
        notes = [Text(f"[{m}] {reason}", style="dim") for m, reason in self.footnotes()]
        return Group(table, *notes) if notes else table

    def to_csv(self) -> str:
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\n")
        writer.writerow(self.columns)
        for row in self.rows:
            writer.writerow(["" if _plain(v) is None else v for v in row])
        return buf.getvalue()

    def to_markdown(self) -> str:
        def esc(v: Any) -> str:
            return str(v).replace("|", "\\|")

        def mark(style: str) -> str:
            return "**bold**" if "bold" in style else "_italic_"

        lines = []
        if self.title:
            lines += [f"**{esc(self.title)}**", ""]
        lines.append("| " + " | ".join(esc(c) for c in self.columns) + " |")
        lines.append("|" + "|".join(["---"] + ["---:"] * (len(self.columns) - 1)) + "|")
        for r, row in enumerate(self._cells(DASH)):
            texts = []
            for c, text in enumerate(row):
                style = self.styles.get((r, c))
                if style in self.legend:
                    text = f"**{text}**" if "bold" in style else f"_{text}_"
                texts.append(esc(text))
            lines.append("| " + " | ".join(texts) + " |")
        caption = self._caption(mark)
        notes = [f"[{m}] {reason}" for m, reason in self.footnotes()]
        if caption:
            lines += ["", caption]
        if notes:
            lines += [""] + [note + "  " for note in notes[:-1]] + notes[-1:]
        return "\n".join(lines) + "\n"

    def to_latex(self) -> str:
        """A booktabs table of plain ASCII (`% requires \\usepackage{booktabs}` heads it)."""

        def mark(style: str) -> str:
            return "bold" if "bold" in style else "underlined"

        spec = "l" + "r" * (len(self.columns) - 1)
        lines = [LATEX_REQUIRES, "\\begin{table}[t]", "\\centering", f"\\begin{{tabular}}{{{spec}}}", "\\toprule"]
        lines.append(" & ".join(latex_escape(c) for c in self.columns) + " \\\\")
        lines.append("\\midrule")
        for r, row in enumerate(self._cells("--")):
            texts = []
            for c, text in enumerate(row):
                cell = _latex_footnoted(text)
                style = self.styles.get((r, c))
                if style in self.legend:
                    cell = f"\\textbf{{{cell}}}" if "bold" in style else f"\\underline{{{cell}}}"
                texts.append(cell)
            lines.append(" & ".join(texts) + " \\\\")
        lines += ["\\bottomrule", "\\end{tabular}"]
        notes = self.footnotes()
        if notes:
            lines.append("\\par\\smallskip")
            lines.append(
                "{\\footnotesize "
                + " \\\\\n".join(f"\\textsuperscript{{{m}}}{latex_escape(reason)}" for m, reason in notes)
                + "\\par}"
            )
        caption = self._caption(mark) or self.title
        if caption:
            lines.append(f"\\caption{{{latex_escape(caption)}}}")
        lines.append("\\end{table}")
        return "\n".join(lines) + "\n"

    def to_json(self) -> str:
        data: dict[str, Any] = {"title": self.title, "columns": self.columns, "rows": self.records()}
        notes = self.footnotes()
        if notes:
            data["missing"] = {m: reason for m, reason in notes}
        return json.dumps(data, indent=2)


LATEX_REQUIRES = "% requires \\usepackage{booktabs} (\\toprule, \\midrule, \\bottomrule)"


def _marker(i: int) -> str:
    """a, b, ..., z, aa, ab, ..."""
    letters = "abcdefghijklmnopqrstuvwxyz"
    return letters[i] if i < 26 else _marker(i // 26 - 1) + letters[i % 26]


def _latex_footnoted(text: str) -> str:
    """A cell's LaTeX: escaped, with a "--[a]" marker raised to a superscript."""
    if text.startswith("--[") and text.endswith("]"):
        return f"--\\textsuperscript{{{text[3:-1]}}}"
    return latex_escape(text)


def _plain(value: Any) -> Any:
    return None if isinstance(value, Missing) else value


def _fmt(value: Any) -> str:
    if value is None or isinstance(value, Missing):
        return DASH
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
    "<": r"\textless{}",
    ">": r"\textgreater{}",
    "|": r"\textbar{}",
    # what the tables print outside ASCII: pdflatex without inputenc tricks needs commands
    "\u2013": "--",
    "\u2014": "---",
    "\u2212": "-",
    "\u2192": r"$\rightarrow$",
    "\u00b1": r"$\pm$",
    "\u00d7": r"$\times$",
    "\u2026": r"\ldots{}",
    "\u2264": r"$\leq$",
    "\u2265": r"$\geq$",
    "\u2248": r"$\approx$",
    "\u00b7": r"$\cdot$",
    "\u2018": "`",
    "\u2019": "'",
    "\u201c": "``",
    "\u201d": "''",
}


def latex_escape(text: str) -> str:
    """`text` as plain-ASCII LaTeX: specials escaped, known symbols as commands, accents
    dropped (e -> e), anything else as '?'."""
    out = []
    for ch in str(text):
        if ch in _LATEX_SPECIALS:
            out.append(_LATEX_SPECIALS[ch])
        elif ch.isascii():
            out.append(ch)
        else:
            base = unicodedata.normalize("NFKD", ch).encode("ascii", "ignore").decode()
            out.append(latex_escape(base) if base else "?")
    return "".join(out)


_latex_escape = latex_escape  # the old private name


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


_FULL_WIDTH = {"on": False}


def set_full_width(on: bool) -> None:
    """`--wide`: print every table as wide as it needs, whatever the terminal or COLUMNS."""
    _FULL_WIDTH["on"] = bool(on)


def table_console(rendered: Any) -> Any:
    """The rich Console to print `rendered` with: full width with `--wide`; else the
    terminal's width on a terminal, COLUMNS when set (a pipe, a CI log), and as wide as the
    table needs on a pipe without COLUMNS (so logs never wrap a header)."""
    from rich.console import Console

    console = Console()
    columns = os.environ.get("COLUMNS", "")
    if not _FULL_WIDTH["on"] and (console.is_terminal or (columns.isdigit() and int(columns) > 0)):
        return console  # rich takes COLUMNS, else the terminal's size, and wraps cells to fit
    width = Console(width=10_000, file=io.StringIO()).measure(rendered).maximum
    return Console(width=max(80, width))


def print_table(table: Any) -> None:
    """Print a TableData (or any rich renderable) to fit the width `table_console` picks:
    cells wrap (long words fold) rather than being cut."""
    rendered = table.to_rich() if isinstance(table, TableData) else table
    table_console(rendered).print(rendered)
