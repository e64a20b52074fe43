"""Turn someone else's generations file (a paper's released outputs, another harness's
log) into run directories, so `compare` and `grade` work without any model.

Records are grouped by one field (`--group-by run`), optionally renamed with glob patterns
(`--group '*offRLVR*=rl' --group '*=base'`): one run per group, its templates taken from
another field (`--template-field`) or fixed (`--template`). Every group gets the problems
in the order they first appear in the file, so groups that cover the same problems share
one benchmark identity and can be compared. With `--benchmark NAME --data-file F` the
problems (and so the identity) come from that benchmark instead, matched by id, so imported
runs compare with `baseline` runs of the same benchmark.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rlvr_audit.core.errors import AuditError
from rlvr_audit.core.types import Generation, Problem, stable_hash
from rlvr_audit.io.fields import ANSWER_FIELDS, COMPLETION_FIELDS, ID_FIELDS, pick_field
from rlvr_audit.io.intake import Intake, Notify, read_user_records, warn_on_stderr
from rlvr_audit.store.manifest import UNKNOWN_WHEN_IMPORTED
from rlvr_audit.store.run import Run, new_manifest

QUESTION_FIELDS = ("problem", "question")
DEFAULT_TEMPLATE = "imported"


@dataclass(frozen=True)
class ImportSpec:
    """What `rlvr-audit import` was asked to do (one object instead of many kwargs)."""

    path: Path
    out_dir: Path
    group_by: str
    template_field: str | None = None
    template: str | None = None
    benchmark: str | None = None
    data_file: Path | None = None  # with `benchmark`: take problems and identity from it
    model_field: str | None = None
    completion_field: str | None = None
    answer_field: str | None = None
    id_field: str | None = None
    sample_field: str | None = None
    question_field: str | None = None
    groups: tuple[tuple[str, str], ...] = ()  # (glob on the group value, run name), first match wins
    rename_templates: tuple[tuple[str, str], ...] = ()
    profiles: tuple[str, ...] | None = None  # None: every profile; (): do not grade
    overwrite: bool = False
    workers: int | None = None
    intake: Intake = Intake()  # torn last line, duplicates, conflicting golds (io.intake)
    extra: dict[str, Any] = field(default_factory=dict, hash=False, compare=False)


def parse_pairs(items: Sequence[str] | None, option: str) -> tuple[tuple[str, str], ...]:
    """['A=B', ...] -> (('A', 'B'), ...) with a one-line error naming the option."""
    out = []
    for item in items or ():
        left, sep, right = item.partition("=")
        if not sep or not left.strip() or not right.strip():
            raise AuditError(f"{option} '{item}' is not PATTERN=NAME", f"pass e.g. {option} '*rl*=trained'")
        out.append((left.strip(), right.strip()))
    return tuple(out)


def _slug(text: str) -> str:
    slug = re.sub(r"[^A-Za-z0-9_.-]+", "-", text).strip("-.")
    return slug[:80] or "group"


def _group_name(value: str, groups: Sequence[tuple[str, str]]) -> str:
    for pattern, name in groups:
        if fnmatch.fnmatchcase(value, pattern):
            return name
    return value


def _require(records: list[dict[str, Any]], name: str | None, option: str) -> None:
    if name is not None and name not in records[0]:
        raise AuditError(
            f"no field '{name}' in the records (fields found: {', '.join(records[0])})",
            f"pass {option} with one of those",
        )


def import_generations(spec: ImportSpec, *, progress: bool = True, notify: Notify = warn_on_stderr) -> list[Run]:
    """Create (or resume) one run per group and grade it; returns the runs in group order.
    Warnings (a torn last line kept out, duplicates dropped by --dedupe) go to `notify`."""
    from rlvr_audit.workflows.import_checks import check_records

    records = read_user_records(spec.path, spec.intake, notify)
    if not records:
        raise AuditError(f"{spec.path} holds no records", "pass a file with at least one generation")
    _require(records, spec.group_by, "--group-by")
    _require(records, spec.template_field, "--template-field")
    _require(records, spec.model_field, "--model-field")
    _require(records, spec.sample_field, "--sample-field")
    completion = pick_field(records, spec.completion_field, COMPLETION_FIELDS, "completion")
    answer = pick_field(records, spec.answer_field, ANSWER_FIELDS, "answer")
    pid = pick_field(records, spec.id_field, ID_FIELDS, "id")
    question = pick_field(records, spec.question_field, QUESTION_FIELDS, "question")
    solution = "solution" if "solution" in records[0] else None
    renames = dict(spec.rename_templates)
    group_of = [_group_name(str(rec.get(spec.group_by)), spec.groups) for rec in records]
    templates = [_template_of(spec, rec, renames) for rec in records]
    fields = {"pid": pid, "completion": completion, "answer": answer}
    kept, gold_of = check_records(spec, records, group_of, templates, fields, notify)

    problems: dict[str, Problem] = {}
    grouped: dict[str, list[dict[str, Any]]] = {}
    for index in kept:
        rec = records[index]
        key = str(rec[pid])
        if key not in problems:
            problems[key] = Problem(
                key,
                str(rec.get(question, "")),
                str(records[gold_of.get(index, index)].get(answer, "")),
                rec.get(solution) if solution else None,
                {k: rec[k] for k in ("subject", "level") if k in rec},
            )
        grouped.setdefault(group_of[index], []).append(rec)

    if spec.data_file is not None:
        problems = _benchmark_problems(spec, problems)

    runs = []
    for name, recs in grouped.items():
        runs.append(_write_group(spec, name, recs, problems, completion=completion, pid=pid, renames=renames))
    if spec.profiles != ():
        from rlvr_audit.grading.engine.runs import grade_run
        from rlvr_audit.grading.registry import profile_names

        profiles = list(spec.profiles) if spec.profiles else profile_names()
        for run in runs:
            grade_run(run, profiles, workers=spec.workers, progress=progress)
    return runs


def _benchmark_problems(spec: ImportSpec, seen: dict[str, Problem]) -> dict[str, Problem]:
    """The benchmark's problems, in its order, after checking every record id is one of them."""
    from rlvr_audit.benchmarks.registry import load_benchmark

    if not spec.benchmark:
        raise AuditError("--data-file needs --benchmark NAME", "pass e.g. --benchmark math500")
    bench = load_benchmark(spec.benchmark, data_file=str(spec.data_file))
    by_id = {p.id: p for p in bench.problems}
    unknown = [key for key in seen if key not in by_id]
    if unknown:
        raise AuditError(
            f"{len(unknown)} record ids are not problems of {bench.name} (e.g. '{unknown[0]}')",
            "pass the matching --benchmark/--data-file or --id-field",
        )
    return by_id


