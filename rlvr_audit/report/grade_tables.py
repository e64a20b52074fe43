"""Tables for `rlvr-audit grade` on files: accuracy per group, answer health per profile,
and the long form (one row per group and profile) that --json and --csv print."""

from __future__ import annotations

from typing import Any

from rlvr_audit.core.types import STATUSES
from rlvr_audit.report.tables import TableData

_FAILURES = STATUSES[2:]  # no_answer, timeout, error
_LONG_COLUMNS = ("group", "profile", "n", "accuracy", "parsable", "correct", "incorrect", *_FAILURES)


def grade_tables(rows: list[dict[str, Any]], profiles: list[str]) -> tuple[TableData, TableData, TableData]:
    """(accuracy, health, long) tables of summary rows; the last group is the total."""
    groups = list(dict.fromkeys(r["group"] for r in rows))
    cell = {(r["group"], r["profile"]): r for r in rows}
    acc = TableData(
        columns=["group", "n", *profiles],
        rows=[[g, cell[(g, profiles[0])]["n"], *(cell[(g, p)]["accuracy"] for p in profiles)] for g in groups],
        title="accuracy % (correct / all items)",
    )
    for r, g in enumerate(groups):  # best profile of each group in bold
        values = [cell[(g, p)]["accuracy"] or 0.0 for p in profiles]
        acc.styles[(r, 2 + values.index(max(values)))] = "bold green"
    totals = [r for r in rows if r["group"] == groups[-1]]
    health = TableData(
        columns=["profile", "parsable %", *_FAILURES],
        rows=[[r["profile"], r["parsable"], *(r[s] for s in _FAILURES)] for r in totals],
        title=f"answers found ({groups[-1]})",
        caption="parsable = an answer was extracted and judged; timeout/error are not counted as correct",
    )
    for i, r in enumerate(totals):
        for j, s in enumerate(_FAILURES[1:], start=3):
            if r[s]:
                health.styles[(i, j)] = "red"
    long = TableData(columns=list(_LONG_COLUMNS), rows=[[r[c] for c in _LONG_COLUMNS] for r in rows])
    return acc, health, long
