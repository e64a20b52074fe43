"""`verify`: can this run directory's numbers be traced to its records?

`verify_run(path)` reads a run directory without changing it (no migration, no repair,
nothing written) and checks, in order: the manifest, the benchmark hash of the stored
problems, the template hashes, the prompt hashes, the generations, each profile's grades
and their fingerprints, and summary.json against the grid recomputed from the records.
Each check is ok, warn (a field the run never recorded, a template changed since) or FAIL;
a run verifies when no check fails. `VerifyOptions(regrade=True)` also judges every stored
verdict again. The policy is in docs/verify.md.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rlvr_audit.core.errors import AuditError
from rlvr_audit.workflows.verify_checks import RunFiles, check_generations, check_grades
from rlvr_audit.workflows.verify_provenance import check_benchmark, check_fingerprints, check_prompts, check_templates
from rlvr_audit.workflows.verify_records import Check, read_json
from rlvr_audit.workflows.verify_summary import check_summary

__all__ = ["Check", "RunVerification", "VerifyOptions", "check_run_dir", "verify_run", "verify_runs"]

KNOWN_SCHEMAS = (1, 2)


@dataclass
class RunVerification:
    """The checks of one run directory."""

    path: Path
    name: str
    checks: list[Check] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not any(c.status == "FAIL" for c in self.checks)

    def failures(self) -> list[Check]:
        return [c for c in self.checks if c.status == "FAIL"]

    @property
    def incomplete(self) -> bool:
        """Whether every failure says only that records are still missing (finish the run)."""
        failures = self.failures()
        return bool(failures) and all(c.incomplete for c in failures)

    def to_json(self) -> dict[str, Any]:
        return {
            "run": self.name,
            "path": str(self.path),
            "ok": self.ok,
            "checks": [c.to_dict() for c in self.checks],
        }


def check_run_dir(path: str | Path) -> tuple[Path, dict[str, Any]]:
    """The path and its manifest as stored; AuditError (exit 2) when it is not a run."""
    path = Path(path)
    if not path.is_dir():
        raise AuditError(f"{path} is not a directory", "pass a run directory (one holding run.json)")
    manifest, why = read_json(path / "run.json")
    if manifest is None:
        raise AuditError(
            f"{path} is not a run directory ({why})",
            "pass a directory written by `rlvr-audit baseline` or `rlvr-audit import`",
        )
    if not isinstance(manifest, dict) or manifest.get("kind", "rlvr-audit-run") != "rlvr-audit-run":
        raise AuditError(f"{path}/run.json is not an rlvr-audit run manifest", "pass a run directory")
    return path, manifest


def _check_manifest(manifest: dict[str, Any]) -> Check:
    version = manifest.get("schema_version")
    if version not in KNOWN_SCHEMAS:
        return Check("manifest", "FAIL", f"schema version {version!r}; this rlvr-audit reads {KNOWN_SCHEMAS}")
    missing = [k for k in ("model", "benchmark", "templates", "sampling") if not manifest.get(k)]
    if missing:
        return Check("manifest", "FAIL", f"run.json lacks {', '.join(missing)}")
    model = (manifest.get("model") or {}).get("id")
    if version == 1:
        return Check("manifest", "warn", f"schema 1 (migrates to 2 when the run is next opened); model {model}")
    return Check("manifest", "ok", f"schema {version}; model {model}")


@dataclass(frozen=True)
class VerifyOptions:
    """`templates_dir`: where templates that are not built in live; `regrade`: judge every
    stored verdict again (with `workers` processes, `timeout` seconds per item)."""

    templates_dir: tuple[str | Path, ...] = ()
    regrade: bool = False
    workers: int | None = None
    timeout: float = 5.0


def verify_run(path: str | Path, options: VerifyOptions = VerifyOptions()) -> RunVerification:
    """Every check of one run directory, read-only."""
    path, manifest = check_run_dir(path)
    files = RunFiles.read(path, manifest)
    result = RunVerification(path, manifest.get("label") or path.name)
    manifest_check = _check_manifest(manifest)
    result.checks.append(manifest_check)
    if manifest_check.status == "FAIL":
        return result
    result.checks.append(check_benchmark(files))
    result.checks.append(check_templates(files, options.templates_dir))
    gen_check, generations = check_generations(files)
    result.checks.append(check_prompts(files, generations))
    result.checks.append(gen_check)
    for profile in sorted(files.grades):
        grade_check, grades = check_grades(files, profile, generations)
        result.checks.append(grade_check)
        result.checks.append(check_fingerprints(profile, grades))
        if options.regrade:
            from rlvr_audit.workflows.verify_regrade import check_verdicts

            result.checks.append(
                check_verdicts(files, profile, grades, generations, workers=options.workers, timeout=options.timeout)
            )
    if not files.grades:
        result.checks.append(Check("grades", "warn", "no grades (run `rlvr-audit grade RUN`)"))
    result.checks.append(check_summary(path, graded=bool(files.grades)))
    return result


def verify_runs(paths: Sequence[str | Path], options: VerifyOptions = VerifyOptions()) -> list[RunVerification]:
    """`verify_run` for each path, after checking that every path is a run directory, so
    a typo fails before any work."""
    for p in paths:
        check_run_dir(p)
    return [verify_run(p, options) for p in paths]