def _template_of(spec: ImportSpec, rec: dict[str, Any], renames: dict[str, str]) -> str:
    if spec.template_field is not None:
        name = str(rec.get(spec.template_field))
    else:
        name = spec.template or DEFAULT_TEMPLATE
    return renames.get(name, name)


def _write_group(
    spec: ImportSpec,
    name: str,
    recs: list[dict[str, Any]],
    problems: dict[str, Problem],
    *,
    completion: str,
    pid: str,
    renames: dict[str, str],
) -> Run:
    ids = {str(r[pid]) for r in recs}
    group_problems = [p for key, p in problems.items() if key in ids]  # one order, shared by all groups
    generations: list[Generation] = []
    counters: dict[tuple[str, str], int] = {}
    templates: dict[str, dict[str, Any]] = {}
    for rec in recs:
        template = _template_of(spec, rec, renames)
        key = (str(rec[pid]), template)
        if spec.sample_field is not None:
            sample = int(rec[spec.sample_field])
        else:
            sample = counters.get(key, 0)
            counters[key] = sample + 1
        if template not in templates:
            # An imported template is known only by its name and one example prompt.
            example = rec.get("prompt")
            templates[template] = {
                "kind": "imported",
                "hash": stable_hash({"name": template, "example": example}),
                "example_prompt": example,
            }
        generations.append(
            Generation(key[0], template, sample, rec[completion], finish_reason=rec.get("finish_reason"))
        )
    n = 1 + max(g.sample for g in generations)
    model = str(recs[0].get(spec.model_field)) if spec.model_field else name
    benchmark = spec.benchmark or spec.path.name.split(".")[0]
    identity = {
        "name": benchmark,
        "size": len(group_problems),
        "hash": stable_hash([[p.id, p.question, p.answer] for p in group_problems]),
    }
    manifest = new_manifest(
        model={"id": model},
        benchmark={**identity, "source": str(spec.path)},
        templates=templates,
        # Only n is counted from the file; how it was sampled is unknown, and says so.
        sampling={**{k: None for k in UNKNOWN_WHEN_IMPORTED}, "n": n, "known": False},
        label=name,
        source="imported",
        extra={
            "import": {
                "file": str(spec.path),
                "group_by": spec.group_by,
                "group": name,
                "template_field": spec.template_field,
                "records": len(recs),
            }
        },
    )
    run = Run.create(spec.out_dir / _slug(name), manifest, group_problems, overwrite=spec.overwrite)
    existing = run.generations()
    with run.generation_writer() as out:
        for g in generations:
            if (g.problem_id, g.template, g.sample) not in existing:
                out.write(g.to_dict())
    return run
