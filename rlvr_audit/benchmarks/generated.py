"""Benchmarks generated offline from a seed, by name: 'random-calculation' (default params)
or 'random-calculation:n=200,steps=1-20,operands=1-100,seed=1'. The registry and the
training data loader both resolve such names here; the generators live in their own
modules (`benchmarks.random_calculation`)."""

from __future__ import annotations

from typing import Any

from rlvr_audit.benchmarks import random_calculation as rc
from rlvr_audit.core.errors import AuditError

# name -> description (for `list benchmarks`).
GENERATORS: dict[str, str] = {
    rc.GENERATOR_NAME: "synthetic multi-step arithmetic with exact answers (Wu et al. 2025's RandomCalculation)",
}


def is_generated(name: str) -> bool:
    """True for a generated benchmark's name, bare or with params ('random-calculation:n=200')."""
    return isinstance(name, str) and base_name(name) in GENERATORS


def base_name(name: str) -> str:
    """'random-calculation:n=200' -> 'random-calculation' (the Benchmark's name)."""
    return name.partition(":")[0].strip()


def parse_generated(name: str) -> rc.RandomCalculationParams:
    """The params of 'random-calculation' (defaults) or 'random-calculation:key=value,...'."""
    base, _, rest = name.partition(":")
    if base.strip() not in GENERATORS:
        raise AuditError(f"'{base}' is not a generated benchmark", f"use one of: {', '.join(GENERATORS)}")
    options: dict[str, str] = {}
    for item in filter(None, (part.strip() for part in rest.split(","))):
        key, eq, value = item.partition("=")
        key = key.strip()
        if not eq or not key or not value.strip():
            raise AuditError(
                f"'{item}' in '{name}' is not key=value",
                f"write {base}:n=200,steps=1-20,operands=1-100,seed=1 (keys: {', '.join(rc.PARAM_KEYS)})",
            )
        if key in options:
            raise AuditError(f"'{key}' is given twice in '{name}'", "give each parameter once")
        options[key] = value.strip()
    return rc.params_from_options(options)


def generated_rows(name: str) -> tuple[list[dict[str, Any]], str, dict[str, Any]]:
    """(rows, source, generator identity) of a generated benchmark name."""
    params = parse_generated(name)
    rows = rc.generate_rows(params)
    return rows, params.source(), rc.generator_identity(params, rows)


def describe_generated() -> list[dict[str, Any]]:
    """Rows for `rlvr-audit list benchmarks`, in the registry's columns."""
    default = rc.RandomCalculationParams()
    return [
        {
            "name": name,
            "size": default.n,
            "hub": "generated offline",
            "split": "-",
            "revision": f"generator v{rc.GENERATOR_VERSION}",
            "notes": f"{description}; params: {default.spec()}",
        }
        for name, description in GENERATORS.items()
    ]
