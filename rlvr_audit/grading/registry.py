"""Profile registry: the built-in profiles, then plug-ins from other installed packages.

Profiles are loaded lazily so that listing them is cheap and a worker process imports
only what it grades with. A plug-in is an entry point in the group `rlvr_audit.profiles`
whose name is the profile name and whose value is "module:attribute" of a Profile
instance (docs/profiles-plugins.md). A plug-in never replaces a built-in: one that takes
a built-in's name is skipped with a warning, so installing a package cannot change the
verdicts of a name already in use. A plug-in that cannot be loaded is an AuditError
naming its package, raised when it is used (by name, by "all" or by `list profiles`).
"""

from __future__ import annotations

import importlib
import warnings
from functools import cache
from typing import TYPE_CHECKING

from rlvr_audit.core.errors import AuditError
from rlvr_audit.grading.base import Profile

if TYPE_CHECKING:
    from importlib.metadata import EntryPoint

ENTRY_POINT_GROUP = "rlvr_audit.profiles"

# name -> "module:attribute" of a Profile instance. Order is the display order.
_BUILTINS: dict[str, str] = {
    "qwen25-math": "rlvr_audit.grading.profiles.qwen25_math:QWEN25_MATH",
    "ttrl": "rlvr_audit.grading.profiles.ttrl:TTRL",
    "math-verify": "rlvr_audit.grading.profiles.math_verify:MATH_VERIFY",
    "sober": "rlvr_audit.grading.profiles.sober:SOBER",
    "minerva": "rlvr_audit.grading.profiles.minerva:MINERVA",
    "hendrycks": "rlvr_audit.grading.profiles.hendrycks:HENDRYCKS",
    "prm800k": "rlvr_audit.grading.profiles.prm800k:PRM800K",
    "r1zero": "rlvr_audit.grading.profiles.r1zero:R1ZERO",
    "r1zero-fast": "rlvr_audit.grading.profiles.r1zero:R1ZERO_FAST",
    "r1zero-tag": "rlvr_audit.grading.profiles.r1zero:R1ZERO_TAG",
    "dapo": "rlvr_audit.grading.profiles.dapo:DAPO",
}

DEFAULT_PROFILES: tuple[str, ...] = tuple(_BUILTINS)

# Built-in variants: graded only when named (never by "all" or by default), listed by
# `list profiles` after the defaults. They keep a behaviour that a default profile dropped.
_VARIANTS: dict[str, str] = {
    "math-verify-untimed": "rlvr_audit.grading.profiles.math_verify:MATH_VERIFY_UNTIMED",
    "sober-untimed": "rlvr_audit.grading.profiles.sober:SOBER_UNTIMED",
}


class ProfilePluginWarning(UserWarning):
    """An installed profile plug-in was skipped (its name is taken)."""


def _package(ep: EntryPoint) -> str:
    dist = getattr(ep, "dist", None)
    return f"'{dist.name}'" if dist is not None else "(unknown package)"


@cache
def _plugins() -> dict[str, EntryPoint]:
    """Installed plug-ins by profile name, sorted by name; name clashes are skipped."""
    from importlib.metadata import entry_points  # only when profiles are asked for

    found: dict[str, EntryPoint] = {}
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        taken_by = "a built-in profile" if ep.name in _BUILTINS or ep.name in _VARIANTS else None
        if ep.name in found and found[ep.name].value != ep.value:
            taken_by = f"the plug-in from package {_package(found[ep.name])}"
        if taken_by is not None:
            message = AuditError(
                f"profile plug-in '{ep.name}' from package {_package(ep)} is ignored: {taken_by} has that name",
                f"rename its entry point in group {ENTRY_POINT_GROUP}, or uninstall the package",
            )
            warnings.warn(message.one_line(), ProfilePluginWarning, stacklevel=2)
            continue
        found.setdefault(ep.name, ep)
    return dict(sorted(found.items()))


