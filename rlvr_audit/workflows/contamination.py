"""The contamination probe: does the model reproduce the end of a benchmark's problems?

`run_probe(spec)` splits each problem of the target benchmark at every ratio with the
model's own tokenizer (`generation/probe.py`), sends the prefix raw and decodes greedily for
as many tokens as the remainder has, then scores the continuations (`analysis/
contamination.py`). With `answer_tokens > 0` a second continuation per ratio, with that
budget, is graded with the chosen profile for answer accuracy. The same is done on a control
benchmark the model cannot have seen (by default the generated random-calculation), and a
verdict compares the two.

Each benchmark's probe is an ordinary run in the run store (`runs/<model>-<bench>-probe`):
pseudo-templates `probe-r0.6` (continuations) and `probe-r0.6-answer` (answers), prompts in
prompts.jsonl, generations appended as they finish, grades under grades/. A second call
generates nothing; adding a ratio generates only that ratio. The splits are stored in
probe_splits.jsonl and the figures in probe.json (docs/contamination.md).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rlvr_audit.core.errors import AuditError
from rlvr_audit.core.types import Problem, Prompt, Sampling, stable_hash
from rlvr_audit.generation.backends import choose_backend
from rlvr_audit.generation.probe import ProbeSplit, check_ratio, load_probe_tokenizer, split_problem
from rlvr_audit.generation.runner import GenerationCount, generate_missing
from rlvr_audit.store.run import Run, new_manifest

__all__ = ["PROBE_VERSION", "ProbeResult", "ProbeSpec", "run_probe"]

PROBE_VERSION = 1  # bumped when a split, a prompt or a figure would change
PROBE_SCHEMA = "rlvr-audit.contamination"
PROBE_SCHEMA_VERSION = 1
PROBE_FILE = "probe.json"
SPLITS_FILE = "probe_splits.jsonl"
# No probe prompt asks for more; the run's sampling records it as the cap (continuations use
# each problem's remainder budget, answers the answer budget).
TOKEN_CAP = 4096
DEFAULT_RATIOS = (0.4, 0.6, 0.8)
REFERENCE_RATIO = 0.6  # the ratio Wu et al. report; the verdict uses it when probed


@dataclass(frozen=True)
class ProbeSpec:
    """One `contamination` invocation. `control=None` probes the target alone;
    `answer_tokens=0` skips the answer continuations."""

    model: str
    benchmark: str = "math500"
    data_file: str | Path | None = None
    fields: tuple[tuple[str, str], ...] | Mapping[str, str] | None = None
    limit: int | None = None
    ratios: tuple[float, ...] = DEFAULT_RATIOS
    control: str | None = "random-calculation"
    control_file: str | Path | None = None
    control_limit: int | None = None
    profile: str = "qwen25-math"
    answer_tokens: int = 1024
    backend: str | None = None
    backend_options: tuple[tuple[str, Any], ...] | Mapping[str, Any] = ()
    revision: str | None = None
    tokenizer: str | None = None
    out_dir: str | Path | None = None
    control_out_dir: str | Path | None = None
    label: str | None = None
    grade_workers: int | None = None
    grade_timeout: float = 5.0
    n_boot: int = 10_000

    def options(self) -> dict[str, Any]:
        opts = self.backend_options
        return dict(opts.items() if isinstance(opts, Mapping) else opts)


@dataclass
class ProbeResult:
    """What `run_probe` produced: the probe.json document and the runs behind it."""

    data: dict[str, Any]
    run: Run
    control_run: Run | None
    generated: GenerationCount

    @property
    def path(self) -> Path:
        return self.run.path / PROBE_FILE


def continuation_template(ratio: float) -> str:
    return f"probe-r{ratio:g}"


def answer_template(ratio: float) -> str:
    return f"probe-r{ratio:g}-answer"


def check_spec(spec: ProbeSpec) -> tuple[float, ...]:
    """The spec's ratios, checked and sorted; every other cheap check before a model loads."""
    from rlvr_audit.grading.registry import resolve_profiles

    if not spec.ratios:
        raise AuditError("no ratios to probe", "pass e.g. --ratios 0.4,0.6,0.8")
    ratios = tuple(sorted({round(check_ratio(r), 6) for r in spec.ratios}))
    if len(ratios) != len(spec.ratios):
        raise AuditError(f"a ratio is listed twice in {list(spec.ratios)}", "list each ratio once")
    if isinstance(spec.answer_tokens, bool) or not 0 <= int(spec.answer_tokens) <= TOKEN_CAP:
        raise AuditError(
            f"--answer-tokens {spec.answer_tokens} is outside 0..{TOKEN_CAP}",
            "pass --answer-tokens 1024 (or 0 to skip answer accuracy)",
        )
    if spec.n_boot < 100:
        raise AuditError(f"{spec.n_boot} bootstrap resamples are too few for a CI", "pass at least 100")
    resolve_profiles([spec.profile])
    if spec.limit is not None and spec.limit < 1 or spec.control_limit is not None and spec.control_limit < 1:
        raise AuditError("--limit must be at least 1", "pass --limit N with N >= 1, or leave it out")
    return ratios


