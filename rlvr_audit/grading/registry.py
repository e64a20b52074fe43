"""Profile registry. Profiles are loaded lazily so that listing them is cheap and a worker
process imports only what it grades with."""

from __future__ import annotations

import importlib
from functools import cache

from rlvr_audit.core.errors import AuditError
from rlvr_audit.grading.base import Profile

# name -> "module:attribute" of a Profile instance. Order is the display order.
_REGISTRY: dict[str, str] = {
    "qwen25-math": "rlvr_audit.grading.profiles.qwen:QWEN25_MATH",
    "ttrl": "rlvr_audit.grading.profiles.qwen:TTRL",
    "math-verify": "rlvr_audit.grading.profiles.mathverify:MATH_VERIFY",
    "sober": "rlvr_audit.grading.profiles.mathverify:SOBER",
    "minerva": "rlvr_audit.grading.profiles.minerva:MINERVA",
    "hendrycks": "rlvr_audit.grading.profiles.hendrycks:HENDRYCKS",
    "prm800k": "rlvr_audit.grading.profiles.hendrycks:PRM800K",
    "r1zero": "rlvr_audit.grading.profiles.r1zero:R1ZERO",
    "r1zero-fast": "rlvr_audit.grading.profiles.r1zero:R1ZERO_FAST",
    "r1zero-tag": "rlvr_audit.grading.profiles.r1zero:R1ZERO_TAG",
    "dapo": "rlvr_audit.grading.profiles.minerva:DAPO",
}

DEFAULT_PROFILES: tuple[str, ...] = tuple(_REGISTRY)


def profile_names() -> list[str]:
    return list(_REGISTRY)


@cache
def get_profile(name: str) -> Profile:
    """The profile called `name`; an AuditError naming the known ones otherwise."""
    target = _REGISTRY.get(name)
    if target is None:
        known = ", ".join(_REGISTRY)
        raise AuditError(f"'{name}' is not a known profile", f"use one of: {known}")
    module_name, attr = target.split(":")
    profile = getattr(importlib.import_module(module_name), attr)
    if profile.name != name:  # registry and module must agree
        raise RuntimeError(f"profile {target} is named {profile.name!r}, expected {name!r}")
    return profile


def list_profiles() -> list[Profile]:
    return [get_profile(name) for name in _REGISTRY]


def resolve_profiles(spec: str | list[str] | None) -> list[str]:
    """Turn a user's profile selection ("all", "a,b", ["a", "b"], None) into names."""
    if spec is None or spec == "all" or spec == ["all"]:
        return profile_names()
    items = spec.split(",") if isinstance(spec, str) else [p for s in spec for p in s.split(",")]
    names = [s.strip() for s in items if s.strip()]
    for name in names:
        if name not in _REGISTRY:
            get_profile(name)  # raises the helpful error
    return names
