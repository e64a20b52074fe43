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

A measured base run must be of the claim's model on the claim's benchmark (`base_mismatches`);
`force=True` compares anyway and labels every row "unmatched base".
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
UNMATCHED_BASE = "unmatched base"


@dataclass
class ClaimComparison:
    """Rows of (version, reward, claimed, claimed trained − baseline) in points, plus the
    baseline the policy chose."""

    claim: dict[str, Any]
    baseline: dict[str, Any]  # the baseline the policy chose
    published_baselines: list[dict[str, Any]]
    policy: str = DEFAULT_POLICY
    rows: list[dict[str, Any]] = field(default_factory=list)
    base_mismatch: list[str] = field(default_factory=list)  # how a forced base run differs

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
            "base_mismatch": list(self.base_mismatch),
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
    force: bool = False,
) -> ClaimComparison:
    """Claimed gains of claim `name` (a "gains" claim) next to the claimed trained accuracy
    minus the baseline `policy` picks (module docstring). With `base` and policy `best`, the
    measured best cell of that run is the baseline; a base run of another model or benchmark
    is refused unless `force`, which labels every row "unmatched base"."""
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
    mismatch = check_base(claim, base, force=force) if base is not None else []
    if base is not None:
        if policy != "best":
            raise AuditError(
                f"--baseline-policy {policy} uses a published number, so a measured base run has no role",
                "drop the base run, or drop --baseline-policy to compare against the run's best cell",
            )
        chosen = _measured_best(base, profiles, level=level, n_boot=n_boot, seed=seed)
    else:
        chosen = _published_baseline(claim, published, policy)
    out = ClaimComparison(
        claim=claim, baseline=chosen, published_baselines=published, policy=policy, base_mismatch=mismatch
    )
    claimed_base = float(claim["baseline"]["value"])
    for v in _versions(claim, version):
        for reward, gain in v["gains"].items():
            row = _row(v, reward, float(gain), claimed_base, chosen, published)
            out.rows.append({**row, "note": UNMATCHED_BASE} if mismatch else row)
    return out


def check_base(claim: dict[str, Any], base: Run, *, force: bool = False) -> list[str]:
    """How `base` differs from `claim` (`base_mismatches`): AuditError when it does, unless
    `force`; then the differences, for the rows' label."""
    mismatch = base_mismatches(claim, base)
    if mismatch and not force:
        raise AuditError(
            f"{base.name} is not a base run of claim '{claim['name']}': {'; '.join(mismatch)}",
            f"pass a run of {claim['model']} on {claim['benchmark']}, or add --force to compare anyway "
            f"(every row is then labelled '{UNMATCHED_BASE}')",
        )
    return mismatch


def base_mismatches(claim: dict[str, Any], base: Run) -> list[str]:
    """How `base` differs from the claim's model and benchmark, one phrase each (empty when
    it matches). Models match by name (`Qwen/Qwen2.5-Math-7B` = a local `.../qwen2.5-math-7b`
    directory), benchmarks by registry name."""
    out = []
    model = str((base.manifest.model or {}).get("id") or "")
    if model_name(model) != model_name(str(claim["model"])):
        out.append(f"its model is {model or 'unrecorded'}, the claim's is {claim['model']}")
    bench = base.benchmark_identity.get("name")
    if str(bench or "").casefold() != str(claim["benchmark"]).casefold():
        out.append(f"its benchmark is {bench or 'unrecorded'}, the claim's is {claim['benchmark']}")
    return out


def model_name(model_id: str) -> str:
    """A model id reduced to its name: the last path part, before any description an import
    appended ("Qwen2.5-Math-7B (base; ...)"), case-folded."""
    head = model_id.strip().split("(")[0].split()
    return head[0].rstrip("/").rsplit("/", 1)[-1].casefold() if head else ""


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
        "verified": None,  # measured here, not a published number someone could check
        "standardized": False,
    }
