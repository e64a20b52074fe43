"""Majority-vote labels for the `majority` and `incorrect` rewards.

For each problem: sample k completions with a generation backend (the same backends as
`baseline`), grade each with the grading profile and take the majority vote of
`rlvr_audit.analysis.voting` (answers clustered under the profile's own equivalence, the
biggest cluster wins, ties: the cluster seen first), the same vote as maj@k in a grid. The
label records whether that majority answer is right against the gold, which is what the
`incorrect` reward filters on.

Labels are saved to a JSON file keyed by everything that determines them (model, k,
sampling, profile, template); a later run with the same key reuses them and derives only
problems it has not seen.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rlvr_audit.analysis.voting import ballot, cluster_ballots, profile_equivalence
from rlvr_audit.core.errors import AuditError
from rlvr_audit.core.types import Grade, Problem, Prompt, Sampling, stable_hash
from rlvr_audit.grading.base import GradeRequest
from rlvr_audit.io.jsonl import write_json_atomic

LABELS_FILE = "labels.json"


@dataclass(frozen=True)
class Label:
    """A problem's majority answer (None when no sample had one), whether it is correct
    against the gold, and the vote counts per answer cluster (most votes first)."""

    majority: str | None
    is_correct: bool
    votes: tuple[tuple[str, int], ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {"majority": self.majority, "is_correct": self.is_correct, "votes": [list(v) for v in self.votes]}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Label:
        return cls(d.get("majority"), bool(d.get("is_correct")), tuple((str(a), int(n)) for a, n in d.get("votes", ())))


def _profile(profile: Any) -> Any:
    if isinstance(profile, str):
        from rlvr_audit.grading.registry import get_profile

        return get_profile(profile)
    return profile


def _grades(problem: Problem, completions: Sequence[str], prof: Any) -> list[Grade]:
    """Each completion graded against the gold, exactly as the truth reward grades it."""
    return [prof.grade_local(GradeRequest(text, problem.answer, problem.solution)) for text in completions]


def label_from_completions(problem: Problem, completions: Sequence[str], profile: Any) -> Label:
    """The majority label of one problem from its sampled completions, by the same vote as
    maj@k in a baseline grid (`rlvr_audit.analysis.voting`)."""
    prof = _profile(profile)
    grades = _grades(problem, completions, prof)
    ballots = [ballot(g.status, g.extracted) for g in grades]
    clusters = cluster_ballots(ballots, profile_equivalence(prof))
    if not clusters:
        return Label(None, False, ())
    votes = tuple((str(ballots[c.representative]), c.votes) for c in clusters)
    winner = clusters[0].representative
    return Label(votes[0][0], grades[winner].status == "correct", votes)


def labels_key(*, model: str, k: int, sampling: Sampling, profile: str, template: str | None) -> str:
    """What the labels depend on; saved labels are reused only when it matches."""
    return stable_hash(
        {"model": model, "k": k, "sampling": sampling.to_dict(), "profile": profile, "template": template}
    )


def load_labels(path: str | Path, key: str | None = None) -> dict[str, Label]:
    """Saved labels (empty when the file is absent or was made with another key)."""
    import json

    path = Path(path)
    if not path.is_file():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise AuditError(f"labels file {path} is unreadable ({exc})", "delete it to derive labels again") from exc
    if key is not None and data.get("key") != key:
        return {}
    return {pid: Label.from_dict(d) for pid, d in data.get("labels", {}).items()}


def save_labels(path: str | Path, labels: dict[str, Label], *, key: str, spec: dict[str, Any]) -> None:
    write_json_atomic(path, {"key": key, "spec": spec, "labels": {pid: lab.to_dict() for pid, lab in labels.items()}})


def derive_labels(
    problems: Sequence[Problem],
    *,
    model: str,
    backend: str | None = None,
    k: int = 8,
    sampling: Sampling | None = None,
    profile: str = "ttrl",
    out_path: str | Path,
    template: str | None = None,
    backend_options: dict[str, Any] | None = None,
    progress: bool = True,
) -> dict[str, Label]:
    """Labels for `problems`, reusing those saved in `out_path` and saving new ones there.

    `sampling` sets temperature / max_tokens / seed; its `n` is replaced by `k`.
    `template` names a prompt template (None: the training prompt, see train_data).
    """
    if k < 1:
        raise AuditError(f"k must be at least 1 (got {k})", "pass --k 8")
    from dataclasses import replace

    sampling = replace(sampling or Sampling(temperature=1.0), n=k)
    key = labels_key(model=model, k=k, sampling=sampling, profile=profile, template=template)
    labels = load_labels(out_path, key)
    todo = [p for p in problems if p.id not in labels]
    if todo:
        from rlvr_audit.generation.backends import get_backend
        from rlvr_audit.generation.backends.base import sample_seed
        from rlvr_audit.training.data import problem_prompt

        prompts: list[Prompt] = [problem_prompt(p, template) for p in todo]
        seeds = [sample_seed(sampling.seed, int(stable_hash(p.id, 8), 16)) for p in todo]
        prof = _profile(profile)
        with get_backend(backend, model, **(backend_options or {})) as engine:
            for index, comps in _progress(engine.generate(prompts, sampling, seeds=seeds), len(todo), progress):
                labels[todo[index].id] = label_from_completions(todo[index], [c.text for c in comps], prof)
        spec = {
            "model": model,
            "backend": backend,
            "k": k,
            "sampling": sampling.to_dict(),
            "profile": profile,
            "template": template,
        }
        save_labels(out_path, labels, key=key, spec=spec)
    return {p.id: labels[p.id] for p in problems}


def _progress(items: Iterable[Any], total: int, show: bool) -> Iterable[Any]:
    if not show:
        yield from items
        return
    from rlvr_audit.core.progress import progress_bar

    with progress_bar("deriving majority labels", transient=True) as bar:
        task = bar.add_task("deriving majority labels", total=total)
        for item in items:
            yield item
            bar.advance(task)
