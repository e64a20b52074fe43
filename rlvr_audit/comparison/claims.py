"""`compare --claim NAME`: a paper's claimed gains next to what they become against other
baselines, with no runs needed.

The trained accuracy a paper implies in its own (claimed) cell is its baseline + its claimed
gain. The figure reported here subtracts another base number from it, chosen by a baseline
policy:

- `best` (default): the highest published corrected number for the same model and benchmark,
  or, when a measured base run is given, that run's best cell (with its bootstrap CI). The
  trained model's best cell is at least its claimed cell, so this figure is a lower bound on
  the adjusted gain (best cell vs best cell) that `compare` reports for two runs;
- `standardized`: the published number marked as the standardised re-evaluation (64.3 for
  Qwen2.5-Math-7B on MATH-500, from "A Sober Look");
- a claim name (`ttrl`) or `CLAIM:LABEL`: that published number.

The same difference against every published baseline is in `vs_published`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from rlvr_audit.analysis import stats
from rlvr_audit.comparison.claim_registry import baselines_for, contamination_figures, get_claim
from rlvr_audit.core.errors import AuditError
from rlvr_audit.store.run import Run

SCHEMA = "rlvr-audit.compare-claim"
SCHEMA_VERSION = 2
DEFAULT_POLICY = "best"


@dataclass
class ClaimComparison:
    """Rows of (version, reward, claimed, claimed trained − baseline) in points, plus the
    baseline the policy chose."""

    claim: dict[str, Any]
    baseline: dict[str, Any]  # the baseline the policy chose
    published_baselines: list[dict[str, Any]]
    policy: str = DEFAULT_POLICY
    rows: list[dict[str, Any]] = field(default_factory=list)

    @property
    def lower_bound(self) -> bool:
        """Whether the figure is a lower bound on the adjusted gain (policy `best`)."""
        return self.policy == "best"

    def figure_description(self) -> str:
        """What `gain_vs_baseline` means under this comparison's policy, in one line."""
        b = self.baseline
        what = f"trained accuracy in the claimed cell minus {_baseline_phrase(self.policy, b)} {b['value']:.1f}"
        if self.lower_bound:
            return f"{what}: a lower bound on the adjusted gain (best trained cell vs best base cell)"
        return what

    def to_dict(self) -> dict[str, Any]:
        return {
            "schema": SCHEMA,
            "schema_version": SCHEMA_VERSION,
            "claim": {k: self.claim.get(k) for k in ("name", "paper", "arxiv", "url", "model", "benchmark", "setting")},
            "claimed_baseline": self.claim["baseline"],
            "baseline_policy": self.policy,
            "baseline": self.baseline,
            "figure": {"lower_bound": self.lower_bound, "description": self.figure_description()},
            "published_baselines": self.published_baselines,
            "rows": [dict(row) for row in self.rows],
            "published_contamination": contamination_figures(self.claim["model"], self.claim["benchmark"]),
        }


def _baseline_phrase(policy: str, baseline: dict[str, Any]) -> str:
    if policy == "best":
        return "the best measured base cell" if baseline["source"] == "measured" else "the best published base"
    if policy == "standardized":
        return "the standardized base"
    return f"the published base '{baseline.get('claim')}:{baseline.get('label')}'"


def compare_claim(
    name: str,
    base: Run | None = None,
    *,
    version: str | None = None,
    policy: str = DEFAULT_POLICY,
    profiles: list[str] | None = None,
    level: float = 0.95,
    n_boot: int = 2000,
    seed: int = 0,
) -> ClaimComparison:
    """Claimed gains of claim `name` (a "gains" claim) next to the claimed trained accuracy
    minus the baseline `policy` picks (module docstring). With `base` and policy `best`, the
    measured best cell of that run is the baseline."""
    claim = get_claim(name)
    if claim["kind"] == "contamination":
        raise AuditError(
            f"claim '{name}' records a memorisation probe, not gains",
            f"measure it with: rlvr-audit contamination --model MODEL --benchmark {claim['benchmark']}",
        )
    if claim["kind"] != "gains":
        raise AuditError(
            f"claim '{name}' records baselines, not gains", "pass a claim with gains, e.g. --claim spurious-rewards"
        )
    published = baselines_for(claim["model"], claim["benchmark"])
    if base is not None:
        if policy != "best":
            raise AuditError(
                f"--baseline-policy {policy} uses a published number, so a measured base run has no role",
                "drop the base run, or drop --baseline-policy to compare against the run's best cell",
            )
        chosen = _measured_best(base, profiles, level=level, n_boot=n_boot, seed=seed)
    else:
        chosen = _published_baseline(claim, published, policy)
    out = ClaimComparison(claim=claim, baseline=chosen, published_baselines=published, policy=policy)
    claimed_base = float(claim["baseline"]["value"])
    for v in _versions(claim, version):
        for reward, gain in v["gains"].items():
            out.rows.append(_row(v, reward, float(gain), claimed_base, chosen, published))
    return out


