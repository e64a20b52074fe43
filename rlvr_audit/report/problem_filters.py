"""The problem browser's filters, defined once: the sentences the page and docs/report.md
show, and a reference implementation over the report data (`select_problems`) that the
page's script mirrors and the tests check it against.

The browser looks at one *run* R, one *template* T and one *profile* P at a time, and at
sample 0 of each (problem, template). A grade's *verdict* is correct (status `correct`)
or not correct (`incorrect`, `no_answer`, `timeout`, `error`); a missing grade has no
verdict and never counts as a disagreement. Filters combine with AND.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from rlvr_audit.core.errors import AuditError

# One character per problem in the browser's status strings.
STATUS_CODES = {"correct": "c", "incorrect": "i", "no_answer": "n", "timeout": "t", "error": "e", "missing": "-"}
CODE_STATUS = {v: k for k, v in STATUS_CODES.items()}

FILTERS: dict[str, dict[str, str]] = {
    "disagree": {
        "label": "profiles disagree",
        "definition": "In run R under template T, sample 0 is graded correct by at least one profile and "
        "not correct by at least one other (profiles without a grade are left out).",
    },
    "flips": {
        "label": "template flips the verdict",
        "definition": "In run R under profile P, sample 0 is correct under at least one template and not "
        "correct under at least one other (templates without a grade are left out).",
    },
    "differs": {
        "label": "trained and base differ",
        "definition": "For template T and profile P, sample 0 is correct in one of the base run and the "
        "chosen trained run R and not correct in the other; both must have a grade. Needs R to be a "
        "trained run (not the base).",
    },
    "status": {
        "label": "status",
        "definition": "The grade of sample 0 in run R, template T, profile P has this status "
        "(missing: no grade, e.g. the template is not in the run).",
    },
    "search": {
        "label": "search by id",
        "definition": "The problem id contains the text typed (case-insensitive).",
    },
}

SEARCH_NOTE = "Filters combine with AND; verdict = correct vs not correct (incorrect, no_answer, timeout, error)."


def _code(browser_run: dict[str, Any], template: str, profile: str, i: int) -> str:
    column = (browser_run["status"].get(template) or {}).get(profile)
    return column[i] if column is not None else "-"


def _mixed(codes: Iterable[str]) -> bool:
    verdicts = {c == "c" for c in codes if c != "-"}
    return len(verdicts) == 2


def select_problems(
    data: dict[str, Any],
    *,
    run: str,
    template: str,
    profile: str,
    disagree: bool = False,
    flips: bool = False,
    differs: bool = False,
    status: str | None = None,
    search: str | None = None,
) -> list[str]:
    """The ids of the problems the browser lists for these choices, in problem order
    (definitions in FILTERS). `data` is `build_report_data`'s dict."""
    browser = data["browser"]
    names = [r["name"] for r in browser["runs"]]
    if run not in names:
        raise AuditError(f"no run {run!r} in this report", f"pick one of: {', '.join(names)}")
    r = browser["runs"][names.index(run)]
    base = browser["runs"][browser["base"]]
    if differs and r is base:
        raise AuditError("'trained and base differ' needs a trained run", "pick a run other than the base")
    if status is not None and status not in STATUS_CODES:
        raise AuditError(f"unknown status {status!r}", f"pick one of: {', '.join(STATUS_CODES)}")
    needle = (search or "").strip().lower()
    out = []
    for i, pid in enumerate(data["problems"]["ids"]):
        if needle and needle not in pid.lower():
            continue
        if disagree and not _mixed(_code(r, template, p, i) for p in r["profiles"]):
            continue
        if flips and not _mixed(_code(r, t, profile, i) for t in r["templates"]):
            continue
        if differs:
            a, b = _code(base, template, profile, i), _code(r, template, profile, i)
            if "-" in (a, b) or (a == "c") == (b == "c"):
                continue
        if status is not None and _code(r, template, profile, i) != STATUS_CODES[status]:
            continue
        out.append(pid)
    return out
