"""CI gates on a comparison: which trained runs fail `--fail-if-adjusted-below X` or
`--fail-on-regression`, each with a one-line reason. The gates read the adjusted gain's
estimate and CI (points); the caller decides what a tripped gate does (the CLI exits 1)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Gates:
    """`adjusted_below`: trip when an adjusted gain is below this many points;
    `on_regression`: trip when a trained run is worse than base beyond the CI."""

    adjusted_below: float | None = None
    on_regression: bool = False


def _adjusted_gains(result: Any) -> list[tuple[str, float, float | None, float | None]]:
    """(name, gain, CI low, CI high) per trained run of a Comparison or ClaimComparison."""
    if hasattr(result, "trained"):
        return [(r.run, r.adjusted["gain"], r.adjusted["low"], r.adjusted["high"]) for r in result.trained]
    return [
        (
            f"{r['reward']} [{r['version']}]",
            r["gain_vs_baseline"],
            r["gain_vs_baseline_low"],
            r["gain_vs_baseline_high"],
        )
        for r in result.rows
    ]


def tripped_gates(result: Any, gates: Gates) -> list[str]:
    """One-line reasons for every gate `result` trips, in run order; empty when all pass."""
    reasons = []
    for name, gain, low, high in _adjusted_gains(result):
        ci = "" if low is None else f" (CI [{low:+.1f}, {high:+.1f}])"
        if gates.on_regression and high is not None and high < 0:
            reasons.append(f"{name} regressed: adjusted gain {gain:+.1f}{ci} is below 0 beyond the CI")
        if gates.adjusted_below is not None and gain < gates.adjusted_below:
            reasons.append(f"{name}: adjusted gain {gain:+.1f}{ci} is below the required {gates.adjusted_below:+.1f}")
    return reasons