def _versions(claim: dict[str, Any], version: str | None) -> list[dict[str, Any]]:
    versions = claim.get("versions", [])
    if version is None:
        return versions
    picked = [v for v in versions if v["version"] == version]
    if not picked:
        known = ", ".join(v["version"] for v in versions)
        raise AuditError(f"claim '{claim['name']}' has no version '{version}'", f"use one of: {known}")
    return picked


def _row(
    v: dict[str, Any],
    reward: str,
    gain: float,
    claimed_base: float,
    chosen: dict[str, Any],
    published: list[dict[str, Any]],
) -> dict[str, Any]:
    trained = claimed_base + gain
    figure = trained - chosen["value"]
    low = round(trained - chosen["high"], 2) if chosen.get("high") is not None else None
    high = round(trained - chosen["low"], 2) if chosen.get("low") is not None else None
    row = {
        "version": v["version"],
        "reward": reward,
        "claimed_base": claimed_base,
        "claimed_trained": round(trained, 2),
        "claimed_gain": gain,
        "gain_vs_baseline": round(figure, 2),
        "gain_vs_baseline_low": low,
        "gain_vs_baseline_high": high,
        "kept": round(figure / gain, 3) if gain else None,
        "vs_published": {f"{b['claim']}:{b['label']}": round(trained - b["value"], 2) for b in published},
        "verified": bool(v.get("verified", False)),
    }
    return row


def _published_baseline(claim: dict[str, Any], published: list[dict[str, Any]], policy: str) -> dict[str, Any]:
    """The published number `policy` names, as a baseline record (no CI)."""
    if not published:
        raise AuditError(
            f"no published baseline for {claim['model']} on {claim['benchmark']}",
            "pass a measured base run: rlvr-audit compare BASE_RUN --claim NAME",
        )
    if policy == "best":
        picked = [max(published, key=lambda b: b["value"])]
    elif policy == "standardized":
        picked = [b for b in published if b.get("standardized")]
    else:
        picked = [b for b in published if policy in (b["claim"], f"{b['claim']}:{b['label']}")]
    if len(picked) != 1:
        names = ", ".join(["best", "standardized"] + [f"{b['claim']}:{b['label']}" for b in published])
        found = "no" if not picked else "more than one"
        raise AuditError(
            f"{found} published baseline matches --baseline-policy {policy} for {claim['model']} on "
            f"{claim['benchmark']}",
            f"use one of: {names}",
        )
    return {"source": "published", **picked[0], "low": None, "high": None}


def _measured_best(base: Run, profiles: list[str] | None, *, level: float, n_boot: int, seed: int) -> dict[str, Any]:
    cells = [c for c in base.cells() if not profiles or c[1] in profiles]
    if not cells:
        raise AuditError(f"{base.name} has no graded cells", f"grade it first: rlvr-audit grade {base.path}")
    accs = {c: stats.avg_at_n(base.matrix(*c)) for c in cells}
    t, p = max(accs, key=lambda c: accs[c])
    low, high = stats.bootstrap_ci(base.matrix(t, p), level=level, n_boot=n_boot, seed=seed)
    return {
        "source": "measured",
        "claim": None,
        "label": f"{base.name} best cell",
        "template": t,
        "profile": p,
        "value": round(100 * accs[(t, p)], 2),
        "low": round(100 * low, 2),
        "high": round(100 * high, 2),
        "sd": None,
        "verified": True,
        "standardized": False,
    }