def profile_names() -> list[str]:
    """Built-in profile names in display order, then installed plug-ins by name: the
    profiles "all" stands for (built-in variants are not among them)."""
    return list(_BUILTINS) + list(_plugins())


def known_profile_names() -> list[str]:
    """Every profile that can be named: the built-ins, the built-in variants, the plug-ins."""
    return list(_BUILTINS) + list(_VARIANTS) + list(_plugins())


def builtin_modules() -> list[str]:
    """The modules that hold the built-in profiles (worth preloading)."""
    return sorted({target.split(":")[0] for target in (*_BUILTINS.values(), *_VARIANTS.values())})


def _load_builtin(name: str, target: str) -> Profile:
    module_name, attr = target.split(":")
    profile = getattr(importlib.import_module(module_name), attr)
    if profile.name != name:  # registry and module must agree
        raise RuntimeError(f"profile {target} is named {profile.name!r}, expected {name!r}")
    return profile


def _load_plugin(ep: EntryPoint) -> Profile:
    where = f"profile plug-in '{ep.name}' ({ep.value}) from package {_package(ep)}"
    fix = f"fix or uninstall the package; its entry point in group {ENTRY_POINT_GROUP} must name a Profile instance"
    try:
        profile = ep.load()
    except Exception as exc:  # whatever the package's import raises, the user's fix is the same
        raise AuditError(f"{where} cannot be loaded ({type(exc).__name__}: {exc})", fix) from exc
    if isinstance(profile, type) and issubclass(profile, Profile):
        raise AuditError(f"{where} is the class {profile.__name__}, not an instance of it", fix)
    if not isinstance(profile, Profile):
        raise AuditError(f"{where} is a {type(profile).__name__}, not a rlvr_audit Profile", fix)
    if profile.name != ep.name:
        raise AuditError(f"{where} is named {profile.name!r}", "make the entry point's name and Profile.name agree")
    return profile


@cache
def get_profile(name: str) -> Profile:
    """The profile called `name`; an AuditError naming the known ones otherwise."""
    target = _BUILTINS.get(name) or _VARIANTS.get(name)
    if target is not None:
        return _load_builtin(name, target)
    ep = _plugins().get(name)
    if ep is None:  # perhaps installed since the first look: look once more
        _plugins.cache_clear()
        ep = _plugins().get(name)
    if ep is None:
        known = ", ".join(known_profile_names())
        raise AuditError(f"'{name}' is not a known profile", f"use one of: {known}")
    return _load_plugin(ep)


def is_registered(profile: Profile) -> bool:
    """Whether `profile` is the registry's own instance, so a worker can load it by name."""
    return profile.name in known_profile_names() and get_profile(profile.name) is profile


def profile_fingerprint(name: str) -> str:
    """A short hex digest of profile `name`'s class, version, configuration and the
    installed versions of the libraries it calls (see `rlvr_audit.grading.identity`)."""
    from rlvr_audit.grading.identity import fingerprint

    return fingerprint(get_profile(name))


def profile_identity(name: str) -> dict:
    """The readable parts of `profile_fingerprint(name)` (version, libraries, ...)."""
    from rlvr_audit.grading.identity import identity

    return identity(get_profile(name))


def list_profiles() -> list[Profile]:
    """Every known profile, the built-in variants included."""
    return [get_profile(name) for name in known_profile_names()]


def resolve_profiles(spec: str | list[str] | None) -> list[str]:
    """Turn a user's profile selection ("all", "a,b", ["a", "b"], None) into names."""
    if spec is None or spec == "all" or spec == ["all"]:
        return profile_names()
    items = spec.split(",") if isinstance(spec, str) else [p for s in spec for p in s.split(",")]
    names = [s.strip() for s in items if s.strip()]
    known = set(known_profile_names())
    for name in names:
        if name not in known:
            get_profile(name)  # raises the helpful error
    return names
