"""A small run directory with hand-written completions, for the grading-engine tests."""

from __future__ import annotations

from rlvr_audit.core.types import Generation, Problem, Sampling
from rlvr_audit.store.run import Run, new_manifest

PROBLEMS = [Problem(f"p{i}", f"q{i}", str(i)) for i in range(3)]


def toy_run(path, completions) -> Run:
    """A run of PROBLEMS under template "t" (2 samples) holding `completions`, a list of
    (problem id, sample, text)."""
    manifest = new_manifest(
        model={"id": "m", "weights_hash": "abc"},
        benchmark={"name": "toy", "size": 3, "hash": "h", "source": "test"},
        templates={"t": {"hash": "x", "kind": "raw"}},
        sampling=Sampling(n=2),
        command="test",
    )
    run = Run.create(path, manifest, PROBLEMS)
    with run.generation_writer() as out:
        out.write_many(Generation(p, "t", s, text).to_dict() for p, s, text in completions)
    return Run.open(path)
