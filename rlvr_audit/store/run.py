"""The run store: one directory per run (one model x one benchmark x templates x sampling).

Layout (schema version 2; fields in docs/run-format.md)::

    RUN_DIR/run.json                  manifest (`store.manifest.Manifest`, see `new_manifest`)
    RUN_DIR/problems.jsonl            the benchmark's problems, so grading needs no reload
    RUN_DIR/prompts.jsonl             the exact prompt text, once per (problem, template)
    RUN_DIR/generations.jsonl         append-only Generation records (with "prompt_hash")
    RUN_DIR/grades/<profile>.jsonl    append-only grades, one per generation
    RUN_DIR/summary.json              derived cells (rewritten by `baseline`/`grade`)

A record's key is (problem_id, template, sample). Readers keep the first record of a key,
so a re-run after kill -9 never double counts; writers skip keys already present.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import fields
from pathlib import Path
from typing import Any

import numpy as np

from rlvr_audit.core.errors import AuditError, IncompleteRun
from rlvr_audit.core.types import STATUSES, Generation, Grade, Problem, Sampling
from rlvr_audit.io.jsonl import JsonlAppender, read_jsonl, write_json_atomic
from rlvr_audit.io.records import Records
from rlvr_audit.store.manifest import SCHEMA_VERSION, Manifest, load_manifest, save_manifest, utc_now
from rlvr_audit.store.spec import check_resume, hardware_info, new_manifest

__all__ = [
    "MANIFEST",
    "SCHEMA_VERSION",
    "SUMMARY_VERSION",
    "Run",
    "hardware_info",
    "new_manifest",
    "prompt_hash",
    "utc_now",
]

MANIFEST = "run.json"
PROMPTS = "prompts.jsonl"
# summary.json's own format version (docs/run-format.md); grade lines carry the run's.
SUMMARY_VERSION = 2
Key = tuple[str, str, int]


def prompt_hash(text: str) -> str:
    """The digest a generation record names its prompt by: sha256 of the UTF-8 text."""
    import hashlib

    return "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()


def record_key(records: Records, index: int, path: Path) -> Key:
    """The (problem_id, template, sample) key of a generation or grade record; a record
    without one, or with a sample that is not a whole number, is an AuditError naming the
    file and the line."""
    r = records[index]
    _require_fields(records, index, r, ("problem_id", "template", "sample"), path)
    sample = r["sample"]
    if isinstance(sample, bool) or not isinstance(sample, (int, str)) or not str(sample).strip().isdigit():
        _bad_record(path, records.where(index), f"sample {sample!r} is not a whole number")
    return (r["problem_id"], r["template"], int(sample))


def _require_fields(records: Records, index: int, record: dict[str, Any], names: Iterable[str], path: Path) -> None:
    lacking = [n for n in names if record.get(n) is None]
    if lacking:
        _bad_record(path, records.where(index), f"the record has no {', '.join(lacking)}")


def _bad_record(path: Path, where: str, what: str) -> None:
    raise AuditError(
        f"{path}: {where} is not a valid record ({what})",
        "delete that line (or restore the file from a copy), then rerun the command that wrote it",
    )


class Run:
    """A run directory, opened for reading and appending."""

    def __init__(self, path: Path, manifest: Manifest | dict[str, Any]):
        self.path = path
        self.manifest = manifest if isinstance(manifest, Manifest) else Manifest.from_dict(manifest)
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
        return cls(path, load_manifest(manifest_path))

    @classmethod
    def create(
        cls,
        path: str | Path,
        manifest: Manifest | dict[str, Any],
        problems: Iterable[Problem],
        *,
        overwrite: bool = False,
    ) -> Run:
        """Create a run, or reopen it to resume when its spec matches.

        Templates may be added to an existing run (their generations are new); a template
        whose content hash changed, or any other spec change, is refused unless `overwrite`.
        A spec field the old run recorded as unknown (null: e.g. a v1 run's hub commit or
        tokenizer hash) is filled in from the new invocation instead of refused.
        """
        path = Path(path)
        if not isinstance(manifest, Manifest):
            manifest = Manifest.from_dict(manifest)
        if (path / MANIFEST).exists() and not overwrite:
            run = cls.open(path)
            merged = check_resume(path, run.manifest, manifest)
            run.manifest = merged.replace(updated_utc=utc_now(), resumed=run.manifest.resumed + 1)
            save_manifest(path / MANIFEST, run.manifest)
            return run
        if overwrite and path.exists():
            import shutil

            for child in ("generations.jsonl", "problems.jsonl", PROMPTS, "summary.json", MANIFEST):
                (path / child).unlink(missing_ok=True)
            shutil.rmtree(path / "grades", ignore_errors=True)
        path.mkdir(parents=True, exist_ok=True)
        problems = list(problems)
        with JsonlAppender(path / "problems.jsonl") as out:
            out.write_many(
                {"id": p.id, "question": p.question, "answer": p.answer, "solution": p.solution, "meta": p.meta}
                for p in problems
            )
        save_manifest(path / MANIFEST, manifest)  # last: its presence marks a complete create
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
        """The run's Sampling. Fields nobody recorded (an import's temperature, seed, ...)
        stay None: read `sampling_known` before trusting anything but `n`."""
        known = {f.name for f in fields(Sampling)}
        return Sampling(**{k: v for k, v in self.manifest.sampling.items() if k in known})

    @property
    def sampling_known(self) -> bool:
        return self.manifest.sampling_known

    @property
    def templates(self) -> list[str]:
        return list(self.manifest.get("templates", {}))

    def problems(self) -> list[Problem]:
        if self._problems is None:
            records = read_jsonl(self.path / "problems.jsonl")
            for i, r in enumerate(records):
                _require_fields(records, i, r, ("id", "question", "answer"), self.path / "problems.jsonl")
            self._problems = [
                Problem(r["id"], r["question"], r["answer"], r.get("solution"), r.get("meta") or {}) for r in records
            ]
        return self._problems

    def generations(self) -> dict[Key, Generation]:
        """Generations by key (first record of a key wins)."""
        if self._generations is None:
            names = {f.name for f in fields(Generation)}
            out: dict[Key, Generation] = {}
            path = self.path / "generations.jsonl"
            records = read_jsonl(path)
            for i, r in enumerate(records):
                key = record_key(records, i, path)
                _require_fields(records, i, r, ("completion",), path)
                if key not in out:
                    out[key] = Generation(**{k: v for k, v in r.items() if k in names})
            self._generations = out
        return self._generations

    def prompt_records(self) -> dict[tuple[str, str], dict[str, Any]]:
        """prompts.jsonl by (problem_id, template): {"prompt_hash", "prompt", ...} (first wins)."""
        out: dict[tuple[str, str], dict[str, Any]] = {}
        path = self.path / PROMPTS
        records = read_jsonl(path)
        for i, r in enumerate(records):
            _require_fields(records, i, r, ("problem_id", "template"), path)
            out.setdefault((r["problem_id"], r["template"]), r)
        return out

    def prompt_writer(self) -> JsonlAppender:
        return JsonlAppender(self.path / PROMPTS)

    def graded_profiles(self) -> list[str]:
        grades_dir = self.path / "grades"
        if not grades_dir.is_dir():
            return []
        return sorted(p.stem for p in grades_dir.glob("*.jsonl"))

    def grades(self, profile: str) -> dict[Key, Grade]:
        out: dict[Key, Grade] = {}
        path = self.path / "grades" / f"{profile}.jsonl"
        records = read_jsonl(path)
        for i, r in enumerate(records):
            key = record_key(records, i, path)
            if r.get("status") not in STATUSES:
                _bad_record(path, records.where(i), f"status {r.get('status')!r} is not one of {', '.join(STATUSES)}")
            if key not in out:
                version = str(r.get("version", ""))
                out[key] = Grade(
                    profile, version, r["status"], r.get("extracted"), r.get("detail"), r.get("fingerprint")
                )
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

    def missing_generations(self) -> list[Key]:
        """Keys of problems x templates x samples that have no generation (none for an
        import: it holds what its file held)."""
        if self.manifest.get("source") == "imported":
            return []
        have = self.generations()
        n = self.sampling.n or 1
        return [
            (p.id, t, s) for p in self.problems() for t in self.templates for s in range(n) if (p.id, t, s) not in have
        ]

    def check_complete(self) -> None:
        """IncompleteRun (exit 3) when a generation is missing (an interrupted `baseline`) or
        a graded profile lacks grades for some generations (an interrupted `grade`)."""
        missing = self.missing_generations()
        if missing:
            command = self.manifest.get("command") or "the command that made it"
            raise IncompleteRun(
                f"run {self.path} is incomplete: {len(missing)} of {len(missing) + len(self.generations())} "
                f"generations are missing (first: {'/'.join(map(str, missing[0]))})",
                f"finish it first: rerun `{command}` (it resumes and generates only the missing ones)",
            )
        generations = self.generations()
        for profile in self.graded_profiles():
            graded = self.grades(profile)
            ungraded = [k for k in generations if k not in graded]
            if ungraded:
                raise IncompleteRun(
                    f"run {self.path} is incomplete: {len(ungraded)} generations have no {profile} grade",
                    f"finish it first: rlvr-audit grade {self.path}",
                )

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
        self.manifest = self.manifest.replace(**changes, updated_utc=utc_now())
        save_manifest(self.path / MANIFEST, self.manifest)

    def write_summary(self, summary: dict[str, Any]) -> None:
        write_json_atomic(self.path / "summary.json", {"schema_version": SUMMARY_VERSION, **summary})
