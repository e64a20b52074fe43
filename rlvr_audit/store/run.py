"""The run store: one directory per run (one model x one benchmark x templates x sampling).

Layout (schema version 1)::

    RUN_DIR/run.json                  manifest (see `new_manifest`)
    RUN_DIR/problems.jsonl            the benchmark's problems, so grading needs no reload
    RUN_DIR/generations.jsonl         append-only Generation records
    RUN_DIR/grades/<profile>.jsonl    append-only grades, one per generation
    RUN_DIR/summary.json              derived cells (rewritten by `baseline`/`grade`)

A record's key is (problem_id, template, sample). Readers keep the first record of a key,
so a re-run after kill -9 never double counts; writers skip keys already present.
"""

from __future__ import annotations

import datetime as _dt
import platform
import sys
from collections.abc import Iterable
from dataclasses import fields
from pathlib import Path
from typing import Any

import numpy as np

from rlvr_audit.core.errors import AuditError
from rlvr_audit.core.types import Generation, Grade, Problem, Sampling
from rlvr_audit.core.version import __version__
from rlvr_audit.io.jsonl import JsonlAppender, read_jsonl, write_json_atomic

SCHEMA_VERSION = 1
MANIFEST = "run.json"
Key = tuple[str, str, int]


def utc_now() -> str:
    return _dt.datetime.now(_dt.timezone.utc).replace(microsecond=0).isoformat()


def hardware_info() -> dict[str, Any]:
    import os

    info: dict[str, Any] = {
        "platform": platform.platform(),
        "python": sys.version.split()[0],
        "cpu_count": os.cpu_count(),
    }
    return info


