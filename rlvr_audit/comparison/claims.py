"""`compare --claim NAME`: a paper's claimed gains next to the gains adjusted with the best
baseline, with no runs needed.

The trained accuracy a paper implies is its baseline + its claimed gain. The adjusted gain
subtracts the best baseline instead: the highest corrected number in the registry for the
same model and benchmark, or, when a measured base run is given, that run's best cell
(with its bootstrap CI, so the adjusted gain gets one too).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from rlvr_audit.analysis import stats
from rlvr_audit.comparison.claim_registry import baselines_for, get_claim
from rlvr_audit.core.errors import AuditError
from rlvr_audit.store.run import Run

SCHEMA = "rlvr-audit.compare-claim"
SCHEMA_VERSION = 1


@dataclass
class ClaimComparison:
    """Rows of (version, reward, claimed, adjusted) in points, plus the baseline used."""

    claim: dict[str, Any]
    baseline: dict[str, Any]  # the best baseline used for adjusting
    published_baselines: list[dict[str, Any]]
    rows: list[dict[str, Any]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "schema": SCHEMA,
            "schema_version": SCHEMA_VERSION,
            "claim": {k: self.claim.get(k) for k in ("name", "paper", "arxiv", "url", "model", "benchmark", "setting")},
            "claimed_baseline": self.claim["baseline"],
            "adjusting_baseline": self.baseline,
            "published_baselines": self.published_baselines,
            "rows": self.rows,
        }


def compare_claim(
    name: str,
    base: Run | None = None,
    *,
    version: str | None = None,
    profiles: list[str] | None = None,
    level: float = 0.95,
    n_boot: int = 2000,
    seed: int = 0,
) -> ClaimComparison:
    """Claimed vs adjusted gains for claim `name` (a "gains" claim). With `base`, the
    measured best cell of that run is the adjusting baseline."""
    claim = get_claim(name)
    if claim["kind"] != "gains":
        raise AuditError(
            f"claim '{name}' records baselines, not gains", "pass a claim with gains, e.g. --claim spurious-rewards"
        )
    published = baselines_for(claim["model"], claim["benchmark"])
    if base is not None:
        best = _measured_best(base, profiles, level=level, n_boot=n_boot, seed=seed)
    elif published:
        top = max(published, key=lambda b: b["value"])
        best = {"source": "published", **top, "low": None, "high": None}
    else:
        raise AuditError(
            f"no published baseline for {claim['model']} on {claim['benchmark']}",
            "pass a measured base run: rlvr-audit compare BASE_RUN --claim NAME",
        )
    versions = claim.get("versions", [])
    if version is not None:
        versions = [v for v in versions if v["version"] == version]
        if not versions:
            known = ", ".join(v["version"] for v in claim.get("versions", []))
            raise AuditError(f"claim '{name}' has no version '{version}'", f"use one of: {known}")
    claimed_base = float(claim["baseline"]["value"])
    out = ClaimComparison(claim=claim, baseline=best, published_baselines=published)
    for v in versions:
        for reward, gain in v["gains"].items():
            trained = claimed_base + float(gain)
            adjusted = trained - best["value"]
            row = {
                "version": v["version"],
                "reward": reward,
                "claimed_base": claimed_base,
                "claimed_trained": round(trained, 2),
                "claimed_gain": float(gain),
                "adjusted_gain": round(adjusted, 2),
                "adjusted_low": round(trained - best["high"], 2) if best.get("high") is not None else None,
                "adjusted_high": round(trained - best["low"], 2) if best.get("low") is not None else None,
                "kept": round(adjusted / float(gain), 3) if gain else None,
                "vs_published": {f"{b['claim']}:{b['label']}": round(trained - b["value"], 2) for b in published},
                "verified": bool(v.get("verified", False)),
            }
            out.rows.append(row)
    return out


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
    }