def run_probe(spec: ProbeSpec, *, overwrite: bool = False, progress: bool = True) -> ProbeResult:
    """Probe the target benchmark (and the control), score, and write probe.json."""
    from rlvr_audit.analysis.contamination import ratio_figures, rouge_identity, verdict

    ratios = check_spec(spec)
    backend_name = choose_backend(spec.backend)
    tokenizer = load_probe_tokenizer(spec.model, revision=spec.revision, tokenizer=spec.tokenizer)
    target_bench = _load(spec.benchmark, spec.data_file, spec.fields, spec.limit)
    control_bench = None
    if spec.control:
        limit = spec.control_limit if spec.control_limit is not None else spec.limit
        control_bench = _load(spec.control, spec.control_file, None, limit)
        if control_bench.identity.get("hash") == target_bench.identity.get("hash"):
            raise AuditError(
                f"the control {spec.control} is the probed benchmark itself",
                "pass another --control (default random-calculation) or --no-control",
            )
    count = GenerationCount()
    pool = _BackendPool(spec, backend_name)
    control = None
    try:
        target = _probe_benchmark(spec, target_bench, ratios, tokenizer, pool, spec.out_dir, overwrite, count, progress)
        if control_bench is not None:
            control = _probe_benchmark(
                spec, control_bench, ratios, tokenizer, pool, spec.control_out_dir, overwrite, count, progress
            )
    finally:
        pool.close()
    reference = REFERENCE_RATIO if REFERENCE_RATIO in ratios else ratios[len(ratios) // 2]
    boot = {"n_boot": spec.n_boot, "seed": 0}

    def figures(probed: _Probed) -> dict[str, Any]:
        return {str(r): ratio_figures(probed.items[r], **boot) for r in ratios}

    control_name = control_bench.name if control_bench is not None else None
    data = {
        "schema": PROBE_SCHEMA,
        "schema_version": PROBE_SCHEMA_VERSION,
        "probe_version": PROBE_VERSION,
        "model": target.run.manifest.model,
        "benchmark": target.run.benchmark_identity,
        "profile": spec.profile,
        "ratios": list(ratios),
        "reference_ratio": reference,
        "answer_tokens": int(spec.answer_tokens),
        "splits": target.split_counts,
        "per_ratio": figures(target),
        "control": None,
        "verdict": verdict(
            target.items[reference],
            control.items[reference] if control is not None else None,
            ratio=reference,
            control_name=control_name,
            **boot,
        ),
        "bootstrap": {"resamples": spec.n_boot, "seed": 0, "level": 0.95},
        "rouge": rouge_identity(),
        "provenance": _provenance(target.run),
    }
    if control is not None:
        data["control"] = {
            "run": str(control.run.path),
            "benchmark": control.run.benchmark_identity,
            "splits": control.split_counts,
            "per_ratio": figures(control),
            "provenance": _provenance(control.run),
        }
        control_alone = {**data, "benchmark": control.run.benchmark_identity, "splits": control.split_counts}
        control_alone.update(
            per_ratio=data["control"]["per_ratio"],
            control=None,
            verdict=verdict(control.items[reference], None, ratio=reference, **boot),
            provenance=data["control"]["provenance"],
        )
        _write(control.run, control_alone)
    _write(target.run, data)
    return ProbeResult(data, target.run, control.run if control is not None else None, count)


class _BackendPool:
    """One backend for both benchmarks: loaded when the first of them lacks a generation,
    recorded in each run it generates for, closed once both are done."""

    def __init__(self, spec: ProbeSpec, backend_name: str):
        self.spec = spec
        self.name = backend_name
        self.backend: Any = None

    def loader(self, run: Run, revision: str | None) -> Any:
        def load() -> Any:
            from rlvr_audit.generation.backends import get_backend
            from rlvr_audit.workflows.baseline import record_backend

            if self.backend is None:
                self.backend = get_backend(self.name, self.spec.model, revision=revision, **self.spec.options())
            record_backend(run, self.backend, self.spec, self.name, revision)
            return _KeepOpen(self.backend)

        return load

    def close(self) -> None:
        if self.backend is not None:
            self.backend.close()
            self.backend = None


class _KeepOpen:
    """The pool's backend as `generate_missing` sees it: its close() leaves it open."""

    def __init__(self, backend: Any):
        self._backend = backend

    def __getattr__(self, name: str) -> Any:
        return getattr(self._backend, name)

    def close(self) -> None:
        pass


@dataclass
class _Probed:
    run: Run
    items: dict[float, list[Any]]  # ratio -> ProbeItem per probed problem
    split_counts: dict[str, int]


def _load(name: str, data_file: Any, fields: Any, limit: int | None) -> Any:
    from rlvr_audit.benchmarks.registry import load_benchmark

    fields_map = dict(fields.items() if isinstance(fields, Mapping) else fields) if fields else None
    bench = load_benchmark(name, data_file=data_file, fields=fields_map, revision=None, limit=limit)
    if not any((p.question or "").strip() for p in bench.problems):
        raise AuditError(
            f"benchmark {bench.name} has no problem text to probe",
            "pass a benchmark whose problems have text, or --field question=COLUMN naming it",
        )
    return bench


def _tokenizer_key(tokenizer: Any) -> str:
    """What identifies the split: the tokenizer's vocabulary and its normalisation."""
    try:
        state = tokenizer.backend_tokenizer.to_str()
    except AttributeError:
        state = repr(sorted(tokenizer.get_vocab().items()))
    return stable_hash([type(tokenizer).__name__, state], length=16)


def probe_template_hash(probe: Mapping[str, Any]) -> str:
    """A probe template's hash, from what its manifest entry records under "probe": the
    probe version, ratio, mode, tokenizer and (answers) budget. `verify` recomputes it."""
    keys = ("version", "ratio", "mode", "tokenizer", "budget")
    return stable_hash({k: probe.get(k) for k in keys})


def _template_entries(ratios: tuple[float, ...], answer_tokens: int, tok_key: str) -> dict[str, dict[str, Any]]:
    entries = {}
    for r in ratios:
        modes = [("continuation", continuation_template(r), None)]
        if answer_tokens:
            modes.append(("answer", answer_template(r), answer_tokens))
        for mode, name, budget in modes:
            probe = {"version": PROBE_VERSION, "ratio": r, "mode": mode, "tokenizer": tok_key, "budget": budget}
            entries[name] = {
                "hash": probe_template_hash(probe),
                "kind": "raw",
                "max_tokens": budget,  # None: per prompt, the remainder's token count
                "stop": [],
                "recommended_profile": None,
                "probe": probe,
            }
    return entries


def _probe_benchmark(
    spec: ProbeSpec,
    bench: Any,
    ratios: tuple[float, ...],
    tokenizer: Any,
    pool: _BackendPool,
    out_dir: Any,
    overwrite: bool,
    count: GenerationCount,
    progress: bool,
) -> _Probed:
    from rlvr_audit.analysis.contamination import ProbeItem, exact_match, rouge_l
    from rlvr_audit.generation.models import resolve_model
    from rlvr_audit.grading.engine.runs import grade_run
    from rlvr_audit.workflows.baseline import (
        _backend_record,
        _command_line,
        _recorded_revision,
        default_out_dir,
        write_summary,
    )

    path = Path(out_dir) if out_dir else None
    if path is None:
        path = default_out_dir(resolve_model(spec.model, spec.revision).display_name, f"{bench.name}-probe")
        if spec.out_dir:  # the control goes beside the target's run
            path = Path(spec.out_dir).parent / path.name
    backend_name = pool.name
    resolved = resolve_model(spec.model, _recorded_revision(path, spec, overwrite), pin=backend_name != "openai")
    templates = _template_entries(ratios, int(spec.answer_tokens), _tokenizer_key(tokenizer))
    manifest = new_manifest(
        model=resolved.entry(spec.model),
        benchmark={**bench.identity, "source": bench.source, "revision": bench.revision},
        templates=templates,
        sampling=Sampling(temperature=0.0, top_p=1.0, max_tokens=TOKEN_CAP, n=1, seed=0),
        backend={"name": backend_name, **_backend_record(spec)},
        command=_command_line(),
        label=spec.label,
        extra={"probe": {"version": PROBE_VERSION, "ratios": list(ratios), "profile": spec.profile}},
    )
    run = Run.create(path, manifest, bench.problems, overwrite=overwrite)
    splits = _splits(run, tokenizer, ratios)
    greedy = Sampling(temperature=0.0, top_p=1.0, max_tokens=TOKEN_CAP, n=1, seed=0)
    jobs: dict[str, tuple[Any, Sampling]] = {}
    for r in ratios:
        jobs[continuation_template(r)] = (_builder(splits, r, None), greedy)
        if spec.answer_tokens:
            jobs[answer_template(r)] = (_builder(splits, r, int(spec.answer_tokens)), greedy)
    generate_missing(run, jobs, pool.loader(run, resolved.revision), count, progress=progress)
    if spec.answer_tokens:  # only the answers are graded; a continuation is scored against its remainder
        answers = [answer_template(r) for r in ratios]
        grade_run(
            run,
            [spec.profile],
            workers=spec.grade_workers,
            timeout=spec.grade_timeout,
            progress=progress,
            templates=answers,
        )
    write_summary(run)

    generations = run.generations()
    grades = run.grades(spec.profile)
    items: dict[float, list[Any]] = {}
    for r in ratios:
        out = []
        for problem in run.problems():
            split = splits[(problem.id, r)]
            if not split.ok:
                continue
            gen = generations.get((problem.id, continuation_template(r), 0))
            if gen is None:
                raise AuditError(
                    f"{run.path} lacks the probe continuation of {problem.id} at ratio {r:g}",
                    "rerun the same command to generate it",
                )
            answer = None
            if spec.answer_tokens:
                grade = grades.get((problem.id, answer_template(r), 0))
                answer = bool(grade.correct) if grade is not None else None
            text = gen.completion
            out.append(
                ProbeItem(problem.id, exact_match(text, split.remainder), rouge_l(text, split.remainder), answer)
            )
        items[r] = out
    counts = {"problems": len(run.problems())}
    for status in ("ok", "too_short", "no_clean_split"):
        counts[status if status != "ok" else "probed"] = sum(
            1 for p in run.problems() if all(splits[(p.id, r)].status == status for r in ratios)
        )
    counts["partly_probed"] = counts["problems"] - counts["probed"] - counts["too_short"] - counts["no_clean_split"]
    return _Probed(run, items, counts)


def _builder(splits: dict[tuple[str, float], ProbeSplit], ratio: float, budget: int | None) -> Any:
    """Problem -> the raw prefix prompt at `ratio` (None for a problem that cannot be split),
    with the remainder's token count as its budget unless `budget` is given."""

    def build(problem: Problem) -> Prompt | None:
        split = splits[(problem.id, ratio)]
        if not split.ok:
            return None
        tokens = budget if budget is not None else min(split.remainder_tokens, TOKEN_CAP)
        return Prompt(kind="raw", text=split.prefix, max_tokens=tokens)

    return build


def _splits(run: Run, tokenizer: Any, ratios: tuple[float, ...]) -> dict[tuple[str, float], ProbeSplit]:
    """Every (problem, ratio) split, computed now and stored in probe_splits.jsonl (a stored
    split that differs from today's means the tokenizer changed under the run)."""
    from rlvr_audit.io.jsonl import JsonlAppender, read_jsonl

    stored: dict[tuple[str, float], dict[str, Any]] = {}
    path = run.path / SPLITS_FILE
    if path.exists():
        for r in read_jsonl(path):
            stored.setdefault((r["problem_id"], float(r["ratio"])), r)
    out = {}
    new = []
    for problem in run.problems():
        text = (problem.question or "").rstrip()
        for r in ratios:
            split = split_problem(tokenizer, problem.id, text, r)
            before = stored.get((problem.id, r))
            if before is None:
                new.append(split.to_dict())
            elif ProbeSplit.from_dict(before) != split:
                raise AuditError(
                    f"{run.path} split {problem.id} at ratio {r:g} differently (another tokenizer?)",
                    "pass --out NEW to start another probe, or --overwrite to replace this one",
                )
            out[(problem.id, r)] = split
    if new:
        with JsonlAppender(path) as writer:
            writer.write_many(new)
    return out


def _provenance(run: Run) -> dict[str, Any]:
    m = run.manifest
    backend = m.backend or {}
    return {
        "run": str(run.path),
        "model": m.model,
        "backend": {k: backend.get(k) for k in ("name", "device", "options", "library_versions") if k in backend},
        "rlvr_audit_version": m.get("rlvr_audit_version"),
        "created_utc": m.get("created_utc"),
    }


def _write(run: Run, data: dict[str, Any]) -> None:
    from rlvr_audit.io.jsonl import write_json_atomic

    write_json_atomic(run.path / PROBE_FILE, data)


def load_probe(path: str | Path) -> dict[str, Any]:
    """probe.json of a probe run directory (or the file itself)."""
    from rlvr_audit.io.jsonl import read_json_file

    p = Path(path)
    file = p / PROBE_FILE if p.is_dir() else p
    if not file.is_file():
        raise AuditError(f"{path} holds no {PROBE_FILE}", "pass a directory written by `rlvr-audit contamination`")
    data = read_json_file(file, fix="rerun the probe (rlvr-audit contamination ...) to write it again")
    if not isinstance(data, dict) or data.get("schema") != PROBE_SCHEMA:
        raise AuditError(f"{file} is not a contamination probe result", "pass a probe run directory")
    return data


def find_probes(run_dir: str | Path, model: dict[str, Any], benchmark: dict[str, Any]) -> list[Path]:
    """Probe run directories beside `run_dir` (its siblings, as `rlvr-audit contamination`
    writes them under runs/) that probed this model on a benchmark of this name; newest
    first. A probe.json that cannot be read is passed over: discovery is a convenience, and
    `--contamination DIR` names one explicitly."""
    import json

    from rlvr_audit.comparison.contamination import probe_matches

    found = []
    parent = Path(run_dir).resolve().parent
    for file in parent.glob(f"*/{PROBE_FILE}"):
        try:
            data = json.loads(file.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if data.get("schema") == PROBE_SCHEMA and probe_matches(data, model, benchmark):
            found.append(file.parent)
    return sorted(found, key=lambda p: (p / PROBE_FILE).stat().st_mtime, reverse=True)
