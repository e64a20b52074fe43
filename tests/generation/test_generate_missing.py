"""generate_missing: which prompts go to the backend, in how many calls, and where their
outputs land. The backend here records its calls and echoes each prompt; the real backends
are exercised in tests/generation/backends and test_runner.py."""

from __future__ import annotations

from rlvr_audit.core.types import Completion, Problem, Prompt, Sampling
from rlvr_audit.generation.runner import GenerationCount, generate_missing
from rlvr_audit.store.run import Run, new_manifest

PROBLEMS = [Problem(f"p{i}", f"question {i}", str(i)) for i in range(3)]


class RecordingBackend:
    def __init__(self):
        self.calls: list[list[str]] = []

    def prompt_text(self, prompt):
        return prompt.text

    def generate(self, prompts, sampling, seeds):
        self.calls.append([p.text for p in prompts])
        for i in reversed(range(len(prompts))):  # finish out of order, as engines do
            yield i, [Completion(f"echo {prompts[i].text}", "stop", 1, 1) for _ in range(sampling.n)]

    def close(self):
        pass


def _run(tmp_path, templates):
    manifest = new_manifest(
        model={"id": "m", "weights_hash": "w"},
        benchmark={"name": "toy", "size": 3, "hash": "h", "source": "test"},
        templates={t: {"hash": t, "kind": "raw"} for t in templates},
        sampling=Sampling(n=1),
        command="test",
    )
    return Run.create(tmp_path / "run", manifest, PROBLEMS)


def _job(tag):
    return lambda problem: Prompt(kind="raw", text=f"{tag}:{problem.id}")


def test_templates_with_one_sampling_share_one_backend_call(tmp_path):
    run = _run(tmp_path, ["a", "b"])
    backend = RecordingBackend()
    greedy = Sampling(n=1)
    generate_missing(
        run, {"a": (_job("a"), greedy), "b": (_job("b"), greedy)}, lambda: backend, GenerationCount(), progress=False
    )
    assert len(backend.calls) == 1
    assert sorted(backend.calls[0]) == ["a:p0", "a:p1", "a:p2", "b:p0", "b:p1", "b:p2"]
    gens = Run.open(run.path).generations()
    # Each output is filed under its own template and problem despite the shared batch.
    assert {k: g.completion for k, g in gens.items()} == {
        (f"p{i}", t, 0): f"echo {t}:p{i}" for i in range(3) for t in ("a", "b")
    }


def test_different_samplings_are_separate_calls_and_complete_runs_load_nothing(tmp_path):
    run = _run(tmp_path, ["a", "b"])
    backend = RecordingBackend()
    jobs = {"a": (_job("a"), Sampling(n=1, max_tokens=5)), "b": (_job("b"), Sampling(n=1, max_tokens=9))}
    generate_missing(run, jobs, lambda: backend, GenerationCount(), progress=False)
    assert [sorted(c) for c in backend.calls] == [["a:p0", "a:p1", "a:p2"], ["b:p0", "b:p1", "b:p2"]]

    loaded = []
    count = GenerationCount()
    generate_missing(Run.open(run.path), jobs, lambda: loaded.append(1) or backend, count, progress=False)
    assert loaded == [] and count.prompts == 0 and not count.backend_loaded
