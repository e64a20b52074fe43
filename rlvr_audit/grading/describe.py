"""Rows for `rlvr-audit list profiles`."""

from __future__ import annotations

from rlvr_audit.grading.registry import list_profiles


def describe_profiles() -> list[dict]:
    return [
        {"name": p.name, "version": p.version, "harness": p.harness, "description": p.description, "notes": p.notes}
        for p in list_profiles()
    ]
