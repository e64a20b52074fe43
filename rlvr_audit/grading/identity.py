"""What a verdict depends on, as a short digest: a profile's class, its version, its
configuration and the installed versions of the libraries it calls.

A stored grade or a cached verdict whose fingerprint differs from the profile's current
one is stale: the code or a library that made it may judge differently now. The digest
alone cannot say *why*, so `identity` keeps the readable parts next to it and `explain`
turns two identities into "math-verify 0.9.0 -> 0.9.1".

The profile's own code is not hashed (a refactor would invalidate everything); its
`version` stands for it, and tests/grading/test_verdict_digests.py fails when verdicts
change without a version bump.
"""

from __future__ import annotations

import hashlib
import json
from importlib import metadata
from typing import Any

from rlvr_audit.grading.base import Profile

# Every built-in depends on the package itself; the rest by what the profile's blocks import.
SELF = "rlvr-audit"
_SYMPY_STACK = ("sympy", "latex2sympy2_extended", "antlr4-python3-runtime", "pylatexenc")
_MATH_VERIFY = ("math-verify", "latex2sympy2_extended", "sympy", "antlr4-python3-runtime")
LIBRARIES: dict[str, tuple[str, ...]] = {
    "qwen25-math": (*_SYMPY_STACK, "word2number"),
    "ttrl": (*_SYMPY_STACK, "word2number"),
    "math-verify": _MATH_VERIFY,
    "sober": _MATH_VERIFY,
    "minerva": ("sympy", "antlr4-python3-runtime"),
    "hendrycks": (),
    "prm800k": _SYMPY_STACK,
    "r1zero": (*_SYMPY_STACK, "math-verify"),
    "r1zero-fast": _SYMPY_STACK,
    "r1zero-tag": (*_SYMPY_STACK, "math-verify"),
    "dapo": (),
}
# A plug-in that does not declare `libraries` may call any of them: all count.
ALL_LIBRARIES = ("math-verify", *_SYMPY_STACK, "word2number", "regex")
# Prose attributes: editing them never changes a verdict. `exact_benchmarks` is prose too;
# `uses_answer_items` is behaviour that `version` stands for (as for methods), so that
# declaring it on the base class leaves every other profile's fingerprint as it was.
_PROSE = frozenset(
    {"name", "harness", "description", "notes", "version", "libraries", "exact_benchmarks", "uses_answer_items"}
)

_known: dict[int, tuple[Profile, dict[str, Any], str]] = {}


def _installed(dist: str) -> str | None:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return None


def _plain(value: Any) -> Any:
    """A JSON-able stand-in for a configuration value (functions by their qualified name)."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in sorted(value.items(), key=lambda kv: str(kv[0]))}
    if callable(value):
        return f"{getattr(value, '__module__', '?')}.{getattr(value, '__qualname__', type(value).__name__)}"
    return repr(value)


def _configuration(profile: Profile) -> dict[str, Any]:
    """Class-level and instance attributes that are data, not methods or prose."""
    config: dict[str, Any] = {}
    for klass in reversed(type(profile).__mro__[:-1]):  # base first, so subclasses override
        for key, value in vars(klass).items():
            if key.startswith("_") or key in _PROSE or isinstance(value, (staticmethod, classmethod, property)):
                continue
            if callable(value) and not isinstance(value, type):
                continue  # methods: their behaviour is what `version` stands for
            config[key] = _plain(value)
    for key, value in vars(profile).items():
        if not key.startswith("_") and key not in _PROSE:
            config[key] = _plain(value)
    return dict(sorted(config.items()))


def libraries_of(profile: Profile) -> tuple[str, ...]:
    """The distributions whose installed versions can change `profile`'s verdicts."""
    declared = getattr(profile, "libraries", None)
    if declared is None:
        declared = (
            LIBRARIES.get(profile.name, ALL_LIBRARIES)
            if type(profile).__module__.startswith("rlvr_audit.")
            else ALL_LIBRARIES
        )
    return (SELF, *sorted(set(declared) - {SELF}))


def _compute(profile: Profile) -> tuple[dict[str, Any], str]:
    klass = type(profile)
    identity = {
        "profile": profile.name,
        "version": str(profile.version),
        "class": f"{klass.__module__}.{klass.__qualname__}",
        "config": _configuration(profile),
        "libraries": {dist: _installed(dist) for dist in libraries_of(profile)},
    }
    blob = json.dumps(identity, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return identity, hashlib.sha256(blob.encode("utf-8")).hexdigest()[:16]


def _entry(profile: Profile) -> tuple[Profile, dict[str, Any], str]:
    # Profiles are frozen once built: compute once per instance (the strong reference keeps id() unique).
    entry = _known.get(id(profile))
    if entry is None or entry[0] is not profile:
        entry = (profile, *_compute(profile))
        _known[id(profile)] = entry
    return entry


def fingerprint(profile: Profile) -> str:
    """The 16-hex-digit digest of `profile`'s identity."""
    return _entry(profile)[2]


def identity(profile: Profile) -> dict[str, Any]:
    """The readable parts of the fingerprint: version, class, configuration, library versions."""
    return json.loads(json.dumps(_entry(profile)[1]))


def forget() -> None:
    """Drop the computed fingerprints (after installing a library in this process; tests)."""
    _known.clear()


def explain(old: dict[str, Any] | None, new: dict[str, Any]) -> list[str]:
    """What changed between two identities, one phrase each ("math-verify 0.9.0 -> 0.9.1")."""
    name = new.get("profile", "?")
    if not old:
        return ["graded before grade fingerprints"]
    changes = []
    if str(old.get("version")) != str(new.get("version")):
        changes.append(f"{name} version {old.get('version')} -> {new.get('version')}")
    old_libs, new_libs = old.get("libraries") or {}, new.get("libraries") or {}
    for dist in sorted(set(old_libs) | set(new_libs)):
        if old_libs.get(dist) != new_libs.get(dist):
            changes.append(f"{dist} {old_libs.get(dist) or 'absent'} -> {new_libs.get(dist) or 'absent'}")
    if old.get("class") != new.get("class"):
        changes.append(f"{name} class {old.get('class')} -> {new.get('class')}")
    if old.get("config") != new.get("config"):
        changes.append(f"{name} configuration changed")
    return changes or ["fingerprint changed"]
