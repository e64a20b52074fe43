"""Prompt robustness of one run: how much its numbers depend on the prompt template.

Definitions (docs/report.md states them to readers; the numbers depend on them):

- A template's **verdict** on a problem, under a profile, is whether sample 0 of that
  (problem, template) is graded `correct` (1) or not (0: `incorrect`, `no_answer`,
  `timeout`, `error`). A problem with no grade for a template has no verdict there.
- **accuracy spread** of a profile: over the templates, the accuracy (avg@n over all graded
  samples, in %, as in the grid) gives `min`, `max`, `range` (= max - min) and `std`, the
  population standard deviation (ddof = 0: the templates are the whole set compared, not
  a sample of prompts). Templates with nothing graded are left out.
- **consistency rate** of a profile: for each problem with verdicts under at least two
  templates, the share of unordered template pairs {t, u} (t != u, both with a verdict)
  whose verdicts agree; averaged over those problems, in %. With k of m templates correct
  on a problem, its share is (C(k,2) + C(m-k,2)) / C(m,2). 100 means no template ever flips
  a verdict; a problem is "flipped" when its share is below 100. `None` with fewer than two
  templates.
- **no_answer share** of a (profile, template): the share of that template's graded
  generations (every sample) whose grade is `no_answer`, in %.

Everything here is computed from status tables (`status_tables`), so the functions are
exercised on hand-written inputs without a run.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

from rlvr_audit.store.run import Run

__all__ = [
    "accuracy_spread",
    "consistency_rate",
    "no_answer_share",
    "problem_consistency",
    "robustness",
    "status_tables",
]

# A status table: template -> per problem (rows in one problem order) -> per sample, the
# status string, or None where the sample has no grade.
StatusTable = Mapping[str, Sequence[Sequence[str | None]]]


def _round(value: float | None) -> float | None:
    return None if value is None or math.isnan(value) else round(float(value), 4)


def problem_consistency(verdicts: Sequence[bool | None]) -> float | None:
    """The share of template pairs with equal verdicts on one problem (0-1); None when
    fewer than two templates have a verdict. `verdicts`: one per template."""
    known = [v for v in verdicts if v is not None]
    m = len(known)
    if m < 2:
        return None
    k = sum(known)
    pairs = m * (m - 1) / 2
    return (k * (k - 1) / 2 + (m - k) * (m - k - 1) / 2) / pairs


def _verdict(samples: Sequence[str | None]) -> bool | None:
    """Sample 0's verdict: correct or not; None when it has no grade."""
    if not samples or samples[0] is None or samples[0] == "missing":
        return None
    return samples[0] == "correct"


def consistency_rate(table: StatusTable, templates: Sequence[str]) -> dict[str, Any]:
    """The consistency rate of one profile over `templates` (module docstring), in %, with
    the number of problems it averages over and how many of them a template flips."""
    columns = [table[t] for t in templates if t in table]
    n_problems = max((len(c) for c in columns), default=0)
    shares = []
    for i in range(n_problems):
        share = problem_consistency([_verdict(c[i]) if i < len(c) else None for c in columns])
        if share is not None:
            shares.append(share)
    rate = 100 * sum(shares) / len(shares) if shares else None
    return {
        "rate": _round(rate),
        "problems": len(shares),
        "flipped": sum(1 for s in shares if s < 1),
    }


def _accuracy(rows: Sequence[Sequence[str | None]]) -> float | None:
    """avg@n in %: the mean over problems of each problem's share of correct graded samples."""
    means = []
    for samples in rows:
        graded = [s for s in samples if s is not None and s != "missing"]
        if graded:
            means.append(sum(s == "correct" for s in graded) / len(graded))
    return 100 * sum(means) / len(means) if means else None


def accuracy_spread(accuracies: Mapping[str, float | None]) -> dict[str, Any]:
    """min, max, range and population std of the templates' accuracies (%), naming the
    templates at the extremes; None entries (nothing graded) are left out."""
    known = {t: a for t, a in accuracies.items() if a is not None and not math.isnan(a)}
    if not known:
        return {"min": None, "max": None, "range": None, "std": None, "templates": 0, "argmin": None, "argmax": None}
    values = list(known.values())
    mean = sum(values) / len(values)
    std = math.sqrt(sum((v - mean) ** 2 for v in values) / len(values))
    lo = min(known, key=lambda t: known[t])
    hi = max(known, key=lambda t: known[t])
    return {
        "min": _round(known[lo]),
        "max": _round(known[hi]),
        "range": _round(known[hi] - known[lo]),
        "std": _round(std),
        "templates": len(known),
        "argmin": lo,
        "argmax": hi,
    }


def no_answer_share(rows: Sequence[Sequence[str | None]]) -> float | None:
    """The share (%) of graded samples whose status is no_answer; None when none is graded."""
    graded = [s for samples in rows for s in samples if s is not None and s != "missing"]
    return _round(100 * sum(s == "no_answer" for s in graded) / len(graded)) if graded else None


def robustness(tables: Mapping[str, StatusTable], templates: Sequence[str]) -> dict[str, Any]:
    """Per profile: the accuracy per template, its spread, the consistency rate and the
    no_answer share per template. `tables`: profile -> status table."""
    out: dict[str, Any] = {}
    for profile, table in tables.items():
        accuracies = {t: _accuracy(table[t]) for t in templates if t in table}
        out[profile] = {
            "accuracy": {t: _round(a) for t, a in accuracies.items()},
            "spread": accuracy_spread(accuracies),
            "consistency": consistency_rate(table, templates),
            "no_answer": {t: no_answer_share(table[t]) for t in templates if t in table},
        }
    return out


def status_tables(
    run: Run, profiles: Sequence[str], templates: Sequence[str], order: Sequence[str] | None = None
) -> dict[str, dict[str, list[list[str | None]]]]:
    """profile -> template -> per problem -> per sample status (None: no grade), rows in
    `order` (problem ids; default the run's own order). Reads each grade file once."""
    ids = list(order) if order is not None else [p.id for p in run.problems()]
    n = run.sampling.n
    out: dict[str, dict[str, list[list[str | None]]]] = {}
    for profile in profiles:
        grades = run.grades(profile)
        out[profile] = {
            t: [[(g.status if (g := grades.get((pid, t, s))) else None) for s in range(n)] for pid in ids]
            for t in templates
        }
    return out
