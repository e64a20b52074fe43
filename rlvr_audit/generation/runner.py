"""Generating what a run lacks: per template one batched backend call, each finished
prompt's samples appended to the run store at once, seeds that do not depend on batching.

Seeds: each prompt's sampling seed is derived from (sampling.seed, problem id, template),
never from its position in a batch, so a resumed run produces the same texts as an
uninterrupted one.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from rlvr_audit.core.progress import progress_bar
from rlvr_audit.core.types import Generation, Prompt, Sampling, stable_hash
from rlvr_audit.store.run import Run, prompt_hash

_SEED_MOD = 2**63 - 1
_SYNC_EVERY_S = 5.0


@dataclass
class GenerationCount:
    """What one `run_baseline` call generated (0 prompts on a complete resume)."""

    prompts: int = 0
    generations: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    templates: dict[str, int] = field(default_factory=dict)  # template -> prompts generated
    backend_loaded: bool = False
    generate_seconds: float = 0.0


def prompt_seed(seed: int, problem_id: str, template: str) -> int:
    """The sampling seed of one prompt: a function of (run seed, problem id, template)."""
    return int(stable_hash([int(seed), str(problem_id), str(template)], length=16), 16) % _SEED_MOD


def missing_prompts(run: Run, template: str, n: int) -> list[tuple[int, list[int]]]:
    """(problem index, missing sample indices) for every prompt lacking any sample."""
    have = run.generations()
    out = []
    for i, problem in enumerate(run.problems()):
        missing = [s for s in range(n) if (problem.id, template, s) not in have]
        if missing:
            out.append((i, missing))
    return out


def generate_missing(
    run: Run,
    jobs: Mapping[str, tuple[Any, Sampling]],
    load_backend: Callable[[], Any],
    count: GenerationCount,
    *,
    progress: bool = True,
) -> None:
    """For `jobs` (template name -> (Template, its Sampling)), every prompt that lacks a
    sample, in one batched backend call per distinct Sampling (templates that share one
    are batched together). `load_backend()` is called only when
    something is missing, so a complete run never loads the model.

    In place of a Template a job may give a function Problem -> Prompt (the contamination
    probe builds each problem's prompt, and its budget, from the problem itself); one that
    returns None for a problem leaves that problem out of the job."""
    import time

    from rlvr_audit.templates import render

    problems = run.problems()
    todo = {name: _wanted(run, name, template, sampling.n, problems) for name, (template, sampling) in jobs.items()}
    if not any(todo.values()):
        return
    backend = load_backend()
    count.backend_loaded = True
    try:
        with _Progress(progress, todo) as bars:
            for sampling, names in _by_sampling(jobs, todo):
                prompts: list[Prompt] = []
                owners: list[tuple[str, int, list[int]]] = []  # (template, problem index, samples)
                seeds: list[int] = []
                hashes: list[str] = []
                for name in names:
                    template = jobs[name][0]
                    items = todo[name]
                    build = template if callable(template) else partial(render, template)
                    built = [build(problems[i]) for i, _ in items]
                    hashes += record_prompts(run, name, [problems[i].id for i, _ in items], built, backend)
                    seeds += [prompt_seed(sampling.seed, problems[i].id, name) for i, _ in items]
                    prompts += built
                    owners += [(name, i, missing) for i, missing in items]
                started = time.perf_counter()
                synced = started
                # Each finished prompt is handed to the OS at once (a kill -9 loses only
                # unfinished prompts); fsync to disk, which costs milliseconds, at most
                # every few seconds and at the end.
                with run.generation_writer(fsync=False) as writer:
                    for index, completions in backend.generate(prompts, sampling, seeds=seeds):
                        name, problem_index, missing = owners[index]
                        pid = problems[problem_index].id
                        records = [_record(pid, name, s, completions[s], hashes[index]) for s in missing]
                        writer.write_many(records)
                        if time.perf_counter() - synced > _SYNC_EVERY_S:
                            _sync(writer.path)
                            synced = time.perf_counter()
                        count.prompts += 1
                        count.generations += len(records)
                        count.templates[name] = count.templates.get(name, 0) + 1
                        for r in records:
                            count.prompt_tokens += r.get("prompt_tokens") or 0
                            count.completion_tokens += r.get("completion_tokens") or 0
                        bars.advance(name)
                _sync(run.path / "generations.jsonl")
                count.generate_seconds += time.perf_counter() - started
    finally:
        backend.close()


def _by_sampling(
    jobs: Mapping[str, tuple[Any, Sampling]], todo: Mapping[str, list[Any]]
) -> list[tuple[Sampling, list[str]]]:
    """Templates with something missing, grouped by their Sampling in first-seen order:
    each group is one backend call, so the engine batches across templates (per-prompt
    budgets and per-(problem, template) seeds keep every prompt's output its own)."""
    groups: dict[Sampling, list[str]] = {}
    for name, (_, sampling) in jobs.items():
        if todo[name]:
            groups.setdefault(sampling, []).append(name)
    return list(groups.items())


def _wanted(run: Run, name: str, template: Any, n: int, problems: list[Any]) -> list[tuple[int, list[int]]]:
    items = missing_prompts(run, name, n)
    if callable(template):
        items = [(i, missing) for i, missing in items if template(problems[i]) is not None]
    return items


def record_prompts(run: Run, template: str, problem_ids: list[str], prompts: list[Prompt], backend: Any) -> list[str]:
    """Store each prompt's exact text once in prompts.jsonl; return their hashes in order.
    A prompt already stored with another text means the rendering changed under the run."""
    from rlvr_audit.core.errors import AuditError

    stored = run.prompt_records()
    hashes = []
    with run.prompt_writer() as out:
        for pid, prompt in zip(problem_ids, prompts):
            text = backend.prompt_text(prompt)
            digest = prompt_hash(text)
            hashes.append(digest)
            before = stored.get((pid, template))
            if before is None:
                out.write({"problem_id": pid, "template": template, "prompt_hash": digest, "prompt": text})
                stored[(pid, template)] = {"prompt_hash": digest}
            elif before["prompt_hash"] != digest:
                raise AuditError(
                    f"the prompt of {pid} under template {template} renders differently from the one "
                    f"stored in {run.path}",
                    "pass --out NEW to start another run, or --overwrite to replace this one",
                )
    return hashes


def _sync(path: Path) -> None:
    """fsync a file's data through a fresh descriptor (flushes everything written to it)."""
    import os

    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _record(problem_id: str, template: str, sample: int, completion: Any, prompt_digest: str) -> dict[str, Any]:
    return Generation(
        problem_id=problem_id,
        template=template,
        sample=sample,
        completion=completion.text,
        finish_reason=completion.finish_reason,
        prompt_tokens=completion.prompt_tokens,
        completion_tokens=completion.completion_tokens,
        prompt_hash=prompt_digest,
    ).to_dict()


class _Progress:
    """Rich progress bars, one per template, advancing as prompts finish (no-op when off)."""

    def __init__(self, enabled: bool, todo: Mapping[str, list[Any]]):
        self.enabled = enabled
        self.todo = todo
        self._progress = None
        self._tasks: dict[str, Any] = {}

    def __enter__(self) -> _Progress:
        if self.enabled:
            self._progress = progress_bar("generating [bold]{task.description}")
            self._progress.__enter__()
            for name, items in self.todo.items():
                if items:
                    self._tasks[name] = self._progress.add_task(name, total=len(items))
        return self

    def advance(self, name: str) -> None:
        if self._progress is not None:
            self._progress.advance(self._tasks[name])

    def __exit__(self, *exc: object) -> None:
        if self._progress is not None:
            self._progress.__exit__(*exc)
