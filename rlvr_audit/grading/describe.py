"""Rows for `rlvr-audit list profiles`."""

from __future__ import annotations

from rlvr_audit.grading.base import Profile
from rlvr_audit.grading.registry import list_profiles

# Built-ins that do not declare `exact_benchmarks`: their harness has one rule set, and
# these are the benchmarks it was checked on (GRADERS.md section 10); on others the same
# rules apply, but the harness's own gold handling for them was not reproduced.
_CHECKED_ON: dict[str, tuple[str, ...]] = {
    name: ("math500",)
    for name in (
        "math-verify",
        "sober",
        "minerva",
        "hendrycks",
        "prm800k",
        "r1zero",
        "r1zero-fast",
        "r1zero-tag",
        "dapo",
    )
}


def exact_benchmarks(profile: Profile) -> str:
    """The benchmarks `profile` reproduces its harness on, as one cell ("" when not stated)."""
    names = profile.exact_benchmarks if profile.exact_benchmarks is not None else _CHECKED_ON.get(profile.name)
    return ", ".join(names) if names else ""


def describe_profiles() -> list[dict]:
    return [
        {
            "name": p.name,
            "version": p.version,
            "harness": p.harness,
            "description": p.description,
            "benchmarks": exact_benchmarks(p),
            "notes": p.notes,
        }
        for p in list_profiles()
    ]
