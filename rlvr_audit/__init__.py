"""rlvr-audit: audit claimed gains of RL-trained reasoning models.

The public Python surface (everything else is internal and may change)::

    import rlvr_audit as ra

    ra.grade("... so the answer is \\boxed{4}.", "4", profile="math-verify")  # -> Grade
    batch = ra.grade_many([ra.GradeRequest(text, gold)], ["qwen25-math", "math-verify"])
    base, trained = ra.open_run("runs/base"), ra.open_run("runs/rl-random")
    result = ra.compare_runs(base, [trained])  # claimed vs adjusted gains
    ra.profiles()  # the grading profiles, built-in and plug-in

Names are resolved on first use, so importing the package (and starting the CLI) stays
cheap.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rlvr_audit.core.version import __version__

if TYPE_CHECKING:  # pragma: no cover
    from rlvr_audit.api import compare_runs, grade, grade_many, open_run, profiles
    from rlvr_audit.core.errors import AuditError
    from rlvr_audit.core.types import Grade
    from rlvr_audit.grading.base import GradeRequest, Profile

__all__ = [
    "AuditError",
    "Grade",
    "GradeRequest",
    "Profile",
    "__version__",
    "compare_runs",
    "grade",
    "grade_many",
    "open_run",
    "profiles",
]

_LAZY = {
    "AuditError": "rlvr_audit.core.errors",
    "Grade": "rlvr_audit.core.types",
    "GradeRequest": "rlvr_audit.grading.base",
    "Profile": "rlvr_audit.grading.base",
    "compare_runs": "rlvr_audit.api",
    "grade": "rlvr_audit.api",
    "grade_many": "rlvr_audit.api",
    "open_run": "rlvr_audit.api",
    "profiles": "rlvr_audit.api",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'rlvr_audit' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