def new_manifest(
    *,
    model: dict[str, Any],
    benchmark: dict[str, Any],
    templates: dict[str, dict[str, Any]],
    sampling: Sampling,
    backend: dict[str, Any] | None = None,
    command: str | None = None,
    as_claimed: dict[str, str] | None = None,
    label: str | None = None,
    source: str = "generated",
    extra: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """A manifest dict. `model` has at least "id"; `benchmark` is Benchmark.identity plus
    "source"; `templates` maps name -> {"hash", "kind", ...}; `as_claimed` names the
    template and profile a published number used, when known."""
    manifest = {
        "schema_version": SCHEMA_VERSION,
        "kind": "rlvr-audit-run",
        "created_utc": utc_now(),
        "rlvr_audit_version": __version__,
        "label": label,
        "source": source,
        "model": model,
        "benchmark": benchmark,
        "templates": templates,
        "sampling": sampling.to_dict(),
        "backend": backend or {},
        "hardware": hardware_info(),
        "command": command if command is not None else " ".join(sys.argv),
        "as_claimed": as_claimed,
    }
    if extra:
        manifest.update(extra)
    return manifest


def _spec_of(manifest: dict[str, Any]) -> dict[str, Any]:
    """What must match for two invocations to share a run directory."""
    model = manifest.get("model", {})
    return {
        "model": model.get("id"),
        "model_hash": model.get("weights_hash") or model.get("revision"),
        "benchmark": manifest.get("benchmark", {}).get("hash"),
        "sampling": manifest.get("sampling"),
    }


class Run:
    """A run directory, opened for reading and appending."""

    def __init__(self, path: Path, manifest: dict[str, Any]):
        self.path = path
        self.manifest = manifest
        self._problems: list[Problem] | None = None
        self._generations: dict[Key, Generation] | None = None

    # -- opening / creating -------------------------------------------------
    @classmethod
    def open(cls, path: str | Path) -> Run:
        path = Path(path)
        manifest_path = path / MANIFEST
        if not manifest_path.is_file():
            raise AuditError(
                f"{path} is not a run directory (no {MANIFEST})",
                "pass a directory written by `rlvr-audit baseline` or `rlvr-audit import`",
            )
        import json

        try:
            manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        except json.JSONDecodeError as exc:
            raise AuditError(f"{manifest_path} is not valid JSON ({exc})", "restore or delete it") from exc
        version = manifest.get("schema_version")
        if version != SCHEMA_VERSION:
            raise AuditError(
                f"{path} has run schema version {version}; this rlvr-audit reads {SCHEMA_VERSION}",
                "upgrade rlvr-audit or re-import the generations",
            )
        return cls(path, manifest)

    @classmethod
    def create(
        cls,
        path: str | Path,
        manifest: dict[str, Any],
        problems: Iterable[Problem],
        *,
        overwrite: bool = False,
    ) -> Run:
        """Create a run, or reopen it to resume when its spec matches.

        Templates may be added to an existing run (their generations are new); a template
        whose content hash changed, or any other spec change, is refused unless `overwrite`.
        """
        path = Path(path)
        if (path / MANIFEST).exists() and not overwrite:
            run = cls.open(path)
            old, new = _spec_of(run.manifest), _spec_of(manifest)
            changed = [k for k in old if old[k] != new[k]]
            for name, info in manifest.get("templates", {}).items():
                before = run.manifest.get("templates", {}).get(name)
                if before and before.get("hash") != info.get("hash"):
                    changed.append(f"template {name}")
            if changed:
                raise AuditError(
                    f"{path} holds a run with a different spec ({', '.join(changed)} changed)",
                    "pass --overwrite to replace it, or choose another --out directory",
                )
            merged = dict(run.manifest)
            merged["templates"] = {**run.manifest.get("templates", {}), **manifest.get("templates", {})}
            merged["updated_utc"] = utc_now()
            merged["resumed"] = int(run.manifest.get("resumed", 0)) + 1
            write_json_atomic(path / MANIFEST, merged)
            run.manifest = merged
            return run
        if overwrite and path.exists():
            import shutil

            for child in ("generations.jsonl", "problems.jsonl", "summary.json", MANIFEST):
                (path / child).unlink(missing_ok=True)
            shutil.rmtree(path / "grades", ignore_errors=True)
        path.mkdir(parents=True, exist_ok=True)
        problems = list(problems)
        with JsonlAppender(path / "problems.jsonl") as out:
            out.write_many(
                {"id": p.id, "question": p.question, "answer": p.answer, "solution": p.solution, "meta": p.meta}
                for p in problems
            )
        write_json_atomic(path / MANIFEST, manifest)  # last: its presence marks a complete create
        return cls(path, manifest)

    # -- reading ------------------------------------------------------------
    @property
    def name(self) -> str:
        return self.manifest.get("label") or self.path.name

    @property
    def benchmark_identity(self) -> dict[str, Any]:
        b = self.manifest.get("benchmark", {})
        return {"name": b.get("name"), "size": b.get("size"), "hash": b.get("hash")}

    @property
    def sampling(self) -> Sampling:
        known = {f.name for f in fields(Sampling)}
        return Sampling(**{k: v for k, v in self.manifest.get("sampling", {}).items() if k in known})

    @property
    def templates(self) -> list[str]:
        return list(self.manifest.get("templates", {}))

    def problems(self) -> list[Problem]:
        if self._problems is None:
            self._problems = [
                Problem(r["id"], r["question"], r["answer"], r.get("solution"), r.get("meta") or {})
                for r in read_jsonl(self.path / "problems.jsonl")
            ]
        return self._problems

    def generations(self) -> dict[Key, Generation]:
        """Generations by key (first record of a key wins)."""
        if self._generations is None:
            names = {f.name for f in fields(Generation)}
            out: dict[Key, Generation] = {}
            for r in read_jsonl(self.path / "generations.jsonl"):
                key = (r["problem_id"], r["template"], int(r["sample"]))
                if key not in out:
                    out[key] = Generation(**{k: v for k, v in r.items() if k in names})
            self._generations = out
        return self._generations

    def graded_profiles(self) -> list[str]:
        grades_dir = self.path / "grades"
        if not grades_dir.is_dir():
            return []
        return sorted(p.stem for p in grades_dir.glob("*.jsonl"))

    def grades(self, profile: str) -> dict[Key, Grade]:
        out: dict[Key, Grade] = {}
        for r in read_jsonl(self.path / "grades" / f"{profile}.jsonl"):
            key = (r["problem_id"], r["template"], int(r["sample"]))
            if key not in out:
                version = str(r.get("version", ""))
                out[key] = Grade(profile, version, r["status"], r.get("extracted"), r.get("detail"), r.get("fingerprint"))
        return out

    def matrix(self, template: str, profile: str, what: str = "correct") -> np.ndarray:
        """A [problems x samples] array for one cell, rows in problems() order.

        what="correct": 1.0/0.0, NaN where no grade exists; "status": status strings
        ("missing" where absent); "extracted": extracted answers (None where absent).
        """
        problems = self.problems()
        n = self.sampling.n
        grades = self.grades(profile)
        if what == "correct":
            out = np.full((len(problems), n), np.nan)
        else:
            out = np.full((len(problems), n), None, dtype=object)
        for i, p in enumerate(problems):
            for s in range(n):
                g = grades.get((p.id, template, s))
                if g is None:
                    if what == "status":
                        out[i, s] = "missing"
                    continue
                if what == "correct":
                    out[i, s] = 1.0 if g.correct else 0.0
                elif what == "status":
                    out[i, s] = g.status
                else:
                    out[i, s] = g.extracted
        return out

    def cells(self) -> list[tuple[str, str]]:
        """(template, profile) pairs that have grades."""
        profiles = self.graded_profiles()
        return [(t, p) for t in self.templates for p in profiles]

    # -- writing ------------------------------------------------------------
    def generation_writer(self, *, fsync: bool = True) -> JsonlAppender:
        """`fsync=False`: each flush only hands lines to the OS, which is enough to survive
        kill -9 (the caller syncs to disk at its own pace)."""
        self._generations = None
        return JsonlAppender(self.path / "generations.jsonl", fsync=fsync)

    def grade_writer(self, profile: str) -> JsonlAppender:
        return JsonlAppender(self.path / "grades" / f"{profile}.jsonl")

    @staticmethod
    def grade_record(key: Key, grade: Grade) -> dict[str, Any]:
        return {
            "problem_id": key[0],
            "template": key[1],
            "sample": key[2],
            "status": grade.status,
            "extracted": grade.extracted,
            "detail": grade.detail,
            "version": grade.version,
            "fingerprint": grade.fingerprint,  # None only for grades made before fingerprints
            "schema_version": 2,  # of this record's shape
        }

    def update_manifest(self, **changes: Any) -> None:
        self.manifest.update(changes)
        self.manifest["updated_utc"] = utc_now()
        write_json_atomic(self.path / MANIFEST, self.manifest)

    def write_summary(self, summary: dict[str, Any]) -> None:
        write_json_atomic(self.path / "summary.json", summary)
